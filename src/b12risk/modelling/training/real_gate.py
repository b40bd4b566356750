"""The release gate on real patients: criteria judged on a candidate's NHANES validation.

The synthetic gate (:mod:`b12risk.modelling.training.gate`) shows that a model learned
the simulated world. These checks ask whether that world carries over to real US adults,
as measured by :func:`b12risk.nhanes.validation.validate` (its ``performance`` table: one
row per cycle group x outcome x level x scorer, all scorers on the same adults, with the
fields an outcome is built from hidden from every scorer). In each cycle group of
``gate.real_groups`` (the 1999-2006 and the 2011-2014 assays are never pooled), and for
(a) also with the groups' differences combined:

(a) **Given serum B12, the model beats serum B12 alone and the guideline rule** at
    ranking raised MMA (``raised_mma``: MMA > 0.271 umol/L among adults with eGFR >= 60;
    level ``serum_b12``, MMA hidden). The comparison is the survey-weighted paired AUROC
    difference (model minus the other scorer, on the same adults) with its design-based
    standard error (delete-one-PSU jackknife within strata,
    :func:`b12risk.nhanes.stats.weighted_auroc_difference`). The groups' differences are
    combined by inverse-variance weighting (a fixed-effect meta-analysis, so that the two
    assay eras are never pooled into one ranking), with Satterthwaite's degrees of freedom.
    The model **beats** the other scorer when the combined difference's two-sided 95%
    interval lies above 0, and **no group contradicts it**: in each group the 95%
    interval reaches 0 or above. Each group's point estimate is reported in its line.

    Why a test and not each group's point estimate: serum B12 alone is what a clinician
    already has, so the model must be *shown* to add to it. A point estimate above 0 in
    each group would let a model that only ties serum B12 through about a quarter of the
    time (a half per group), and fail a model whose true gain is +0.007 about as often
    (4,473 adults in 2011-2012 give an SE near 0.01). The interval rule lets a tie through
    2.5% of the time. The rule was changed to this after the point-estimate rule had
    failed candidates of 2.0.0 in 2011-2012 (CHANGELOG, issue 14): the line of each group
    still shows whether its point estimate is above 0.

(b) **From risk factors alone, the model ranks low B12 with raised MMA at least as well
    as a model fitted on the real data** (``low_b12_raised_mma``, level ``risk_factors``,
    scorer ``real_cv``: gradient boosting on the same fields, scored out of fold). "At
    least as well" means not lower by more than ``gate.real_auroc_margin_se`` (1.96)
    paired standard errors: the real-data model is itself an estimate from about a
    hundred events per group, so a strict comparison would fail a model for the noise of
    its comparator about half the time when the two rank equally well. This check uses
    the *unweighted* AUROC, because the only paired standard error the validation gives
    belongs to it: DeLong's interval of the difference on the same adults
    (``model_minus_lo``, ``model_minus_hi``; SE = width / (2 x 1.96)). A survey-weighted
    difference would need a design-based standard error (strata and PSUs), which the
    validation does not compute; the DeLong SE would understate it. The real-data model is
    fitted unweighted too. Both weighted AUROCs are shown in the detail. Without a
    finite paired interval the margin is 0.

(c) **Calibration-in-the-large within a factor ``gate.real_calibration_factor`` (1.5)**:
    survey-weighted share of the outcome / the model's survey-weighted mean predicted
    probability (``oe``) lies in [1 / 1.5, 1.5], boundaries included, at level
    ``risk_factors``. The model predicts *true* deficiency (a latent level below 148
    pmol/L: too little B12 in the tissues), which no survey observes. Of the reference
    outcomes, ``raised_mma`` (MMA > 0.271 umol/L with eGFR >= 60) is the closest to it:
    MMA is the functional marker, raised when the tissues lack B12 whatever the serum
    reading (Savage et al. 1994: raised in 98.4% of confirmed deficiency), and leaving out
    eGFR < 60 removes its main other cause. Serum B12 reads falsely normal in up to half of
    the deficient (Solomon 2005), so ``low_b12`` and ``low_b12_raised_mma`` count only the
    deficient whose serum also reads low: lower bounds of the truth, not estimates of it
    (in the simulated world a third or fewer of the truly deficient read below 148).
    ``cb12_low`` leans on the simulator for its holoTC term. The same comparison at level
    ``serum_b12`` (the model shown serum B12, MMA hidden, as in clinic) is reported beside
    it but not gated: a calibrated model's mean prediction is the prevalence of true
    deficiency at every level (the law of total expectation), so it says whether knowing
    the B12 result moves the mean. It comes from the measurement's notes
    (:data:`NOTES_KEY`, written by :func:`b12risk.nhanes.release.measure`); a plain
    :func:`~b12risk.nhanes.validation.validate` result has no such note and the line is
    left out.

A check whose rows are missing from the validation (a group not measured, a baseline
that did not apply, no validation at all) fails with ``by`` None: a release needs the
measurement. The failures have the shape of :func:`~b12risk.modelling.training.gate.release_gate`'s
(``scenario`` is ``"NHANES <group>"``), so the gate report, the model card and the
reviewers' report list them with the simulated ones.

This module reads the validation's tables only; it never imports :mod:`b12risk.nhanes`
(training comes before it in the stages). :func:`b12risk.modelling.training.train` is
handed the measurement as a function (the ``b12risk train`` command hands it
:func:`b12risk.nhanes.release.measure`).

Examples
--------
>>> import pandas as pd
>>> from types import SimpleNamespace
>>> from b12risk.modelling.training.config import Gate
>>> gate = Gate(auroc_margin=0.01, slope_low=0.9, slope_high=1.1, intercept_max=0.1, real_groups=["2011-2012"])
>>> row = dict(group="2011-2012", outcome="raised_mma", level="risk_factors", scorer="model",
...            n=4400, events=260, prevalence=0.04, predicted=0.10, oe=0.4)
>>> failures = real_data_gate(SimpleNamespace(performance=pd.DataFrame([row]), notes={}), gate)
>>> [(f["scenario"], f["check"], f["by"]) for f in failures if "O/E" in f["check"]]
[('NHANES 2011-2012', 'raised_mma: O/E', 1.0)]
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from b12risk.modelling.training.config import Gate
from b12risk.modelling.verdicts import nhanes_row

if TYPE_CHECKING:
    from b12risk.nhanes.validation import ExternalValidation

__all__ = [
    "CALIBRATION",
    "FAILURE_KEYS",
    "NOTES_KEY",
    "NOT_MEASURED",
    "RANKING",
    "Calibration",
    "Ranking",
    "real_data_checks",
    "real_data_gate",
    "real_gate_record",
]

#: The keys of a failure, as :func:`~b12risk.modelling.training.gate.release_gate` writes them.
FAILURE_KEYS: tuple[str, ...] = ("scenario", "level", "check", "by", "detail")
#: The key of ``ExternalValidation.notes`` holding calibration-in-the-large rows per level.
NOTES_KEY = "calibration_in_the_large"
#: The detail of every check when no measurement was given.
NOT_MEASURED = (
    "not measured: the candidate was not measured on NHANES (b12risk train measures it; "
    "from Python, pass train(real_data=b12risk.nhanes.release.measure))"
)
#: The normal quantile of the validation's 95% DeLong intervals (``scipy.stats.norm.ppf(0.975)``).
_Z95 = 1.959963984540054
#: Relative slack of the boundary comparisons, so that a value exactly on a boundary passes
#: whatever the last bit of its floating-point division.
_TOL = 1e-9


@dataclass(frozen=True)
class Ranking:
    """A ranking check: the model against ``scorer`` for ``outcome`` at ``level``.

    ``rule`` is ``"beats"`` (the survey-weighted difference's 95% interval above 0 with the
    groups combined, and reaching 0 in each group) or ``"not_worse"`` (unweighted AUROC
    not lower by more than ``gate.real_auroc_margin_se`` paired SEs).
    """

    outcome: str
    level: str
    scorer: str
    rule: str


@dataclass(frozen=True)
class Calibration:
    """The calibration-in-the-large check of ``outcome``: gated at ``level``, reported at ``reported``."""

    outcome: str
    level: str
    reported: tuple[str, ...]


#: Criteria (a) and (b), in the order they are checked in each group.
RANKING: tuple[Ranking, ...] = (
    Ranking("raised_mma", "serum_b12", "serum_b12", "beats"),
    Ranking("raised_mma", "serum_b12", "guideline", "beats"),
    Ranking("low_b12_raised_mma", "risk_factors", "real_cv", "not_worse"),
)
#: Criterion (c).
CALIBRATION = Calibration("raised_mma", "risk_factors", ("serum_b12",))


def _float(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def _int(value: Any) -> int | None:
    number = _float(value)
    return int(number) if math.isfinite(number) else None


def _json(value: float) -> float | None:
    """A finite float, or None: metadata is canonical JSON, which has no NaN."""
    return round(value, 6) if math.isfinite(value) else None


def _row(performance: Any, group: str, outcome: str, level: str, scorer: str) -> dict[str, Any] | None:
    if performance is None or "group" not in performance:
        return None
    return nhanes_row(performance, group, outcome, level, scorer)


def _check(group: str, level: str, outcome: str, check: str, scorer: str, *, gated: bool = True) -> dict[str, Any]:
    return {
        "scenario": f"NHANES {group}",
        "level": level,
        "outcome": outcome,
        "check": check,
        "scorer": scorer,
        "gated": gated,
        "passed": False,
        "value": None,
        "allowed": None,
        "by": None,
        "detail": "not measured",
    }


def _count(value: Any) -> str:
    number = _float(value)
    return str(int(number)) if math.isfinite(number) else "?"


def _counts(row: dict[str, Any]) -> str:
    return f"n {_count(row.get('n'))}, events {_count(row.get('events'))}"


def _t95(df: float) -> float:
    """The two-sided 95% quantile of Student's t with ``df`` degrees of freedom (normal when infinite)."""
    if not math.isfinite(df):
        return _Z95
    from scipy.stats import t  # scipy comes with scikit-learn; loaded only when a gate is judged

    return float(t.ppf(0.975, df))


