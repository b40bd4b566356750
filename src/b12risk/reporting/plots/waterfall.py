"""Explanation figures in English or Arabic: waterfall, beeswarm and dependence plots.

Every function draws with matplotlib's object API (a :class:`~matplotlib.figure.Figure`
with an Agg canvas), so it works headless, never touches pyplot's list of open figures
and never shows anything. The caller saves the figure, e.g. with :func:`save`.
matplotlib is imported inside the functions, so importing this module stays cheap.

Notes
-----
Arabic labels must be shaped (letters joined) and laid out right to left. matplotlib
3.11 and later do this themselves (complex text layout with libraqm); shaping the text
beforehand with ``arabic_reshaper`` and ``bidi`` would then reverse it a second time
and break the joins. :func:`rtl` therefore checks once, by rendering a probe word,
whether the installed matplotlib shapes Arabic, and shapes and reorders the text itself
only when it does not. In Arabic figures the axes are mirrored: field labels sit on the
right and the horizontal axis runs from right to left.

All SHAP values are contributions on the log-odds scale; a waterfall adds them to the
model's average log-odds to reach the patient's log-odds, and its top axis shows the
matching probabilities.

Examples
--------
>>> from b12risk.reporting.plots import rtl
>>> rtl("Serum vitamin B12")
'Serum vitamin B12'
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import pandas as pd

from b12risk.errors import ConfigError
from b12risk.i18n import check_language, t_unit, unit_forms
from b12risk.i18n import t as word
from b12risk.logodds import expit, logit

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["LOWERS_COLOR", "MAX_POINTS", "RAISES_COLOR", "beeswarm", "dependence", "rtl", "save", "waterfall"]

#: Bar colour of a contribution that raises the risk.
RAISES_COLOR = "#d1352b"
#: Bar colour of a contribution that lowers the risk.
LOWERS_COLOR = "#2a6fb4"
#: Colour of dots whose value is not given or not on a numeric scale.
_NEUTRAL_COLOR = "#a6a6a6"
#: Low-to-high colour scale of a field's value (blue, purple, red).
_VALUE_COLORS = ("#2a6fb4", "#8a4fa8", "#d1352b")
#: Dots of a dependence plot without colouring.
_PLAIN_COLOR = "#4a4a8a"
#: Colours of categories (colour-blind-safe "Dark2" palette).
_CATEGORY_COLORS = ("#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02")

#: Most points drawn per field; larger inputs are sampled with a fixed seed.
MAX_POINTS = 5_000
_SAMPLE_SEED = 0

# Fonts tried for Arabic, in order; the first one found that has Arabic glyphs is used.
_ARABIC_FONTS = ("DejaVu Sans", "Noto Sans Arabic", "Noto Naskh Arabic", "Amiri", "Arial", "Tahoma")
_PROBE_WORD = "بيت"
_ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")
_ISOLATES = re.compile("[\u2066-\u2069]")
# Left-to-right isolate: keeps "191 pmol/L" in Latin order inside an Arabic sentence.
_LRI, _PDI = "\u2066", "\u2069"
_MINUS = "\u2212"

_TEXT: dict[str, dict[str, str]] = {
    "en": {
        "title": "Probability of deficiency {p:.2f} ({band})",
        "log_odds": "log-odds of deficiency",
        "probability": "probability of deficiency",
        "model": "Model {version}",
        "base": "Model average (p = {p:.2f})",
        "final": "This patient (p = {p:.2f})",
        "other_one": "1 other field",
        "other_many": "{n} other fields",
        "raises": "raises the risk",
        "lowers": "lowers the risk",
        "not_given": "not given",
        "shap": "SHAP value (log-odds)",
        "feature_value": "feature value",
        "low": "low",
        "high": "high",
        "dots": "Each dot is one patient; grey: value not given or not a number.",
        "sample": "Showing a fixed random sample of {k:,} of {n:,} patients (seed {seed}).",
    },
    "ar": {
        "title": "احتمال النقص {p:.2f} ({band})",
        "log_odds": "لوغاريتم أرجحية النقص",
        "probability": "احتمال النقص",
        "model": "النموذج {version}",
        "base": "متوسط النموذج (الاحتمال {p:.2f})",
        "final": "هذا المريض (الاحتمال {p:.2f})",
        "other_one": "حقل آخر واحد",
        "other_many": "حقول أخرى ({n})",
        "raises": "يرفع الخطر",
        "lowers": "يخفض الخطر",
        "not_given": "غير مُدخل",
        "shap": "قيمة SHAP (لوغاريتم الأرجحية)",
        "feature_value": "قيمة الحقل",
        "low": "منخفضة",
        "high": "مرتفعة",
        "dots": "كل نقطة تمثل مريضاً واحداً؛ الرمادي: قيمة غير مُدخلة أو غير رقمية.",
        "sample": "عينة عشوائية ثابتة من {k:,} من أصل {n:,} مريض (البذرة {seed}).",
    },
}

_MICRO = re.compile(r"\bumol/")


class _ContributionLike(Protocol):
    field: str
    label: str
    value: Any
    unit: str | None
    log_odds: float


class _PredictionLike(Protocol):
    probability: float
    risk_band_label: str
    base_log_odds: float
    log_odds: float
    model_version: str
    contributions: Sequence[_ContributionLike]


# --------------------------------------------------------------------------- Arabic


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
    if not _ARABIC.search(text):
        return text
    if shape is None:
        shape = not _matplotlib_shapes_arabic()
    if not shape:
        return text
    import arabic_reshaper
    from bidi import get_display

    return _ISOLATES.sub("", get_display(arabic_reshaper.reshape(text)))


@lru_cache(maxsize=1)
def _arabic_font() -> str | None:
    """The first font family in :data:`_ARABIC_FONTS` installed with Arabic glyphs."""
    from matplotlib import font_manager
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
def _matplotlib_shapes_arabic() -> bool:
    """Whether matplotlib joins and reorders Arabic itself.

    If it does, the probe word rendered as typed looks exactly like its letters already
    joined (presentation forms in logical order); if it does not, the two differ.
    """
    import arabic_reshaper

    plain = _render_text(_PROBE_WORD)
    joined = _render_text(arabic_reshaper.reshape(_PROBE_WORD))
    return plain.shape == joined.shape and bool(np.array_equal(plain, joined))


def _render_text(text: str) -> np.ndarray:
    """Pixels of ``text`` drawn alone in a small figure (used to probe the renderer)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(1.5, 0.5), dpi=60)
    canvas = FigureCanvasAgg(fig)
    family = _arabic_font()
    fig.text(0.05, 0.3, text, fontsize=14, **({"fontfamily": family} if family else {}))
    canvas.draw()
    return np.asarray(canvas.buffer_rgba()).copy()


