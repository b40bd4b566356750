"""Figures of the report's section on real patients (NHANES): the decision curve and real against simulated adults."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from b12risk.modelling.scorers import SCORERS, VALIDATION_SCORERS
from b12risk.reporting.figures.layout import (
    figure_legend,
    grid,
    net_benefit_axes,
    panels,
    scorer_name,
    scorer_style,
    style_axes,
    word,
)
from b12risk.serving.plots.arabic import finish, rtl
from b12risk.words import has, t

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["WITHOUT_PROBABILITIES", "decision_strategies", "nhanes_decision", "nhanes_marginals"]

#: Scorers that rank adults but give no probability (``probability = false`` in the scorer
#: table: serum B12 alone): no threshold probability, hence no net benefit; never drawn on
#: a decision curve or counted in the report's statement about it.
WITHOUT_PROBABILITIES: frozenset[str] = frozenset(s.name for s in SCORERS.values() if not s.probability)


def decision_strategies(present: Iterable[str]) -> list[str]:
    """The scorers an NHANES decision curve draws, in the scorer table's order.

    Those of the external validation (:data:`~b12risk.modelling.scorers.VALIDATION_SCORERS`)
    that give probabilities (not in :data:`WITHOUT_PROBABILITIES`) and are among the
    strategies ``present`` in the decision table; "test all" and "test none" are drawn
    apart.
    """
    present = set(present)
    return [s for s in VALIDATION_SCORERS if s not in WITHOUT_PROBABILITIES and s in present]


#: Marker and colour of each series of the real-vs-simulated figure.
_MARGINAL_STYLE = {"2001-2004": ("o", "#1f4e9c"), "2011-2012": ("s", "#1b9e77"), "simulated": ("D", "#d95f02")}


def nhanes_decision(
    decision: pd.DataFrame,
    *,
    group: str,
    outcome: str,
    level: str,
    outcome_name: str,
    n: int,
    prevalence: float,
    language: str,
) -> Figure:
    """Survey-weighted net benefit against threshold on NHANES, for one group x outcome x level.

    Parameters
    ----------
    decision : pandas.DataFrame
        ``ExternalValidation.decision`` (group, outcome, level, strategy, threshold, net_benefit).
    group, outcome, level : str
        The cell drawn.
    outcome_name : str
        The outcome as the title names it, in ``language``.
    n : int
        Adults in the cell.
    prevalence : float
        Its weighted prevalence (sets the vertical range).
    language : {"en", "ar"}

    Returns
    -------
    matplotlib.figure.Figure
        Every strategy with probabilities, "test all" and "test none".
    """
    from matplotlib.lines import Line2D  # matplotlib only when a figure is drawn

    cell = decision[(decision["group"] == group) & (decision["outcome"] == outcome) & (decision["level"] == level)]
    fig, axes = grid(1, 1, 7.8, 5.4)
    ax = axes[0, 0]
    handles = []
    for strategy in decision_strategies(cell["strategy"]):
        rows = cell[cell["strategy"] == strategy].sort_values("threshold")
        color, ls = scorer_style(strategy)
        lw = 1.9 if strategy == "model" else 1.4
        ax.plot(rows["threshold"], rows["net_benefit"], color=color, ls=ls, lw=lw)
        handles.append(Line2D([], [], color=color, ls=ls, lw=lw, label=rtl(scorer_name(strategy, language))))
    rows = cell[cell["strategy"] == "test all"].sort_values("threshold")
    if len(rows):
        ax.plot(rows["threshold"], rows["net_benefit"], color="#999999", lw=1.0)
        handles.append(Line2D([], [], color="#999999", lw=1.0, label=rtl(word("test_all", language))))
    ax.axhline(0.0, color="#000000", lw=1.0, ls=":")
    handles.append(Line2D([], [], color="#000000", lw=1.0, ls=":", label=rtl(word("test_none", language))))
    top = max(float(prevalence) if np.isfinite(prevalence) else 0.0, 0.01)
    hi = float(cell["threshold"].max()) if len(cell) else 0.3
    note = word("nh_dca_note", language).format(group=group, n=int(n), prev=f"{prevalence:.1%}")
    net_benefit_axes(ax, language, xlim=(0, hi), ylim=(-0.3 * top, top * 1.15), note=note, note_size=8)
    figure_legend(fig, handles, language, ncols=3)
    title = word("nh_dca_title", language).format(outcome=outcome_name, level=t(f"level.{level}", language))
    fig.suptitle(rtl(title), fontsize=12, fontweight="bold")
    finish(fig, language)
    return fig


def _dot_panel(ax: Axes, rows: list[tuple[str, dict[str, float]]], series: list[str], labels: dict[str, str]) -> None:
    """One horizontal dot chart: a row per stratum (top to bottom), a marker per series."""
    y = np.arange(len(rows))[::-1]
    for yy, (_, values) in zip(y, rows, strict=True):
        finite = [v for v in values.values() if np.isfinite(v)]
        if len(finite) > 1:
            ax.plot([min(finite), max(finite)], [yy, yy], color="0.8", lw=1.0, zorder=1)
    for name in series:
        marker, color = _MARGINAL_STYLE[name if name in _MARGINAL_STYLE else "simulated"]
        xs = [values.get(name, np.nan) for _, values in rows]
        ax.scatter(xs, y, marker=marker, s=34, color=color, zorder=3, label=labels[name], edgecolors="white", lw=0.5)
    ax.set_yticks(y, [rtl(stratum) for stratum, _ in rows])
    ax.set_ylim(-0.6, len(rows) - 0.4)
    style_axes(ax)


def nhanes_marginals(marginals: pd.DataFrame, language: str) -> Figure:
    """Real (NHANES, weighted) against simulated adults: share below 148 pmol/L by stratum,
    serum B12 percentiles, and median MMA by age band; one marker per cycle group.

    Parameters
    ----------
    marginals : pandas.DataFrame
        ``ExternalValidation.marginals`` (group, metric, stratum, real, simulated, ratio).
    language : {"en", "ar"}

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.ticker import PercentFormatter  # matplotlib only when a figure is drawn

    groups = list(dict.fromkeys(marginals["group"]))
    series = [*groups, "simulated"]
    labels = {g: rtl(word("nh_real", language).format(group=g)) for g in groups} | {
        "simulated": rtl(word("nh_sim", language))
    }

    def rows_of(metric_of: dict[str, str], stratum_label) -> list[tuple[str, dict[str, float]]]:
        out = []
        for key, (metric, stratum) in metric_of.items():
            sel = marginals[(marginals["metric"] == metric) & (marginals["stratum"] == stratum)]
            if not len(sel):
                continue
            values = {r["group"]: float(r["real"]) for r in sel.to_dict("records")}
            values["simulated"] = float(sel["simulated"].iloc[0])
            out.append((stratum_label(key), values))
        return out

    def stratum_name(key: str) -> str:
        return t(f"nh.stratum.{key}", language) if has(f"nh.stratum.{key}") else key

    low = rows_of(
        {k: ("share serum B12 < 148", k) for k in ("20+", "20-39", "40-59", "60+", "metformin users", "no metformin")},
        stratum_name,
    )
    pct = rows_of({f"p{q}": (f"serum B12 p{q} (pmol/L)", "20+") for q in (5, 25, 50, 75, 95)}, str)
    mma = rows_of({k: ("MMA median (umol/L)", k) for k in ("20-39", "40-59", "60-69", "70+")}, stratum_name)
    fig, axes = grid(1, 3, 13.0, 4.8)
    ordered = panels(axes, language)
    for ax, rows, title, xlabel in (
        (ordered[0], low, word("nh_low_title", language), word("nh_share", language)),
        (ordered[1], pct, word("nh_pct_title", language), word("nh_pmol", language)),
        (ordered[2], mma, word("nh_mma_title", language), word("nh_umol", language)),
    ):
        if rows:
            _dot_panel(ax, rows, series, labels)
        ax.set_title(rtl(title), fontsize=10.5, fontweight="bold")
        ax.set_xlabel(rtl(xlabel), fontsize=9)
    ordered[0].xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ordered[0].set_xlim(left=0)
    handles = next((h for h in (ax.get_legend_handles_labels()[0] for ax in ordered) if h), [])
    if handles:
        figure_legend(fig, handles, language, ncols=len(handles))
    fig.suptitle(rtl(word("nh_marg_title", language)), fontsize=13, fontweight="bold")
    finish(fig, language)
    return fig