def _weighted_difference(row: dict[str, Any]) -> tuple[float, float, float]:
    """A row's survey-weighted difference (model minus its scorer), design-based SE and df."""
    return (
        _float(row.get("weighted_minus")),
        _float(row.get("weighted_minus_se")),
        _float(row.get("weighted_minus_df")),
    )


def _ranking(spec: Ranking, group: str, performance: Any, gate: Gate) -> dict[str, Any]:
    out = _check(group, spec.level, spec.outcome, f"{spec.outcome}: AUROC vs {spec.scorer}", spec.scorer)
    model = _row(performance, group, spec.outcome, spec.level, "model")
    other = _row(performance, group, spec.outcome, spec.level, spec.scorer)
    if model is None or other is None:
        missing = "the model" if model is None else spec.scorer
        out["detail"] = f"not measured: no row of {missing} for {spec.outcome} at {spec.level}"
        return out
    mw, ow = _float(model.get("auroc_weighted")), _float(other.get("auroc_weighted"))
    mu, ou = _float(model.get("auroc")), _float(other.get("auroc"))
    if spec.rule == "beats":
        value, se, df = _weighted_difference(other)
        if not (math.isfinite(value) and math.isfinite(se) and df >= 1):
            out["detail"] = (
                f"not measured: no design-based SE of the survey-weighted difference vs {spec.scorer} "
                f"(survey-weighted AUROC model {mw:.4f}, {spec.scorer} {ow:.4f})"
            )
            return out
        half = _t95(df) * se
        floor = -half  # not contradicted: the interval reaches 0
        passed = value + half >= -_TOL  # on the boundary passes, whatever the last bit
        detail = (
            f"survey-weighted AUROC model {mw:.4f}, {spec.scorer} {ow:.4f}: difference {value:+.4f} "
            f"(point estimate {'above' if value > 0 else 'not above'} 0), design SE {se:.4f} on {df:.0f} df, "
            f"95% CI {value - half:+.4f} to {value + half:+.4f}; unweighted {mu:.4f}, {ou:.4f} ({_counts(model)})"
        )
    else:
        value = _float(other.get("model_minus"))
        lo, hi = _float(other.get("model_minus_lo")), _float(other.get("model_minus_hi"))
        if not math.isfinite(value):
            value = mu - ou
        se = (hi - lo) / (2 * _Z95)
        floor = -gate.real_auroc_margin_se * se if math.isfinite(se) else 0.0
        passed = value >= floor - _TOL * max(1.0, abs(floor))
        detail = (
            f"unweighted AUROC model {mu:.4f}, {spec.scorer} {ou:.4f}: paired difference {value:+.4f}, "
            f"SE {se:.4f}, allowed down to {floor:+.4f} ({gate.real_auroc_margin_se:g} SE); "
            f"survey-weighted {mw:.4f}, {ow:.4f} ({_counts(model)})"
        )
    passed = bool(passed and math.isfinite(value))
    out.update(passed=passed, value=_json(value), allowed=_json(floor), detail=detail)
    if not passed:
        out["by"] = _json(floor - value)
    return out