# --------------------------------------------------------------------------- helpers


def _check_max(name: str, value: int, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < low:
        raise ConfigError(f"{name} must be an int >= {low}; got {value!r}")
    return int(value)


def _new_figure(width: float, height: float) -> tuple[Figure, Axes]:
    """A figure with an Agg canvas and constrained layout, outside pyplot."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    fig.get_layout_engine().set(h_pad=0.06, w_pad=0.06)
    return fig, fig.add_subplot()


def _finish(fig: Figure, language: str) -> None:
    """Use an Arabic-capable font for every text of an Arabic figure."""
    if language != "ar":
        return
    family = _arabic_font()
    if family is None:
        return
    from matplotlib.text import Text

    for ax in fig.axes:
        for a in (ax, *ax.child_axes):
            a.tick_params(labelfontfamily=family)
    for text in fig.findobj(Text):
        text.set_fontfamily(family)


def _mirror(ax: Axes) -> None:
    """Right-to-left layout: labels on the right, the horizontal axis growing leftwards."""
    ax.yaxis.tick_right()
    ax.yaxis.set_label_position("right")
    ax.xaxis.set_inverted(True)


def _signed(x: float) -> str:
    digits = 3 if 0 < abs(x) < 0.005 else 2
    return f"{x:+.{digits}f}".replace("-", _MINUS)


def _number(x: float) -> str:
    """A measured value with as many digits as a clinician would write."""
    x = float(x)
    if not math.isfinite(x):
        return str(x)
    if x.is_integer() or abs(x) >= 100:
        text = f"{x:,.0f}"
    elif abs(x) >= 10:
        text = f"{x:.1f}"
    elif abs(x) >= 1:
        text = f"{x:.2f}"
    else:
        text = f"{x:.2g}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace("-", _MINUS)


def _unit(unit: str | None, language: str) -> str | None:
    """The unit as shown in ``language`` (see :func:`b12risk.i18n.t_unit`), µ for micro."""
    shown = t_unit(unit, language) if unit else None
    return _MICRO.sub("µmol/", shown) if shown else None


@lru_cache(maxsize=1)
def _category_labels() -> dict[str, dict[str, dict[str, str]]]:
    """``{field: {language: {code: label}}}`` for the schema's categorical fields."""
    from b12risk.knowledge.schema import features

    out: dict[str, dict[str, dict[str, str]]] = {}
    for f in features().values():
        if f.categories:
            out[f.name] = {
                "en": dict(zip(f.categories, f.category_labels_en, strict=False)),
                "ar": dict(zip(f.categories, f.category_labels_ar, strict=False)),
            }
    return out


def _known_categories(field: object, language: str) -> dict[str, str]:
    """``{code: label}`` of a schema field in schema order; empty if it has none."""
    try:
        labels = _category_labels()
    except Exception:  # the plot must not fail because the knowledge base is unavailable
        return {}
    return labels.get(str(field), {}).get(language, {})


def _category(field: str, value: str, language: str) -> str:
    return _known_categories(field, language).get(value, value)


def _decode(column: pd.Series, language: str) -> pd.Series:
    """A schema categorical field given as integer codes, turned back into its labels."""
    known = _known_categories(column.name, language)
    numbers = _as_numbers(column)
    if not known or numbers is None:
        return column
    given = numbers[np.isfinite(numbers)]
    if not np.isin(given, np.arange(len(known))).all():
        return column
    labels = list(known.values())
    codes = np.where(np.isfinite(numbers), numbers, -1).astype(np.int64)
    return pd.Series(pd.Categorical.from_codes(codes, labels), index=column.index, name=column.name)


def _categories(column: pd.Series, language: str) -> tuple[np.ndarray, list[str]]:
    """Integer codes (-1 where not given) and display labels of a categorical column.

    Categories follow the column's own order if it is a pandas Categorical, else the
    schema's order when the column is named after a schema field, else sorted.
    """
    known = _known_categories(column.name, language)
    if isinstance(column.dtype, pd.CategoricalDtype):
        cats = list(column.cat.categories)
    else:
        present = pd.unique(column.dropna())
        cats = list(known) + sorted((v for v in present if v not in known), key=str)
    codes = pd.Categorical(column, categories=cats).codes.astype(np.int64)
    return codes, [known.get(c, str(c)) for c in cats]


def _value_text(c: _ContributionLike, language: str) -> str | None:
    """The patient's value with its unit, e.g. ``191 pmol/L``; None if not given.

    A contribution's own ``value_label`` is used when it has one; otherwise the value is
    formatted here. A unit the label already names, as in "... (سنوات)", is left out,
    and in Arabic a value in Latin letters keeps its left-to-right order.
    """
    value = c.value
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    unit = _unit(c.unit, language)
    text = getattr(c, "value_label", "") or ""
    if text:
        text = _MICRO.sub("µmol/", text)
    elif isinstance(value, bool | np.bool_):
        text = word("yes" if value else "no", language)
    elif isinstance(value, str):
        text = _category(c.field, value, language)
    elif isinstance(value, int | float | np.integer | np.floating):
        text = f"{_number(value)} {unit}" if unit else _number(value)
    else:
        text = str(value)
    named = any(f"({form})" in c.label for form in unit_forms(c.unit, language))
    if unit and named and text.endswith(f" {unit}"):
        text = text[: -len(unit) - 1]
    if language == "ar" and not _ARABIC.search(text):
        text = f"{_LRI}{text}{_PDI}"
    return text


def _row_label(c: _ContributionLike, language: str) -> str:
    value = _value_text(c, language)
    label = str(c.label)
    label = label[:1].upper() + label[1:]  # a row label starts a line: "Fields not given"
    return label if value is None else f"{label} = {value}"


def _logit(p: np.ndarray) -> np.ndarray:
    return logit(p, clip=1e-12)


def _probability_ticks(lo: float, hi: float) -> list[float]:
    """Round probabilities inside the log-odds range [lo, hi], not crowded together."""
    candidates = [0.001, 0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.98, 0.99, 0.999]
    inside = [p for p in candidates if lo <= _logit(p) <= hi]
    gap = (hi - lo) / 9
    kept: list[float] = []
    # Walk outwards from 0.5 so the middle of the scale is kept when thinning.
    for p in sorted(inside, key=lambda q: abs(q - 0.5)):
        if all(abs(_logit(p) - _logit(q)) >= gap for q in kept):
            kept.append(p)
    return sorted(kept)


def _fit_texts_in_x(fig: Figure, ax: Axes, texts: list, lo: float, hi: float) -> tuple[float, float]:
    """Widen the x range until every text in ``texts`` lies inside the axes."""
    for _ in range(3):
        _set_xlim(ax, lo, hi)
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        inverse = ax.transData.inverted()
        xs = []
        for t in texts:
            box = t.get_window_extent(renderer)
            xs.extend(inverse.transform([(box.x0, 0), (box.x1, 0)])[:, 0])
        need_lo, need_hi = min(lo, *xs), max(hi, *xs)
        if need_lo >= lo and need_hi <= hi:
            break
        pad = 0.02 * (need_hi - need_lo)
        lo, hi = min(lo, need_lo - pad), max(hi, need_hi + pad)
    return lo, hi


def _set_xlim(ax: Axes, lo: float, hi: float) -> None:
    ax.set_xlim((hi, lo) if ax.xaxis_inverted() else (lo, hi))


def _wrap(text: str, width: int) -> str:
    """Break ``text`` into lines of at most ``width`` characters, each made ready by rtl()."""
    import textwrap

    return "\n".join(rtl(line) for line in textwrap.wrap(text, width) or [""])


def _footer(fig: Figure, text: str, language: str) -> None:
    x, ha = (0.99, "right") if language == "ar" else (0.01, "left")
    fig.supxlabel(rtl(text), x=x, ha=ha, fontsize=8, color="0.35")


# --------------------------------------------------------------------------- waterfall


def _waterfall_rows(contributions: Sequence[_ContributionLike], max_display: int, language: str):
    """(label, log-odds) per bar: largest |log-odds| first, the rest folded into one."""
    ordered = sorted(contributions, key=lambda c: abs(float(c.log_odds)), reverse=True)
    if len(ordered) > max_display:
        shown, folded = ordered[: max_display - 1], ordered[max_display - 1 :]
    else:
        shown, folded = ordered, []
    rows = [(_row_label(c, language), float(c.log_odds)) for c in shown]
    if folded:
        t = _TEXT[language]
        label = t["other_one"] if len(folded) == 1 else t["other_many"].format(n=len(folded))
        rows.append((label, float(sum(float(c.log_odds) for c in folded))))
    return rows


def waterfall(prediction: _PredictionLike, *, language: str = "en", max_display: int = 10) -> Figure:
    """How one patient's fields move the prediction from the model's average.

    Parameters
    ----------
    prediction : Prediction
        One explained prediction: ``probability``, ``risk_band_label``,
        ``base_log_odds``, ``log_odds``, ``model_version`` and ``contributions`` (each
        with ``field``, ``label``, ``value``, ``unit`` and ``log_odds``), labels in the
        chosen language.
    language : {"en", "ar"}, default "en"
        Language of the figure's own texts; Arabic mirrors the layout.
    max_display : int, default 10
        Most bars drawn, including the one that sums up the contributions that did
        not fit (at least 2).

    Returns
    -------
    matplotlib.figure.Figure
        The top row marks the model's average log-odds; each bar adds one
        contribution, largest first (red raises the risk, blue lowers it, the signed
        log-odds beside it); the bottom row marks the patient's log-odds. The top axis
        shows the same scale as probabilities.

    Raises
    ------
    ConfigError
        If ``language`` or ``max_display`` is invalid.
    """
    language = check_language(language)
    max_display = _check_max("max_display", max_display, 2)
    from matplotlib.patches import Patch

    t = _TEXT[language]
    base, final = float(prediction.base_log_odds), float(prediction.log_odds)
    rows = _waterfall_rows(prediction.contributions, max_display, language)
    n = len(rows)
    widths = np.array([w for _, w in rows], dtype=float)
    starts = base + np.concatenate([[0.0], np.cumsum(widths)])[:n]
    ends = starts + widths
    ys = np.arange(1, n + 1)
    colors = [RAISES_COLOR if w > 0 else LOWERS_COLOR if w < 0 else _NEUTRAL_COLOR for w in widths]

    fig, ax = _new_figure(10.0, 2.6 + 0.42 * (n + 2))
    if language == "ar":
        _mirror(ax)
    ax.axvline(base, color="0.55", lw=0.8, ls="--", zorder=0)
    ax.axvline(final, color="0.15", lw=0.8, ls=":", zorder=0)
    ax.barh(ys, widths, left=starts, height=0.62, color=colors, zorder=2, label="contributions")
    # Dotted connectors: each bar starts where the previous one ended.
    stops = np.concatenate([[base], ends])
    for i, x in enumerate(stops):
        ax.plot([x, x], [i + 0.31 if i else i + 0.15, i + 0.69], color="0.45", lw=0.8, ls=":", zorder=1)
    ax.plot([base], [0], marker="|", ms=16, mew=2, color="0.35", zorder=3)
    ax.plot([final], [n + 1], marker="D", ms=7, color="0.1", zorder=3)

    flip = -1 if language == "ar" else 1
    texts = []
    for y, w, end in zip(ys, widths, ends, strict=True):
        side = flip * (1 if w >= 0 else -1)
        texts.append(
            ax.annotate(
                _signed(w),
                (end, y),
                xytext=(4 * side, 0),
                textcoords="offset points",
                ha="left" if side > 0 else "right",
                va="center",
                fontsize=9,
                color="0.15",
            )
        )
    for x, y, marker_gap in ((base, 0, 8), (final, n + 1, 8)):
        texts.append(
            ax.annotate(
                f"{x:.2f}".replace("-", _MINUS),
                (x, y),
                xytext=(marker_gap * flip, 0),
                textcoords="offset points",
                ha="left" if flip > 0 else "right",
                va="center",
                fontsize=9,
                fontweight="bold",
            )
        )

    labels = [
        t["base"].format(p=float(expit(base))),
        *(label for label, _ in rows),
        t["final"].format(p=float(prediction.probability)),
    ]
    ax.set_yticks(np.arange(n + 2), [rtl(s) for s in labels], fontsize=10)
    ax.set_ylim(n + 1.6, -0.6)
    ax.tick_params(axis="y", length=0)
    for spine in ("left", "right", "top"):
        ax.spines[spine].set_visible(False)
    ax.grid(axis="x", color="0.92", zorder=0)
    ax.set_axisbelow(True)
    ax.set_xlabel(rtl(t["log_odds"]), fontsize=10)

    band = str(prediction.risk_band_label)
    if word("risk", language) not in band:  # "moderate" -> "moderate risk"
        band = f"{band} {word('risk', language)}"
    title = t["title"].format(p=float(prediction.probability), band=band)
    fig.suptitle(rtl(title), fontsize=13, fontweight="bold")
    handles = [Patch(color=RAISES_COLOR, label=rtl(t["raises"])), Patch(color=LOWERS_COLOR, label=rtl(t["lowers"]))]
    if language == "ar":
        handles.reverse()
    # The footer starts on the reading side; the colour key goes to the other end.
    where = "outside lower left" if language == "ar" else "outside lower right"
    fig.legend(handles=handles, loc=where, ncols=2, frameon=False, fontsize=9, markerfirst=language != "ar")
    version = str(prediction.model_version)
    if language == "ar":  # keep "0.4.0+build" in its own order inside Arabic text
        version = f"{_LRI}{version}{_PDI}"
    footer = f"{t['model'].format(version=version)} · {word('disclaimer', language)}"
    _footer(fig, footer, language)
    _finish(fig, language)

    points = np.concatenate([[base, final], starts, ends])
    lo, hi = float(points.min()), float(points.max())
    pad = max(0.05 * (hi - lo), 0.1)
    lo, hi = _fit_texts_in_x(fig, ax, texts, lo - pad, hi + pad)
    _set_xlim(ax, lo, hi)

    top = ax.secondary_xaxis("top", functions=(expit, _logit))
    top.set_xticks(_probability_ticks(lo, hi))
    top.xaxis.set_major_formatter(lambda p, _pos: f"{p:g}")
    top.set_xlabel(rtl(t["probability"]), fontsize=10)
    top.tick_params(labelsize=9)
    _finish(fig, language)
    return fig


# --------------------------------------------------------------------------- beeswarm


def _sample(n: int, max_points: int) -> np.ndarray:
    """Positions of at most ``max_points`` rows, the same for the same ``n``."""
    if n <= max_points:
        return np.arange(n)
    rng = np.random.default_rng(_SAMPLE_SEED)
    return np.sort(rng.choice(n, size=max_points, replace=False))


def _as_numbers(column: pd.Series) -> np.ndarray | None:
    """The column as floats (bools as 0/1, NaN for missing), or None if categorical."""
    if isinstance(column.dtype, pd.CategoricalDtype) or not (
        pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column)
    ):
        return None
    return column.astype("float64").to_numpy(na_value=np.nan)


