"""ROC, precision-recall, calibration and decision curves of the model and the scorers it is compared with.

Drawn from a model folder's ``curves.parquet`` (a seeded sample of each evaluation
cohort: the outcome and every scorer's output per patient) and its ``evaluation``
table. Every scorer of the evaluation on simulated cohorts
(:data:`b12risk.modelling.scorers.TRAINING_SCORERS`) that has an output is drawn, in
the table's order, with its colour, line style and name.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score, precision_recall_curve, roc_auc_score, roc_curve

from b12risk.errors import ConfigError
from b12risk.knowledge import LEVELS
from b12risk.modelling.metrics import decision_curve, smoothed_calibration_curve
from b12risk.modelling.scorers import TRAINING_SCORERS
from b12risk.reporting.figures.layout import (
    figure_legend,
    grid,
    level_title,
    net_benefit_axes,
    panels,
    scorer_name,
    scorer_style,
    style_axes,
    word,
)
from b12risk.serving.plots.arabic import finish, rtl

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["DECISION_THRESHOLDS", "calibration", "decision", "discrimination"]

#: Threshold probabilities of the decision curves.
DECISION_THRESHOLDS = np.round(np.linspace(0.01, 0.60, 60), 4)
#: Colours of scenarios ("Dark2", colour-blind-safe for its first five).
_SCENARIO_COLORS = ("#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#666666")


def _scorer_columns(frame: pd.DataFrame, for_ranking: bool) -> dict[str, str]:
    """Scorer -> column holding its output in this frame (non-empty only), in drawing order."""
    out = {}
    for scorer in TRAINING_SCORERS:
        column = f"{scorer}_score" if for_ranking and f"{scorer}_score" in frame else f"{scorer}_p"
        if column in frame and frame[column].notna().any():
            out[scorer] = column
    return out


def _roc(y: np.ndarray, s: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    fpr, tpr, _ = roc_curve(y, s)
    return fpr, tpr, float(roc_auc_score(y, s))


def _pr(y: np.ndarray, s: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    precision, recall, _ = precision_recall_curve(y, s)
    return recall, precision, float(average_precision_score(y, s))


# --------------------------------------------------------------------------- discrimination


def discrimination(curves: pd.DataFrame, kind: str, language: str) -> Figure:
    """ROC (``kind="roc"``) or precision-recall (``"pr"``) curves: one panel per level.

    Every scorer is drawn on the rows of the level where it has an output, pooled over
    scenarios; the legend gives the area under each curve for those pooled rows.
    """
    from matplotlib.lines import Line2D  # matplotlib only when a figure is drawn

    fig, axes = grid(2, 2, 10.0, 9.0)
    seen: dict[str, Line2D] = {}
    for ax, level in zip(panels(axes, language), LEVELS, strict=True):
        sub = curves[curves["level"] == level]
        entries = []
        for scorer, column in _scorer_columns(sub, for_ranking=True).items():
            rows = sub[sub[column].notna()]
            y, s = rows["y"].to_numpy().astype(int), rows[column].to_numpy(dtype=float)
            if y.min() == y.max():
                continue
            x, yy, area = _roc(y, s) if kind == "roc" else _pr(y, s)
            color, ls = scorer_style(scorer)
            ax.plot(x, yy, color=color, ls=ls, lw=1.6 if scorer == "model" else 1.2, drawstyle="default")
            seen.setdefault(
                scorer, Line2D([], [], color=color, ls=ls, lw=1.6, label=rtl(scorer_name(scorer, language)))
            )
            entries.append((scorer, area))
        prevalence = float(sub["y"].mean()) if len(sub) else float("nan")
        if kind == "roc":
            ax.plot([0, 1], [0, 1], color="0.6", lw=0.8, ls=":")
            ax.set_xlabel(rtl(word("fpr", language)), fontsize=9)
            ax.set_ylabel(rtl(word("tpr", language)), fontsize=9)
        else:
            ax.axhline(prevalence, color="0.6", lw=0.8, ls=":")
            ax.set_xlabel(rtl(word("recall", language)), fontsize=9)
            ax.set_ylabel(rtl(word("precision", language)), fontsize=9)
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1.01)
        style_axes(ax)
        ax.set_title(rtl(level_title(level, language)), fontsize=11, fontweight="bold")
        areas = "\n".join(
            rtl(word("auc", language).format(name=scorer_name(s, language), value=f"{a:.3f}")) for s, a in entries
        )
        rows_note = rtl(word("rows", language).format(n=len(sub), k=sub["scenario"].nunique()))
        where = (0.97, 0.03, "right", "bottom") if kind == "roc" else (0.03, 0.03, "left", "bottom")
        if language == "ar":
            where = (0.97, 0.03, "right", "bottom")
        ax.text(
            where[0],
            where[1],
            f"{areas}\n{rows_note}",
            transform=ax.transAxes,
            ha=where[2],
            va=where[3],
            fontsize=7.5,
            color="0.2",
            bbox={"boxstyle": "round,pad=0.3", "fc": "white", "ec": "0.8", "alpha": 0.9},
        )
    chance = word("chance" if kind == "roc" else "no_skill", language)
    handles = [*seen.values(), Line2D([], [], color="0.6", lw=0.8, ls=":", label=rtl(chance))]
    figure_legend(fig, handles, language, ncols=min(len(handles), 3))
    fig.suptitle(rtl(word("roc_title" if kind == "roc" else "pr_title", language)), fontsize=13, fontweight="bold")
    finish(fig, language)
    return fig


# --------------------------------------------------------------------------- calibration


def _nice_ceiling(x: float) -> float:
    for step in (0.05, 0.1, 0.2, 0.25, 0.5, 1.0):
        if x <= step * 4 or step == 1.0:
            return float(min(1.0, np.ceil(x / step) * step))
    return 1.0


def _fmt(x: float, signed: bool = False) -> str:
    if not np.isfinite(x):
        return "–"
    return (f"{x:+.2f}" if signed else f"{x:.2f}").replace("-", "−")


def calibration(curves: pd.DataFrame, table: pd.DataFrame, level: str, language: str) -> Figure:
    """Smoothed calibration curve of the model per scenario at one level, with the diagonal.

    The legend prints each scenario's calibration slope and intercept (with their
    bootstrap intervals) from the evaluation table; the strip below shows how the
    predictions are distributed.
    """
    sub = curves[curves["level"] == level]
    fig, axes = grid(2, 1, 7.6, 8.4, height_ratios=[5, 1], sharex=True)
    ax, hist = axes[0, 0], axes[1, 0]
    p_all = sub["model_p"].to_numpy(dtype=float)
    top = _nice_ceiling(float(np.quantile(p_all, 0.99)) * 1.05) if len(p_all) else 1.0
    ax.plot([0, 1], [0, 1], color="0.45", lw=1.0, ls="--", label=rtl(word("ideal", language)))
    highest = 0.0
    for k, (scenario, rows) in enumerate(sub.groupby("scenario", sort=True)):
        y, p = rows["y"].to_numpy().astype(int), rows["model_p"].to_numpy(dtype=float)
        color = _SCENARIO_COLORS[k % len(_SCENARIO_COLORS)]
        ls = "-" if k < len(_SCENARIO_COLORS) else "-."

        def stat(metric: str, scenario: str = scenario) -> tuple[float, float, float]:
            sel = table[
                (table.scenario == scenario)
                & (table.level == level)
                & (table.scorer == "model")
                & (table.metric == metric)
            ]
            return tuple(sel[["estimate", "lo", "hi"]].iloc[0]) if len(sel) else (np.nan,) * 3

        slope, intercept = stat("cal_slope"), stat("cal_intercept")
        label = word("calib_entry", language).format(
            scenario=scenario,
            slope=f"{_fmt(slope[0])} ({_fmt(slope[1])} – {_fmt(slope[2])})",
            intercept=f"{_fmt(intercept[0], True)} ({_fmt(intercept[1], True)} – {_fmt(intercept[2], True)})",
        )
        try:
            points, observed = smoothed_calibration_curve(y, p)
        except ConfigError:
            continue
        ax.plot(points, observed, color=color, ls=ls, lw=1.6, label=rtl(label))
        if np.isfinite(observed).any():
            highest = max(highest, float(np.nanmax(observed)))
    limit = min(1.0, max(top, _nice_ceiling(highest * 1.02)))
    ax.set_xlim(0, limit)
    ax.set_ylim(0, limit)
    ax.set_ylabel(rtl(word("observed", language)), fontsize=9)
    ax.set_title(
        rtl(word("calib_title", language).format(level=level_title(level, language))), fontsize=12, fontweight="bold"
    )
    style_axes(ax)
    bins = np.linspace(0, limit, 41)
    hist.hist(np.clip(p_all, 0, limit), bins=bins, color="#1f4e9c", alpha=0.7)
    hist.set_yscale("log")
    hist.set_ylabel(rtl(word("count", language)), fontsize=8)
    hist.set_xlabel(rtl(word("predicted", language)), fontsize=9)
    style_axes(hist)
    handles, _ = ax.get_legend_handles_labels()
    legend = fig.legend(
        handles=handles,
        title=rtl(word("calib_legend", language)) or None,
        loc="outside lower center",
        ncols=1,
        frameon=False,
        fontsize=8,
        title_fontsize=8,
        markerfirst=language != "ar",
    )
    if language == "ar":
        legend.set_alignment("right")
    finish(fig, language)
    return fig


# --------------------------------------------------------------------------- decision curves


def decision(curves: pd.DataFrame, threshold: float | None, language: str) -> Figure:
    """Net benefit over threshold probabilities 0.01-0.60, one panel per level.

    Pooled over scenarios. A baseline is drawn only where it scored every pooled row
    of the level, so all strategies of a panel are compared on the same patients.
    """
    from matplotlib.lines import Line2D  # matplotlib only when a figure is drawn

    fig, axes = grid(2, 2, 10.0, 8.6)
    seen: dict[str, Line2D] = {}
    extra = {
        "test all": ("#999999", "-", 1.0, word("test_all", language)),
        "test none": ("#000000", ":", 1.0, word("test_none", language)),
    }
    for ax, level in zip(panels(axes, language), LEVELS, strict=True):
        sub = curves[curves["level"] == level]
        cols = {s: c for s, c in _scorer_columns(sub, for_ranking=False).items() if sub[c].notna().all()}
        y = sub["y"].to_numpy().astype(int)
        dc = decision_curve(y, {s: sub[c].to_numpy(dtype=float) for s, c in cols.items()}, DECISION_THRESHOLDS)
        prevalence = float(y.mean()) if len(y) else 0.0
        for strategy, rows in dc.groupby("strategy", sort=False):
            if strategy in extra:
                color, ls, lw, label = extra[strategy]
            else:
                color, ls = scorer_style(strategy)
                lw, label = (1.8 if strategy == "model" else 1.3), scorer_name(strategy, language)
            ax.plot(rows["threshold"], rows["net_benefit"], color=color, ls=ls, lw=lw)
            seen.setdefault(strategy, Line2D([], [], color=color, ls=ls, lw=lw, label=rtl(label)))
        if threshold is not None:
            ax.axvline(threshold, color="0.7", lw=0.8, ls="-.")
        top = max(prevalence, 0.01)
        note = word("rows", language).format(n=len(sub), k=sub["scenario"].nunique())
        net_benefit_axes(ax, language, xlim=(0, 0.6), ylim=(-0.25 * top, top * 1.12), note=note, note_size=7.5)
        ax.set_title(rtl(level_title(level, language)), fontsize=11, fontweight="bold")
    order = [s for s in TRAINING_SCORERS if s in seen] + [s for s in extra if s in seen]
    handles = [seen[s] for s in order]
    if threshold is not None:
        handles.append(
            Line2D([], [], color="0.7", lw=0.8, ls="-.", label=rtl(word("cut", language).format(t=threshold)))
        )
    figure_legend(fig, handles, language, ncols=3)
    fig.suptitle(rtl(word("dca_title", language)), fontsize=13, fontweight="bold")
    finish(fig, language)
    return fig