def _calibration_check(
    group: str, level: str, row: dict[str, Any] | None, gate: Gate, *, gated: bool, source: str
) -> dict[str, Any]:
    outcome = CALIBRATION.outcome
    out = _check(group, level, outcome, f"{outcome}: O/E", "model", gated=gated)
    if row is None:
        out["detail"] = f"not measured: no model row for {outcome} at {level} in the {source}"
        return out
    observed = _float(row.get("prevalence", row.get("observed")))
    predicted = _float(row.get("predicted"))
    oe = _float(row.get("oe"))
    if not math.isfinite(oe) and predicted > 0:
        oe = observed / predicted
    f = gate.real_calibration_factor
    off = max(oe, 1 / oe) if oe > 0 else math.inf
    passed = bool(math.isfinite(off) and off <= f * (1 + _TOL))
    detail = (
        f"survey-weighted share {observed:.2%}, mean predicted {predicted:.2%}: O/E {oe:.3f}, "
        f"a factor {off:.2f} from 1 (allowed {f:g}; {_counts(row)})"
    )
    out.update(passed=passed, value=_json(oe), allowed=_json(f), detail=detail)
    if not passed:
        out["by"] = _json(off - f) if math.isfinite(off) else None
    return out


def real_data_checks(validation: ExternalValidation | Any | None, gate: Gate) -> list[dict[str, Any]]:
    """Every real-data check, passed or not, for each group of ``gate.real_groups``.

    Parameters
    ----------
    validation : ExternalValidation or None
        What :func:`b12risk.nhanes.validation.validate` (or
        :func:`b12risk.nhanes.release.measure`) measured for the candidate; anything with
        a ``performance`` table and a ``notes`` dict will do. None: not measured (every
        gated check fails).
    gate : Gate
        The thresholds (``real_groups``, ``real_auroc_margin_se``, ``real_calibration_factor``).

    Returns
    -------
    list of dict
        Per group, criteria (a), (b), (c) and then the reported (ungated) calibration
        lines; last, criterion (a) with the groups combined, one line per scorer it
        compares with (gated). Each line has ``scenario``, ``level``, ``outcome``, ``check``,
        ``scorer``, ``gated``, ``passed``, ``value`` (the AUROC difference, or O/E),
        ``allowed`` (its bound), ``by`` (how far past the bound, None when passed or not measured) and
        ``detail``. Numbers are finite floats or None (JSON without NaN).
    """
    performance = getattr(validation, "performance", None)
    notes = getattr(validation, "notes", None) or {}
    noted = notes.get(NOTES_KEY) or []
    checks = []
    for group in gate.real_groups:
        checks += [_ranking(spec, group, performance, gate) for spec in RANKING]
        model = _row(performance, group, CALIBRATION.outcome, CALIBRATION.level, "model")
        checks.append(_calibration_check(group, CALIBRATION.level, model, gate, gated=True, source="performance table"))
        for level in CALIBRATION.reported:
            rows = [
                r
                for r in noted
                if r.get("group") == group and r.get("outcome") == CALIBRATION.outcome and r.get("level") == level
            ]
            if rows:
                checks.append(_calibration_check(group, level, rows[0], gate, gated=False, source="notes"))
    checks += [_combined_beats(spec, gate.real_groups, performance) for spec in RANKING if spec.rule == "beats"]
    if validation is None:
        for c in checks:
            c["detail"] = NOT_MEASURED
    return checks