def _is_binary(numbers: np.ndarray) -> bool:
    """Whether every given value is 0 or 1 (a yes/no field)."""
    given = numbers[np.isfinite(numbers)]
    return given.size > 0 and bool(np.isin(given, (0.0, 1.0)).all())


def _value_cmap():
    from matplotlib.colors import LinearSegmentedColormap

    return LinearSegmentedColormap.from_list("b12risk_value", _VALUE_COLORS)


def _value_range(numbers: np.ndarray) -> tuple[float, float]:
    """The colour scale's ends: 5th and 95th percentiles, so outliers do not wash it out."""
    given = numbers[np.isfinite(numbers)]
    if given.size == 0:
        return 0.0, 1.0
    lo, hi = np.percentile(given, [5, 95])
    if hi <= lo:
        lo, hi = given.min(), given.max()
    if hi <= lo:
        lo, hi = lo - 0.5, hi + 0.5
    return float(lo), float(hi)


def _value_colors(column: pd.Series) -> np.ndarray:
    """RGBA per row: the value on its own colour scale; grey if not given or categorical."""
    numbers = _as_numbers(column)
    out = np.tile(_neutral_rgba(), (len(column), 1))
    if numbers is None:
        return out
    given = np.isfinite(numbers)
    lo, hi = _value_range(numbers)
    out[given] = _value_cmap()(np.clip((numbers[given] - lo) / (hi - lo), 0, 1))
    return out


