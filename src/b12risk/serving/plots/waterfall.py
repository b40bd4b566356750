"""The waterfall: how one patient's fields move the prediction from the model's average.

All SHAP values are contributions on the log-odds scale; a waterfall adds them to the
model's average log-odds to reach the patient's log-odds, and its top axis shows the
matching probabilities.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

import numpy as np

from b12risk.logodds import expit, logit
from b12risk.serving.plots.arabic import LRI, PDI, finish, mirror, rtl
from b12risk.serving.plots.common import (
    LOWERS_COLOR,
    NEUTRAL_COLOR,
    RAISES_COLOR,
    add_footer,
    check_max,
    new_figure,
    plot_text,
    set_xlim,
)
from b12risk.serving.plots.values import MINUS, ContributionLike, format_signed, row_label
from b12risk.words import check_language, t

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["waterfall"]


class PredictionLike(Protocol):
    """What a waterfall needs of a prediction (:class:`b12risk.serving.predict.Prediction`)."""

    probability: float
    risk_band_label: str
    base_log_odds: float
    log_odds: float
    model_version: str
    contributions: Sequence[ContributionLike]


def _waterfall_rows(contributions: Sequence[ContributionLike], max_display: int, language: str):
    """(label, log-odds) per bar: largest |log-odds| first, the rest folded into one."""
    ordered = sorted(contributions, key=lambda c: abs(float(c.log_odds)), reverse=True)
    if len(ordered) > max_display:
        shown, folded = ordered[: max_display - 1], ordered[max_display - 1 :]
    else:
        shown, folded = ordered, []
    rows = [(row_label(c, language), float(c.log_odds)) for c in shown]
    if folded:
        label = (
            plot_text("other_one", language)
            if len(folded) == 1
            else plot_text("other_many", language).format(n=len(folded))
        )
        rows.append((label, float(sum(float(c.log_odds) for c in folded))))
    return rows


def waterfall(prediction: PredictionLike, *, language: str = "en", max_display: int = 10) -> Figure:
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
    max_display = check_max("max_display", max_display, 2)
    from matplotlib.patches import Patch  # matplotlib only when a figure is drawn

    base, final = float(prediction.base_log_odds), float(prediction.log_odds)
    rows = _waterfall_rows(prediction.contributions, max_display, language)
    n = len(rows)
    widths = np.array([w for _, w in rows], dtype=float)
    starts = base + np.concatenate([[0.0], np.cumsum(widths)])[:n]
    ends = starts + widths
    ys = np.arange(1, n + 1)
    colors = [RAISES_COLOR if w > 0 else LOWERS_COLOR if w < 0 else NEUTRAL_COLOR for w in widths]

    fig, ax = new_figure(10.0, 2.6 + 0.42 * (n + 2))
    if language == "ar":
        mirror(ax)
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
                format_signed(w),
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
                f"{x:.2f}".replace("-", MINUS),
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
        plot_text("base", language).format(p=float(expit(base))),
        *(label for label, _ in rows),
        plot_text("final", language).format(p=float(prediction.probability)),
    ]
    ax.set_yticks(np.arange(n + 2), [rtl(s) for s in labels], fontsize=10)
    ax.set_ylim(n + 1.6, -0.6)
    ax.tick_params(axis="y", length=0)
    for spine in ("left", "right", "top"):
        ax.spines[spine].set_visible(False)
    ax.grid(axis="x", color="0.92", zorder=0)
    ax.set_axisbelow(True)
    ax.set_xlabel(rtl(plot_text("log_odds", language)), fontsize=10)

    band = str(prediction.risk_band_label)
    if t("risk", language) not in band:  # "moderate" -> "moderate risk"
        band = f"{band} {t('risk', language)}"
    title = plot_text("title", language).format(p=float(prediction.probability), band=band)
    fig.suptitle(rtl(title), fontsize=13, fontweight="bold")
    handles = [
        Patch(color=RAISES_COLOR, label=rtl(plot_text("raises", language))),
        Patch(color=LOWERS_COLOR, label=rtl(plot_text("lowers", language))),
    ]
    if language == "ar":
        handles.reverse()
    # The footer starts on the reading side; the colour key goes to the other end.
    where = "outside lower left" if language == "ar" else "outside lower right"
    fig.legend(handles=handles, loc=where, ncols=2, frameon=False, fontsize=9, markerfirst=language != "ar")
    version = str(prediction.model_version)
    if language == "ar":  # keep "0.4.0+build" in its own order inside Arabic text
        version = f"{LRI}{version}{PDI}"
    footer = f"{plot_text('model', language).format(version=version)} · {t('disclaimer', language)}"
    add_footer(fig, footer, language)
    finish(fig, language)

    points = np.concatenate([[base, final], starts, ends])
    lo, hi = float(points.min()), float(points.max())
    pad = max(0.05 * (hi - lo), 0.1)
    lo, hi = _fit_texts_in_x(fig, ax, texts, lo - pad, hi + pad)
    set_xlim(ax, lo, hi)

    top = ax.secondary_xaxis("top", functions=(expit, _logit))
    top.set_xticks(_probability_ticks(lo, hi))
    top.xaxis.set_major_formatter(lambda p, _pos: f"{p:g}")
    top.set_xlabel(rtl(plot_text("probability", language)), fontsize=10)
    top.tick_params(labelsize=9)
    finish(fig, language)
    return fig


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
        set_xlim(ax, lo, hi)
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        inverse = ax.transData.inverted()
        xs = []
        for artist in texts:
            box = artist.get_window_extent(renderer)
            xs.extend(inverse.transform([(box.x0, 0), (box.x1, 0)])[:, 0])
        need_lo, need_hi = min(lo, *xs), max(hi, *xs)
        if need_lo >= lo and need_hi <= hi:
            break
        pad = 0.02 * (need_hi - need_lo)
        lo, hi = min(lo, need_lo - pad), max(hi, need_hi + pad)
    return lo, hi
