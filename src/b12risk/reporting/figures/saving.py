"""Saving the report's figures: PNG and SVG files that repeat byte for byte, and the HTML that embeds them."""

from __future__ import annotations

import base64
import html
import io
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["PNG_DPI", "FigureWriter", "render_png", "render_svg"]

#: Resolution of the PNG files (and of the images embedded in the page).
PNG_DPI = 110
#: Salt of matplotlib's SVG element ids; fixed so that SVG files repeat byte for byte.
_SVG_SALT = "b12risk-report"


class FigureWriter:
    """Saves figures into one folder and returns the HTML that embeds them.

    Parameters
    ----------
    folder : Path
        Where the ``.png`` and ``.svg`` files go (created if missing).
    language : {"en", "ar"}
        Arabic file names end in ``_ar`` so both reports can share one folder.
    """

    def __init__(self, folder: Path, language: str):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.suffix = "" if language == "en" else f"_{language}"
        self.names: list[str] = []

    def add(self, fig: Figure, stem: str, *, alt: str, caption: str = "") -> str:
        """Save ``fig`` as ``<stem>.png`` and ``<stem>.svg``; the ``<figure>`` element embedding it."""
        name = f"{stem}{self.suffix}"
        png, bbox = render_png(fig)
        (self.folder / f"{name}.png").write_bytes(png)
        (self.folder / f"{name}.svg").write_bytes(render_svg(fig, bbox))
        self.names.append(name)
        uri = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
        cap = f"<figcaption>{caption}</figcaption>" if caption else ""
        return (
            f'<figure id="fig-{html.escape(stem)}"><img src="{uri}" alt="{html.escape(alt)}" '
            f'data-file="figures/{html.escape(name)}.png">{cap}</figure>'
        )


def render_png(fig: Figure) -> tuple[bytes, Any]:
    """PNG bytes of ``fig`` trimmed to its content, and that content's box in inches.

    The figure is drawn once at :data:`PNG_DPI`; the white margin is cut from the
    pixels (what ``bbox_inches="tight"`` does, without its extra draws) and the layout
    is then frozen, so the SVG drawn next matches. Should anything reach the edge of
    the canvas (a label the layout could not fit), the figure is saved the slower way,
    with ``bbox_inches="tight"``, which grows the box instead. No software stamp or
    date is written, so the same figure gives the same bytes.
    """
    from matplotlib.transforms import Bbox  # matplotlib (and PIL with it) only when a figure is saved
    from PIL import Image

    engine = fig.get_layout_engine()
    if engine is not None and hasattr(engine, "set") and "w_pad" in engine.get():
        # Wider margins than the layout needs: shaped Arabic glyphs can overhang their
        # measured box by a few pixels. The white margin is cut off below anyway.
        engine.set(w_pad=max(engine.get()["w_pad"], 0.25))
    fig.set_dpi(PNG_DPI)
    fig.canvas.draw()
    fig.set_layout_engine("none")  # keep this layout for the SVG
    rgb = np.asarray(fig.canvas.buffer_rgba())[..., :3]
    ink = (rgb < 250).any(axis=2)
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    height, width = ink.shape
    buf = io.BytesIO()
    edge = 2  # ink this close to the border may continue beyond it
    if rows.size == 0 or min(rows[0], cols[0], height - 1 - rows[-1], width - 1 - cols[-1]) < edge:
        bbox = fig.get_tightbbox(fig.canvas.get_renderer()).padded(0.1)
        fig.savefig(buf, format="png", dpi=PNG_DPI, bbox_inches=bbox, metadata={"Software": None})
        return buf.getvalue(), bbox
    pad = round(0.1 * PNG_DPI)
    y0, y1 = max(rows[0] - pad, 0), min(rows[-1] + 1 + pad, height)
    x0, x1 = max(cols[0] - pad, 0), min(cols[-1] + 1 + pad, width)
    Image.fromarray(np.ascontiguousarray(rgb[y0:y1, x0:x1])).save(buf, format="png", compress_level=6)
    bbox = Bbox.from_extents(x0 / PNG_DPI, (height - y1) / PNG_DPI, x1 / PNG_DPI, (height - y0) / PNG_DPI)
    return buf.getvalue(), bbox


def render_svg(fig: Figure, bbox: Any = "tight") -> bytes:
    """SVG bytes without date or creator, with element ids from a fixed salt."""
    import matplotlib  # only when a figure is saved

    buf = io.BytesIO()
    with matplotlib.rc_context({"svg.hashsalt": _SVG_SALT}):
        fig.savefig(buf, format="svg", bbox_inches=bbox, metadata={"Date": None, "Creator": None})
    return buf.getvalue()