def _swarm(x: np.ndarray, lo: float, hi: float, half_height: float = 0.4, bins: int = 120) -> np.ndarray:
    """Vertical offsets that stack points sharing an x bin: 0, +1, -1, +2, -2, ...

    Deterministic: points keep their order within a bin. Offsets are scaled so the
    fullest bin spans ``half_height`` either side of the row.
    """
    if len(x) == 0:
        return np.zeros(0)
    width = (hi - lo) / bins if hi > lo else 1.0
    b = np.floor((x - lo) / width).astype(np.int64)
    order = np.argsort(b, kind="stable")
    sorted_bins = b[order]
    first = np.r_[True, sorted_bins[1:] != sorted_bins[:-1]]
    group_start = np.maximum.accumulate(np.where(first, np.arange(len(x)), 0))
    rank = np.empty(len(x), dtype=np.int64)
    rank[order] = np.arange(len(x)) - group_start
    layer = (rank + 1) // 2
    offset = np.where(rank % 2 == 1, layer, -layer).astype(float)
    top = max(int(layer.max()), 1)
    return offset * (half_height / top)


def beeswarm(
    values: pd.DataFrame,
    data: pd.DataFrame,
    *,
    labels: Mapping[str, str],
    language: str = "en",
    max_display: int = 15,
) -> Figure:
    """How each field pushes predictions up or down across many patients.

    Parameters
    ----------
    values : pandas.DataFrame
        SHAP contributions on the log-odds scale: one row per patient, one column per
        field.
    data : pandas.DataFrame
        The fields' values, same rows and columns as ``values``: numbers, bools (or
        0/1), categories as strings or codes, NaN where not given.
    labels : mapping of str to str
        Display label of each field in the chosen language; a field without one is
        shown by its name.
    language : {"en", "ar"}, default "en"
        Language of the figure's own texts; Arabic mirrors the layout.
    max_display : int, default 15
        Most rows drawn, including the one that sums up the fields that did not fit.

    Returns
    -------
    matplotlib.figure.Figure
        One row of dots per field, the most influential (largest mean absolute SHAP
        value) at the top. A dot's horizontal position is the contribution; dots
        with similar contributions are stacked vertically. Colour is the field's value
        on its own scale (blue low, red high; grey for not given or categorical).
        With more than 5,000 patients a fixed random sample of 5,000 is drawn (the
        ordering uses all rows) and a note says so.

    Raises
    ------
    ConfigError
        If the frames do not match, or ``language`` or ``max_display`` is invalid.
    """
    language = check_language(language)
    max_display = _check_max("max_display", max_display, 2)
    if list(values.columns) != list(data.columns) or len(values) != len(data):
        raise ConfigError(
            "values and data given to beeswarm must have the same columns in the same order and the same "
            f"number of rows. Got {values.shape} with columns {list(values.columns)[:5]}... and {data.shape} "
            f"with columns {list(data.columns)[:5]}... instead."
        )
    if values.shape[1] == 0:
        raise ConfigError("values given to beeswarm has no columns; pass at least one field.")
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import Normalize

    t = _TEXT[language]
    shap = values.astype("float64")
    order = shap.abs().mean().sort_values(ascending=False, kind="stable").index.tolist()
    if len(order) > max_display:
        shown, folded = order[: max_display - 1], order[max_display - 1 :]
    else:
        shown, folded = order, []
    n_rows = len(shown) + bool(folded)
    rows = _sample(len(shap), MAX_POINTS)
    sampled = len(rows) < len(shap)

    xs, ys, colors, names = [], [], [], []
    for field in shown:
        xs.append(shap[field].to_numpy()[rows])
        colors.append(_value_colors(data[field].iloc[rows]))
        names.append(labels.get(field, field))
    if folded:
        xs.append(shap[folded].to_numpy()[rows].sum(axis=1))
        colors.append(np.tile(_neutral_rgba(), (len(rows), 1)))
        names.append(t["other_one"] if len(folded) == 1 else t["other_many"].format(n=len(folded)))
    finite = np.concatenate([x[np.isfinite(x)] for x in xs]) if xs else np.zeros(0)
    lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (-1.0, 1.0)
    for k, x in enumerate(xs):
        ys.append(k + _swarm(np.nan_to_num(x, nan=0.0), lo, hi))

    fig, ax = _new_figure(9.5, 1.9 + 0.42 * n_rows)
    if language == "ar":
        _mirror(ax)
    ax.axvline(0, color="0.55", lw=0.8, zorder=0)
    x_all, y_all, c_all = np.concatenate(xs), np.concatenate(ys), np.concatenate(colors)
    # Grey dots first, so coloured ones are drawn over them.
    grey = np.all(np.isclose(c_all, _neutral_rgba()), axis=1)
    draw = np.r_[np.flatnonzero(grey), np.flatnonzero(~grey)]
    ax.scatter(
        x_all[draw], y_all[draw], c=c_all[draw], s=7, linewidths=0, alpha=0.85, rasterized=True, zorder=2
    ).set_label("points")
    ax.set_yticks(np.arange(n_rows), [rtl(s) for s in names], fontsize=10)
    ax.set_ylim(n_rows - 0.5, -0.5)
    ax.tick_params(axis="y", length=0)
    for spine in ("left", "right", "top"):
        ax.spines[spine].set_visible(False)
    ax.grid(axis="y", color="0.93", zorder=0)
    ax.set_axisbelow(True)
    ax.set_xlabel(rtl(t["shap"]), fontsize=10)

    mappable = ScalarMappable(norm=Normalize(0, 1), cmap=_value_cmap())
    bar = fig.colorbar(
        mappable, ax=ax, location="left" if language == "ar" else "right", aspect=30, shrink=0.8, pad=0.02
    )
    bar.set_ticks([0, 1], labels=[rtl(t["low"]), rtl(t["high"])])
    bar.set_label(rtl(t["feature_value"]), fontsize=10, labelpad=-4)
    bar.outline.set_visible(False)
    bar.ax.tick_params(labelsize=9, length=0)

    note = t["dots"]
    if sampled:
        note += " " + t["sample"].format(k=len(rows), n=len(shap), seed=_SAMPLE_SEED)
    _footer(fig, note, language)
    _finish(fig, language)
    return fig