def _combined_beats(spec: Ranking, groups: list[str], performance: Any) -> dict[str, Any]:
    """Criterion (a) against ``spec.scorer`` with the groups combined: gated.

    Each group's survey-weighted paired difference (model minus scorer) and its
    design-based SE are combined by inverse-variance weighting; the degrees of freedom are
    Satterthwaite's. Passes when the 95% interval lies above 0. Not measured (failed)
    unless every group has a finite difference and SE."""
    out = _check(
        " + ".join(groups),
        spec.level,
        spec.outcome,
        f"{spec.outcome}: AUROC vs {spec.scorer}, groups combined",
        spec.scorer,
    )
    parts = []
    for group in groups:
        other = _row(performance, group, spec.outcome, spec.level, spec.scorer)
        value, se, df = _weighted_difference(other) if other is not None else (math.nan,) * 3
        if not (math.isfinite(value) and math.isfinite(se) and se > 0 and df >= 1):
            out["detail"] = f"not measured: no survey-weighted difference with a design-based SE in {group}"
            return out
        parts.append((group, value, se, df))
    weights = [1.0 / se**2 for _, _, se, _ in parts]
    total = sum(weights)
    value = sum(w * v for w, (_, v, _, _) in zip(weights, parts, strict=True)) / total
    # var = sum c_g^2 se_g^2 with c_g = w_g / total; Satterthwaite: var^2 / sum (c_g^2 se_g^2)^2 / df_g
    terms = [(w / total) ** 2 * se**2 for w, (_, _, se, _) in zip(weights, parts, strict=True)]
    se = math.sqrt(sum(terms))
    df = sum(terms) ** 2 / sum(t**2 / d for t, (_, _, _, d) in zip(terms, parts, strict=True))
    half = _t95(df) * se
    each = "; ".join(f"{g} {v:+.4f} (SE {e:.4f}, {d:.0f} df)" for g, v, e, d in parts)
    passed = value - half > 0
    out.update(
        passed=bool(passed),
        value=_json(value),
        allowed=_json(half),
        detail=(
            f"survey-weighted paired differences {each}; inverse-variance combined {value:+.4f}, "
            f"SE {se:.4f} on {df:.1f} df, 95% CI {value - half:+.4f} to {value + half:+.4f} (must lie above 0)"
        ),
    )
    if not passed:
        out["by"] = _json(half - value)
    return out


