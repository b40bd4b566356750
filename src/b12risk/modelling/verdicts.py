"""What the model's measurement on real patients (NHANES) says, in verdicts the report and the card share.

The report's top banner, its NHANES findings and the model card's measured limitations
all judge the same numbers: whether the model ranks better or worse than another
scorer (:func:`compare_auroc`), whether its probabilities are too high or too low
(:func:`calibration_verdict`), and how far the simulator is from real adults
(:func:`ratio_verdict`). :func:`nhanes_headline` picks the figures they speak of.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from b12risk.nhanes.validation import ExternalValidation

__all__ = [
    "GROUPS_SHOWN",
    "HEADLINE",
    "OE_OK",
    "RATIO_OK",
    "NhanesHeadline",
    "auroc_text",
    "calibration_verdict",
    "compare_auroc",
    "is_paired",
    "nhanes_headline",
    "nhanes_row",
    "paired_values",
    "ratio_verdict",
]

#: The outcome and information level the card's measured limitations speak of: raised
#: MMA (a functional marker) ranked by a scorer that knows serum B12.
HEADLINE: tuple[str, str] = ("raised_mma", "serum_b12")
#: Cycle groups the report and the card show, in order of preference: the pooled
#: 2001-2004 cycles (one assay), then 2011-2012 (another assay, never pooled with them).
GROUPS_SHOWN: tuple[str, ...] = ("2001-2004", "2011-2012")
#: O/E (observed / mean predicted) counted as close to calibrated.
OE_OK: tuple[float, float] = (0.8, 1.25)
#: A simulated share counted as close to the real one (ratio simulated / real).
RATIO_OK: tuple[float, float] = (2 / 3, 1.5)


def nhanes_row(performance: pd.DataFrame, group: str, outcome: str, level: str, scorer: str) -> dict[str, Any] | None:
    """One row of ``ExternalValidation.performance`` as a dict, or None if it is not there."""
    if performance.empty:
        return None
    sel = performance[
        (performance["group"] == group)
        & (performance["outcome"] == outcome)
        & (performance["level"] == level)
        & (performance["scorer"] == scorer)
    ]
    return sel.iloc[0].to_dict() if len(sel) else None


def is_paired(row: dict[str, Any] | None) -> bool:
    """Whether ``row`` carries DeLong's paired interval of the model's AUROC minus its own."""
    if not row:
        return False
    values = [row.get(k, math.nan) for k in ("model_minus", "model_minus_lo", "model_minus_hi")]
    return all(isinstance(v, int | float) and math.isfinite(float(v)) for v in values)


def paired_values(row: dict[str, Any]) -> dict[str, str]:
    """``d``, ``lo``, ``hi``: the paired difference and its interval, signed, three decimals."""
    return {
        k: f"{float(row[c]):+.3f}"
        for k, c in (("d", "model_minus"), ("lo", "model_minus_lo"), ("hi", "model_minus_hi"))
    }


def compare_auroc(a: dict[str, Any], b: dict[str, Any]) -> str:
    """Whether the model (row ``a``) ranks better or worse than scorer ``b``.

    Judged by DeLong's paired 95% interval of the difference when ``b`` carries it
    (``model_minus_lo``, ``model_minus_hi``: the same adults, so the two AUROCs are
    correlated); otherwise, conservatively, by whether the two 95% intervals overlap.

    Parameters
    ----------
    a, b : dict
        Rows with ``auroc_lo`` and ``auroc_hi`` (as :func:`nhanes_row` returns them).

    Returns
    -------
    str
        ``"better"`` when ``a``'s interval lies wholly above ``b``'s, ``"worse"`` when
        wholly below, ``"overlap"`` otherwise (also when a bound is missing).

    Examples
    --------
    >>> compare_auroc({"auroc_lo": 0.68, "auroc_hi": 0.73}, {"auroc_lo": 0.74, "auroc_hi": 0.78})
    'worse'
    >>> compare_auroc({"auroc_lo": 0.70, "auroc_hi": 0.75}, {"auroc_lo": 0.74, "auroc_hi": 0.78})
    'overlap'
    """
    if is_paired(b):
        lo, hi = float(b["model_minus_lo"]), float(b["model_minus_hi"])
        return "better" if lo > 0 else "worse" if hi < 0 else "overlap"
    a_lo, a_hi, b_lo, b_hi = (float(x) for x in (a["auroc_lo"], a["auroc_hi"], b["auroc_lo"], b["auroc_hi"]))
    if not all(math.isfinite(x) for x in (a_lo, a_hi, b_lo, b_hi)):
        return "overlap"
    if a_lo > b_hi:
        return "better"
    if a_hi < b_lo:
        return "worse"
    return "overlap"


def calibration_verdict(oe: float) -> str | None:
    """``"under"`` (predictions too low: O/E above 1.25), ``"over"`` (below 0.8), ``"ok"``; None if missing.

    Examples
    --------
    >>> calibration_verdict(3.3), calibration_verdict(1.1), calibration_verdict(0.4)
    ('under', 'ok', 'over')
    """
    oe = float(oe)
    if not math.isfinite(oe):
        return None
    return "under" if oe > OE_OK[1] else "over" if oe < OE_OK[0] else "ok"


def ratio_verdict(ratio: float) -> str:
    """``"more"`` (the simulator has over 1.5 times the real share), ``"fewer"`` (under 2/3), ``"close"``."""
    return "more" if ratio > RATIO_OK[1] else "fewer" if ratio < RATIO_OK[0] else "close"


@dataclass(frozen=True)
class NhanesHeadline:
    """The measured figures the card and the report's banner state, for one cycle group.

    ``model``, ``serum`` and ``real_cv`` are rows of the performance table for
    :data:`HEADLINE` (``serum`` and ``real_cv`` may be None); ``rank`` compares ``model``
    with ``serum`` (:func:`compare_auroc`); ``calibration`` is :func:`calibration_verdict`
    of the model's O/E. ``low_real`` / ``low_simulated`` are the shares of adults with
    serum B12 below 148 pmol/L, ``median_real`` / ``median_simulated`` the median serum
    B12 (pmol/L), NaN where the marginals table lacks them.
    """

    group: str
    model: dict[str, Any]
    serum: dict[str, Any] | None
    real_cv: dict[str, Any] | None
    rank: str | None
    calibration: str | None
    low_real: float
    low_simulated: float
    median_real: float
    median_simulated: float


def _marginal(marginals: pd.DataFrame, group: str, metric: str, stratum: str) -> tuple[float, float]:
    """(real, simulated) of one row of the marginals table; NaNs if absent."""
    if marginals.empty:
        return math.nan, math.nan
    sel = marginals[(marginals["group"] == group) & (marginals["metric"] == metric) & (marginals["stratum"] == stratum)]
    if not len(sel):
        return math.nan, math.nan
    return float(sel["real"].iloc[0]), float(sel["simulated"].iloc[0])


def nhanes_headline(validation: ExternalValidation, group: str | None = None) -> NhanesHeadline | None:
    """The headline figures of ``validation`` for ``group``.

    Parameters
    ----------
    validation : ExternalValidation
        What :func:`b12risk.nhanes.validation.validate` measured.
    group : str, optional
        A cycle group; by default the first of :data:`GROUPS_SHOWN` (then of any group)
        where the model was scored for :data:`HEADLINE`.

    Returns
    -------
    NhanesHeadline or None
        None when the model has no row for :data:`HEADLINE` in that group.
    """
    perf = validation.performance
    outcome, level = HEADLINE
    if group is None:
        present = list(dict.fromkeys(perf["group"])) if not perf.empty else []
        candidates = [g for g in GROUPS_SHOWN if g in present] + [g for g in present if g not in GROUPS_SHOWN]
        group = next((g for g in candidates if nhanes_row(perf, g, outcome, level, "model")), None)
        if group is None:
            return None
    model = nhanes_row(perf, group, outcome, level, "model")
    if model is None:
        return None
    serum = nhanes_row(perf, group, outcome, level, "serum_b12")
    low = _marginal(validation.marginals, group, "share serum B12 < 148", "20+")
    median = _marginal(validation.marginals, group, "serum B12 p50 (pmol/L)", "20+")
    return NhanesHeadline(
        group=group,
        model=model,
        serum=serum,
        real_cv=nhanes_row(perf, group, outcome, level, "real_cv"),
        rank=compare_auroc(model, serum) if serum else None,
        calibration=calibration_verdict(model.get("oe", math.nan)),
        low_real=low[0],
        low_simulated=low[1],
        median_real=median[0],
        median_simulated=median[1],
    )


def auroc_text(row: dict[str, Any] | None) -> str:
    """``0.707 (0.680–0.732)``; ``–`` without a row."""
    if not row or not math.isfinite(float(row["auroc"])):
        return "–"
    return f"{row['auroc']:.3f} ({row['auroc_lo']:.3f}–{row['auroc_hi']:.3f})"