def _neutral_rgba() -> tuple[float, float, float, float]:
    from matplotlib.colors import to_rgba

    return to_rgba(_NEUTRAL_COLOR)


# --------------------------------------------------------------------------- dependence


def _jitter(n: int, width: float) -> np.ndarray:
    """Deterministic horizontal spread in [-width, width]."""
    return (np.random.default_rng(_SAMPLE_SEED).random(n) * 2 - 1) * width


def dependence(
    values: pd.Series,
    data: pd.Series,
    *,
    label: str,
    unit: str | None = None,
    color: pd.Series | None = None,
    color_label: str | None = None,
    language: str = "en",
) -> Figure:
    """How one field's contribution changes with its value, across patients.

    Parameters
    ----------
    values : pandas.Series
        The field's SHAP contributions (log-odds), one per patient.
    data : pandas.Series
        The field's values, aligned with ``values``: numbers, bools, or categories;
        NaN where not given.
    label : str
        The field's label in the chosen language.
    unit : str or None, default None
        Unit of the field's values, shown in the axis label.
    color : pandas.Series or None, default None
        Another field's values, aligned with ``values``, to colour the dots by (numbers
        on a colour bar, categories in a legend).
    color_label : str or None, default None
        Label of the colouring field (its colour bar or legend title).
    language : {"en", "ar"}, default "en"
        Language of the figure's own texts; Arabic mirrors the layout.

    Returns
    -------
    matplotlib.figure.Figure
        One dot per patient (at most 5,000, a fixed sample beyond that): the field's
        value across, its contribution up. Patients without a value form a separate
        strip labelled "not given" at the start of the axis; a line marks zero.

    Raises
    ------
    ConfigError
        If the series differ in length, or ``language`` is invalid.
    """
    language = check_language(language)
    if len(values) != len(data) or (color is not None and len(color) != len(values)):
        lengths = f"values {len(values)}, data {len(data)}" + ("" if color is None else f", color {len(color)}")
        raise ConfigError(f"the series given to dependence must have the same length. Got {lengths} instead.")
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import Normalize, to_rgba
    from matplotlib.lines import Line2D
    from matplotlib.ticker import MaxNLocator

    t = _TEXT[language]
    rows = _sample(len(values), MAX_POINTS)
    y = values.astype("float64").to_numpy()[rows]
    column = _decode(data.iloc[rows], language)
    numbers = _as_numbers(column)
    tick_pos: list[float] = []
    tick_text: list[str] = []
    if numbers is None:  # categories: one column of dots each
        codes, categories = _categories(column, language)
        x = codes.astype(float)
        x[x < 0] = np.nan
        x = x + _jitter(len(x), 0.18)
        lo, hi = -0.5, len(categories) - 0.5
        tick_pos, tick_text = list(range(len(categories))), categories
        gap = 1.0
    else:
        x = numbers.copy()
        given = np.isfinite(x)
        lo, hi = (float(x[given].min()), float(x[given].max())) if given.any() else (0.0, 1.0)
        if hi <= lo:
            lo, hi = lo - 0.5, hi + 0.5
        if _is_binary(x):
            tick_pos, tick_text = [0.0, 1.0], [word("no", language), word("yes", language)]
            x = x + _jitter(len(x), 0.06)
            lo, hi = -0.3, 1.3
        else:
            tick_pos = [float(v) for v in MaxNLocator(nbins=6).tick_values(lo, hi) if lo <= v <= hi]
            tick_text = [_number(v) for v in tick_pos]
            lo, hi = lo - 0.03 * (hi - lo), hi + 0.03 * (hi - lo)
        gap = 0.14 * (hi - lo)
    missing = ~np.isfinite(x)
    nan_x = lo - gap
    if missing.any():
        x[missing] = nan_x + _jitter(int(missing.sum()), 0.25 * gap)
        tick_pos, tick_text = [nan_x, *tick_pos], [t["not_given"], *tick_text]

    fig, ax = _new_figure(8.0, 5.2)
    if language == "ar":
        _mirror(ax)
    ax.axhline(0, color="0.4", lw=0.9, zorder=1)
    if missing.any():
        ax.axvline(lo - gap / 2, color="0.75", lw=0.8, ls="--", zorder=1)

    handles = []
    if color is None:
        rgba = np.tile(to_rgba(_PLAIN_COLOR), (len(x), 1))
    else:
        shade = _decode(color.iloc[rows], language)
        shade_numbers = _as_numbers(shade)
        if shade_numbers is not None and not _is_binary(shade_numbers):
            rgba = _value_colors(shade)
            bar = fig.colorbar(
                ScalarMappable(norm=Normalize(*_value_range(shade_numbers)), cmap=_value_cmap()),
                ax=ax,
                location="left" if language == "ar" else "right",
                aspect=30,
                pad=0.02,
            )
            bar.set_label(rtl(color_label or ""), fontsize=10)
            bar.outline.set_visible(False)
            bar.ax.tick_params(labelsize=9)
        else:
            if shade_numbers is None:
                codes, names = _categories(shade, language)
            else:  # yes/no
                codes = np.where(np.isfinite(shade_numbers), shade_numbers, -1).astype(np.int64)
                names = [word("no", language), word("yes", language)]
            palette = [to_rgba(c) for c in _CATEGORY_COLORS]
            neutral = to_rgba(_NEUTRAL_COLOR)
            rgba = np.array([palette[c % len(palette)] if c >= 0 else neutral for c in codes]).reshape(-1, 4)
            for i, name in enumerate(names):
                handles.append(Line2D([], [], marker="o", ls="", color=palette[i % len(palette)], label=rtl(name)))
            if (codes < 0).any():
                handles.append(Line2D([], [], marker="o", ls="", color=neutral, label=rtl(t["not_given"])))
    ax.scatter(x, y, c=rgba, s=10, linewidths=0, alpha=0.75, rasterized=True, zorder=2)
    if handles:
        # Beside the plot, never over the dots; a long title is wrapped so it stays narrow.
        legend = fig.legend(
            handles=handles,
            title=_wrap(color_label, 24) if color_label else None,
            loc="outside left upper" if language == "ar" else "outside right upper",
            frameon=False,
            fontsize=9,
            title_fontsize=9,
            markerfirst=language != "ar",
        )
        if language == "ar":
            legend.set_alignment("right")

    ax.set_xticks(tick_pos, [rtl(s) for s in tick_text])
    _set_xlim(ax, nan_x - 0.5 * gap if missing.any() else lo, hi)
    unit_text = _unit(unit, language)
    ax.set_xlabel(rtl(f"{label} ({unit_text})" if unit_text else label), fontsize=10)
    ax.set_ylabel(rtl(t["shap"]), fontsize=10)
    ax.set_title(rtl(label), fontsize=12, fontweight="bold")
    for spine in ("right", "top") if language == "en" else ("left", "top"):
        ax.spines[spine].set_visible(False)
    ax.tick_params(labelsize=9)
    if len(rows) < len(values):
        _footer(fig, t["sample"].format(k=len(rows), n=len(values), seed=_SAMPLE_SEED), language)
    _finish(fig, language)
    return fig


# --------------------------------------------------------------------------- save


def save(fig: Figure, path: str | Path, *, dpi: int = 150) -> Path:
    """Write ``fig`` as PNG or SVG, chosen by the file's suffix.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        A figure from this module (or any other).
    path : str or pathlib.Path
        Where to write; the suffix ``.png`` or ``.svg`` chooses the format. The parent
        folder must exist.
    dpi : int, default 150
        Resolution of a PNG.

    Returns
    -------
    pathlib.Path
        ``path``. Nothing is closed and pyplot is not involved.

    Raises
    ------
    ConfigError
        If the suffix is neither ``.png`` nor ``.svg``.
    """
    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in ("png", "svg"):
        raise ConfigError(f"save writes .png or .svg files. Got {path.name!r} instead; change its suffix.")
    # No date in SVG files, so the same figure gives the same bytes.
    metadata = {"Date": None} if fmt == "svg" else None
    fig.savefig(path, format=fmt, dpi=dpi, bbox_inches="tight", metadata=metadata)
    return path
