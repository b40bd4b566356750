"""Arabic in matplotlib figures: shaping and ordering text, a font with Arabic glyphs, mirrored axes.

Arabic labels must be shaped (letters joined) and laid out right to left. matplotlib
3.11 and later do this themselves (complex text layout with libraqm); shaping the text
beforehand with ``arabic_reshaper`` and ``bidi`` would then reverse it a second time
and break the joins. :func:`rtl` therefore checks once, by rendering a probe word,
whether the installed matplotlib shapes Arabic, and shapes and reorders the text itself
only when it does not. In Arabic figures the axes are mirrored (:func:`mirror`): field
labels sit on the right and the horizontal axis runs from right to left.
"""

from __future__ import annotations

import re
import warnings
from functools import lru_cache
from typing import TYPE_CHECKING

import arabic_reshaper
import numpy as np
from bidi import get_display

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["ARABIC", "LRI", "PDI", "arabic_font", "finish", "matplotlib_shapes_arabic", "mirror", "rtl"]

# Fonts tried for Arabic, in order; the first one found that has Arabic glyphs is used.
_ARABIC_FONTS = ("DejaVu Sans", "Noto Sans Arabic", "Noto Naskh Arabic", "Amiri", "Arial", "Tahoma")
_PROBE_WORD = "بيت"
#: Any Arabic letter (the basic block, its supplements and presentation forms).
ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")
_ISOLATES = re.compile("[\u2066-\u2069]")
#: Left-to-right isolate and its end: keep "191 pmol/L" in Latin order inside an Arabic sentence.
LRI, PDI = "\u2066", "\u2069"


def rtl(text: str, *, shape: bool | None = None) -> str:
    """Prepare text that may contain Arabic for display in a matplotlib figure.

    Parameters
    ----------
    text : str
        Text in logical (typing) order.
    shape : bool or None, default None
        ``True``: join the Arabic letters (``arabic_reshaper.reshape``) and reorder the
        text right to left (``bidi.get_display``), for renderers that do neither.
        ``False``: return the text unchanged. ``None``: shape only if the installed
        matplotlib does not lay out Arabic itself (it does from version 3.11 on, and
        shaping twice would reverse the text).

    Returns
    -------
    str
        The text to hand to matplotlib. Text without Arabic letters is returned as is.

    Examples
    --------
    >>> rtl("abc")
    'abc'
    >>> rtl("ب12", shape=True)
    '12ﺏ'
    """
    if not ARABIC.search(text):
        return text
    if shape is None:
        shape = not matplotlib_shapes_arabic()
    if not shape:
        return text
    return _ISOLATES.sub("", get_display(arabic_reshaper.reshape(text)))


@lru_cache(maxsize=1)
def arabic_font() -> str | None:
    """The first font family in :data:`_ARABIC_FONTS` installed with Arabic glyphs."""
    from matplotlib import font_manager  # matplotlib only when a figure is drawn
    from matplotlib.ft2font import FT2Font

    for family in _ARABIC_FONTS:
        try:
            path = font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False)
        except ValueError:
            continue
        if ord("ب") in FT2Font(path).get_charmap():
            return family
    warnings.warn(
        f"no installed font has Arabic glyphs (tried {', '.join(_ARABIC_FONTS)}); Arabic text will show as "
        "empty boxes. Install one of these fonts, e.g. the fonts-dejavu-core package.",
        UserWarning,
        stacklevel=3,
    )
    return None


@lru_cache(maxsize=1)
def matplotlib_shapes_arabic() -> bool:
    """Whether matplotlib joins and reorders Arabic itself.

    If it does, the probe word rendered as typed looks exactly like its letters already
    joined (presentation forms in logical order); if it does not, the two differ.
    """
    plain = _render_text(_PROBE_WORD)
    joined = _render_text(arabic_reshaper.reshape(_PROBE_WORD))
    return plain.shape == joined.shape and bool(np.array_equal(plain, joined))


def _render_text(text: str) -> np.ndarray:
    """Pixels of ``text`` drawn alone in a small figure (used to probe the renderer)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # matplotlib only when a figure is drawn
    from matplotlib.figure import Figure

    fig = Figure(figsize=(1.5, 0.5), dpi=60)
    canvas = FigureCanvasAgg(fig)
    family = arabic_font()
    fig.text(0.05, 0.3, text, fontsize=14, **({"fontfamily": family} if family else {}))
    canvas.draw()
    return np.asarray(canvas.buffer_rgba()).copy()


def finish(fig: Figure, language: str) -> None:
    """Use an Arabic-capable font for every text of an Arabic figure."""
    if language != "ar":
        return
    family = arabic_font()
    if family is None:
        return
    from matplotlib.text import Text  # matplotlib only when a figure is drawn

    for ax in fig.axes:
        for a in (ax, *ax.child_axes):
            a.tick_params(labelfontfamily=family)
    for text in fig.findobj(Text):
        text.set_fontfamily(family)


def mirror(ax: Axes) -> None:
    """Right-to-left layout: labels on the right, the horizontal axis growing leftwards."""
    ax.yaxis.tick_right()
    ax.yaxis.set_label_position("right")
    ax.xaxis.set_inverted(True)