def real_data_gate(validation: ExternalValidation | Any | None, gate: Gate) -> list[dict[str, Any]]:
    """Every failed real-data check, in :func:`~b12risk.modelling.training.gate.release_gate`'s shape.

    Parameters
    ----------
    validation : ExternalValidation or None
        As for :func:`real_data_checks`; None fails every check as not measured.
    gate : Gate
        The thresholds.

    Returns
    -------
    list of dict
        One dict per failed gated check with :data:`FAILURE_KEYS`: ``scenario``
        (``"NHANES <group>"``), ``level``, ``check``, ``by`` (how far past the bound;
        None when not measured) and ``detail``. Empty when every check passed.
    """
    return [
        {k: c[k] for k in FAILURE_KEYS} for c in real_data_checks(validation, gate) if c["gated"] and not c["passed"]
    ]


def real_gate_record(
    validation: ExternalValidation | Any | None, gate: Gate, *, seconds: float | None = None
) -> dict[str, Any]:
    """What the model's metadata records of the real-data gate (``gate.real_data``).

    Parameters
    ----------
    validation : ExternalValidation or None
        As for :func:`real_data_checks`.
    gate : Gate
        The thresholds; ``gate.real_data`` says whether the gate was required.
    seconds : float, optional
        How long the measurement took.

    Returns
    -------
    dict
        ``required``, ``measured``, ``passed``, the measurement's ``model_version``,
        ``cycles``, ``seed`` and ``simulated_n`` (from its notes), ``seconds`` and
        ``checks`` (:func:`real_data_checks`). JSON-serialisable without NaN.
    """
    if not gate.real_data:
        return {"required": False, "measured": False, "passed": None, "checks": []}
    checks = real_data_checks(validation, gate)
    notes = getattr(validation, "notes", None) or {}
    return {
        "required": True,
        "measured": validation is not None,
        "passed": all(c["passed"] for c in checks if c["gated"]),
        "model_version": getattr(validation, "model_version", None),
        "cycles": [str(c) for c in notes.get("cycles", [])],
        "seed": _int(notes.get("seed")),
        "simulated_n": _int(notes.get("simulated_n")),
        "seconds": None if seconds is None else round(float(seconds), 1),
        "checks": checks,
    }
