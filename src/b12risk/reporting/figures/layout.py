"""What the report's figures share: canvases and panels, legends and axes, and their words.

Scorers are drawn as the scorer table says (:data:`b12risk.modelling.scorers.SCORERS`:
colour, line style and name in each language); every other word of a figure is a
``fig.*`` entry of the catalogue (:mod:`b12risk.words`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from b12risk.modelling.scorers import SCORERS
from b12risk.serving.plots.arabic import rtl
from b12risk.words import t

if TYPE_CHECKING:
    import numpy as np
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "figure_legend",
    "grid",
    "level_title",
    "net_benefit_axes",
    "panels",
    "scorer_name",
    "scorer_style",
    "style_axes",
    "word",
]


def word(key: str, language: str) -> str:
    """The figure text ``fig.<key>`` in ``language``, as written (fill it with :meth:`str.format`)."""
    return t(f"fig.{key}", language)


def level_title(level: str, language: str) -> str:
    """An information level as a title: "With serum B12"."""
    text = t(f"level.{level}", language)
    return text[:1].upper() + text[1:] if language == "en" else text


def scorer_name(scorer: str, language: str) -> str:
    """The scorer's name in ``language`` from the scorer table; an unknown scorer by its key."""
    return SCORERS[scorer].label(language) if scorer in SCORERS else scorer


def scorer_style(scorer: str) -> tuple[str, str]:
    """(colour, line style) of a scorer in every figure, from the scorer table."""
    return SCORERS[scorer].color, SCORERS[scorer].line


def grid(nrows: int, ncols: int, width: float, height: float, **kwargs) -> tuple[Figure, np.ndarray]:
    """A constrained-layout figure with an Agg canvas, outside pyplot."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # matplotlib only when a figure is drawn
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(nrows, ncols, squeeze=False, **kwargs)
    return fig, axes


def panels(axes: np.ndarray, language: str) -> list:
    """Panels in reading order: rows top to bottom, each row right to left in Arabic."""
    return [ax for row in axes for ax in (row[::-1] if language == "ar" else row)]


def figure_legend(fig: Figure, handles: list, language: str, ncols: int) -> None:
    """One legend for the whole figure, below the panels."""
    legend = fig.legend(
        handles=handles,
        loc="outside lower center",
        ncols=ncols,
        frameon=False,
        fontsize=9,
        markerfirst=language != "ar",
    )
    if language == "ar":
        legend.set_alignment("right")


def style_axes(ax: Axes) -> None:
    """Light grid, no top and right spines, small tick labels."""
    for spine in ("right", "top"):
        ax.spines[spine].set_visible(False)
    ax.grid(color="0.92", lw=0.6)
    ax.set_axisbelow(True)
    ax.tick_params(labelsize=8)


def net_benefit_axes(
    ax: Axes, language: str, *, xlim: tuple[float, float], ylim: tuple[float, float], note: str, note_size: float
) -> None:
    """Limits, axis labels and the corner note of a decision-curve panel."""
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_xlabel(rtl(word("threshold", language)), fontsize=9)
    ax.set_ylabel(rtl(word("net_benefit", language)), fontsize=9)
    ax.text(0.97, 0.97, rtl(note), transform=ax.transAxes, ha="right", va="top", fontsize=note_size, color="0.3")
    style_axes(ax)
