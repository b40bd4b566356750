"""What the SHAP figures share: their words, colours, canvas, sampling and the colour scale of a field's value."""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from b12risk.errors import ConfigError
from b12risk.serving.plots.arabic import rtl
from b12risk.words import t

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.colors import Colormap
    from matplotlib.figure import Figure

#: Bar colour of a contribution that raises the risk.
RAISES_COLOR = "#d1352b"
#: Bar colour of a contribution that lowers the risk.
LOWERS_COLOR = "#2a6fb4"
#: Colour of dots whose value is not given or not on a numeric scale.
NEUTRAL_COLOR = "#a6a6a6"
#: Low-to-high colour scale of a field's value (blue, purple, red).
VALUE_COLORS = ("#2a6fb4", "#8a4fa8", "#d1352b")
#: Dots of a dependence plot without colouring.
PLAIN_COLOR = "#4a4a8a"
#: Colours of categories (colour-blind-safe "Dark2" palette).
CATEGORY_COLORS = ("#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02")

#: Most points drawn per field; larger inputs are sampled with a fixed seed.
MAX_POINTS = 5_000
SAMPLE_SEED = 0


def plot_text(key: str, language: str) -> str:
    """The SHAP figures' text ``plot.<key>`` (:mod:`b12risk.words`), as written."""
    return t(f"plot.{key}", language)


def check_max(name: str, value: int, low: int) -> int:
    """``value`` as an int if it is one and at least ``low``; otherwise a ConfigError naming it."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < low:
        raise ConfigError(f"{name} must be an int >= {low}; got {value!r}")
    return int(value)


def new_figure(width: float, height: float) -> tuple[Figure, Axes]:
    """A figure with an Agg canvas and constrained layout, outside pyplot."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # matplotlib only when a figure is drawn
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    fig.get_layout_engine().set(h_pad=0.06, w_pad=0.06)
    return fig, fig.add_subplot()


def set_xlim(ax: Axes, lo: float, hi: float) -> None:
    """Set the x range [lo, hi] on an axis that may run right to left."""
    ax.set_xlim((hi, lo) if ax.xaxis_inverted() else (lo, hi))


def wrap(text: str, width: int) -> str:
    """Break ``text`` into lines of at most ``width`` characters, each made ready by rtl()."""
    return "\n".join(rtl(line) for line in textwrap.wrap(text, width) or [""])


def add_footer(fig: Figure, text: str, language: str) -> None:
    """A small grey note under the figure, starting on the reading side."""
    x, ha = (0.99, "right") if language == "ar" else (0.01, "left")
    fig.supxlabel(rtl(text), x=x, ha=ha, fontsize=8, color="0.35")


def sample_rows(n: int, max_points: int) -> np.ndarray:
    """Positions of at most ``max_points`` rows, the same for the same ``n``."""
    if n <= max_points:
        return np.arange(n)
    rng = np.random.default_rng(SAMPLE_SEED)
    return np.sort(rng.choice(n, size=max_points, replace=False))


def jitter(n: int, width: float) -> np.ndarray:
    """Deterministic horizontal spread in [-width, width]."""
    return (np.random.default_rng(SAMPLE_SEED).random(n) * 2 - 1) * width


def as_numbers(column: pd.Series) -> np.ndarray | None:
    """The column as floats (bools as 0/1, NaN for missing), or None if categorical."""
    if isinstance(column.dtype, pd.CategoricalDtype) or not (
        pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column)
    ):
        return None
    return column.astype("float64").to_numpy(na_value=np.nan)


def is_binary(numbers: np.ndarray) -> bool:
    """Whether every given value is 0 or 1 (a yes/no field)."""
    given = numbers[np.isfinite(numbers)]
    return given.size > 0 and bool(np.isin(given, (0.0, 1.0)).all())


def value_cmap() -> Colormap:
    """The low-to-high colour scale of a field's value."""
    from matplotlib.colors import LinearSegmentedColormap  # matplotlib only when a figure is drawn

    return LinearSegmentedColormap.from_list("b12risk_value", VALUE_COLORS)


def value_range(numbers: np.ndarray) -> tuple[float, float]:
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


def value_colors(column: pd.Series) -> np.ndarray:
    """RGBA per row: the value on its own colour scale; grey if not given or categorical."""
    numbers = as_numbers(column)
    out = np.tile(neutral_rgba(), (len(column), 1))
    if numbers is None:
        return out
    given = np.isfinite(numbers)
    lo, hi = value_range(numbers)
    out[given] = value_cmap()(np.clip((numbers[given] - lo) / (hi - lo), 0, 1))
    return out


def neutral_rgba() -> tuple[float, float, float, float]:
    """RGBA of :data:`NEUTRAL_COLOR`."""
    from matplotlib.colors import to_rgba  # matplotlib only when a figure is drawn

    return to_rgba(NEUTRAL_COLOR)
