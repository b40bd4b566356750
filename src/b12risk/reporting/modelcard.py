"""The model card (MODEL_CARD.md), written from a model's metadata.

When the model has been measured on real patients (:func:`b12risk.nhanes.validation.validate`),
the card's limitations also say what was measured, in words generated from the numbers
(:func:`nhanes_limitations`), favourable or not.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from b12risk.modelling.scorers import VALIDATION_SCORERS as SCORERS

if TYPE_CHECKING:
    import pandas as pd

    from b12risk.nhanes.validation import ExternalValidation

__all__ = [
    "GROUPS_SHOWN",
    "HEADLINE",
    "INTENDED_USE",
    "LIMITATIONS",
    "OE_OK",
    "RATIO_OK",
    "NhanesHeadline",
    "auroc_text",
    "calibration_verdict",
    "compare_auroc",
    "is_paired",
    "nhanes_headline",
    "nhanes_limitations",
    "nhanes_row",
    "paired_values",
    "render_model_card",
]

INTENDED_USE = (
    "Decision support for deciding which adults to test, or treat, for vitamin B12 (cobalamin) "
    "deficiency: it estimates the probability that a patient's true B12 status is deficient "
    "(below 148 pmol/L) from risk factors, symptoms and whatever laboratory results are available. "
    "It is not a diagnosis and does not replace clinical judgement or confirmatory testing."
)
USERS = "Clinicians and clinical applications (through `b12risk.serving.predict`), data scientists retraining the model, reviewers."
OUT_OF_SCOPE = [
    "Diagnosing deficiency or deciding treatment on the model's output alone.",
    "Children and infants (the article's risk to breast-fed infants of vegan mothers is not modelled); ages below 18 are rejected.",
    "Populations, assays or laboratory units unlike those in the knowledge base; patients already on B12 injections.",
    "Any use as evidence of clinical validity: the model was trained only on synthetic patients, and its "
    "measurement on real survey adults is a check, not a validation of clinical use.",
]
LIMITATIONS = [
    "Trained only on synthetic cohorts generated from documented knowledge (seeds/): the model mostly "
    "rediscovers those documented rules. Beating the rules-based baselines shows it learned the rules and "
    "their interactions, not that it is clinically valid.",
    "The structural assumptions that carry the most weight: the latent spread left after the named causes "
    "(sd 0.20 log units), the serum assay's imprecision and falsely normal readings, the effect sizes of "
    "diet, age and absorption causes, and symptom background rates (modelling assumptions).",
    "Prevalences are calibrated to the source article's figures (6% / 20% / 40% / up to 80%), themselves rounded estimates.",
    "Scenarios differ only in who is in them; real populations may also differ in how causes act.",
]


# --------------------------------------------------------------------------- real patients (NHANES)

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


def _ratio_verdict(ratio: float) -> str:
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


def _say(key: str, language: str, **kwargs: Any) -> str:
    """The report's words (:mod:`b12risk.reporting.text`) for ``key``; in Arabic, text values are isolated."""
    from b12risk.reporting.text import WORDS

    text = WORDS[key][0 if language == "en" else 1]
    if language != "en":
        kwargs = {k: f"\u2068{v}\u2069" if isinstance(v, str) else v for k, v in kwargs.items()}
    return text.format(**kwargs)


def auroc_text(row: dict[str, Any] | None) -> str:
    """``0.707 (0.680–0.732)``; ``–`` without a row."""
    if not row or not math.isfinite(float(row["auroc"])):
        return "–"
    return f"{row['auroc']:.3f} ({row['auroc_lo']:.3f}–{row['auroc_hi']:.3f})"


def _percent(x: float) -> str:
    return f"{x:.1%}" if math.isfinite(x) else "–"


def nhanes_limitations(validation: ExternalValidation, language: str = "en") -> list[str]:
    """Limitations that follow from the model's measurement on real patients (NHANES).

    Generated from the tables, whichever way the numbers point: how the model ranked
    raised MMA given serum B12 against serum B12 alone and against a model fitted on the
    real data, how far its probabilities were from the observed rate, and how far the
    simulator that made its training patients is from real adults.

    Parameters
    ----------
    validation : ExternalValidation
        What :func:`b12risk.nhanes.validation.validate` measured.
    language : {"en", "ar"}, default "en"

    Returns
    -------
    list of str
        Empty when the tables hold no row of the model for :data:`HEADLINE`.
    """
    head = nhanes_headline(validation)
    if head is None:
        return []
    out = []
    paired = is_paired(head.serum)
    rank = _say(
        f"lim.rank.{'paired.' if paired else ''}{head.rank or 'overlap'}",
        language,
        group=head.group,
        model=auroc_text(head.model),
        serum=auroc_text(head.serum),
        **(paired_values(head.serum) if paired else {}),
    )
    if head.real_cv:
        rank += " " + _say("lim.real_cv", language, real=auroc_text(head.real_cv))
    for other in GROUPS_SHOWN:
        extra = nhanes_headline(validation, other) if other != head.group else None
        if extra is not None:
            rank += " " + _say(
                "lim.rank_also",
                language,
                group=other,
                model=auroc_text(extra.model),
                serum=auroc_text(extra.serum),
                real=auroc_text(extra.real_cv),
            )
    out.append(rank)
    if head.calibration:
        pred, obs, oe = float(head.model["predicted"]), float(head.model["prevalence"]), float(head.model["oe"])
        out.append(
            _say(
                f"lim.cal.{head.calibration}",
                language,
                times=f"{pred / obs:.2f}×" if obs > 0 else "–",
                pred=_percent(pred),
                obs=_percent(obs),
                oe=f"{oe:.2f}",
            )
        )
    if math.isfinite(head.low_real) and math.isfinite(head.low_simulated) and head.low_real > 0:
        ratio = head.low_simulated / head.low_real
        out.append(
            _say(
                f"lim.sim.{_ratio_verdict(ratio)}",
                language,
                sim=_percent(head.low_simulated),
                real=_percent(head.low_real),
                group=head.group,
                ratio=f"{ratio:.1f}",
                sim_med=f"{head.median_simulated:.0f}" if math.isfinite(head.median_simulated) else "–",
                real_med=f"{head.median_real:.0f}" if math.isfinite(head.median_real) else "–",
            )
        )
    return out


def _nhanes_markdown(validation: ExternalValidation) -> list[str]:
    """The card's section on real patients: AUROC of the model and its comparators, and O/E."""
    perf = validation.performance
    groups = [g for g in GROUPS_SHOWN if not perf.empty and g in set(perf["group"])]
    lines = [
        "## Real patients (NHANES)",
        "US adults aged 20 and over; prevalence and O/E survey-weighted, AUROC unweighted with its DeLong "
        "95% interval. The outcomes are biochemical surrogates: the model predicts the simulator's true "
        "deficiency, not these. Fields an outcome is built from are hidden from every scorer.",
        "",
        "| cycles | outcome | level | n | events | " + " | ".join(SCORERS) + " | model O/E |",
        "| --- | --- | --- | --- | --- | " + " | ".join("---" for _ in SCORERS) + " | --- |",
    ]
    for group in groups:
        cells = perf[perf["group"] == group]
        for (outcome, level), cell in cells.groupby(["outcome", "level"], sort=False):
            rows = {r["scorer"]: r for r in cell.to_dict("records")}
            model = rows.get("model")
            oe = f"{model['oe']:.2f}" if model and math.isfinite(float(model["oe"])) else "-"
            aurocs = " | ".join(auroc_text(rows.get(s)).replace("–", "-") for s in SCORERS)
            first = cell.iloc[0]
            lines.append(
                f"| {group} | {outcome} | {level} | {int(first['n']):,} | {int(first['events']):,} | {aurocs} | {oe} |"
            )
    return [*lines, ""]


def render_model_card(
    metadata: dict[str, Any], *, version: str, released: bool, nhanes: ExternalValidation | None = None
) -> str:
    """Markdown model card for a trained model.

    Parameters
    ----------
    metadata : dict
        The model's metadata (as :func:`b12risk.modelling.training.train` writes it).
    version : str
        The model version.
    released : bool
        Whether it passed the release gate.
    nhanes : ExternalValidation, optional
        Its measurement on real patients (:func:`b12risk.nhanes.validation.validate`):
        adds a section with the measured AUROCs and calibration, and limitations that
        follow from them (:func:`nhanes_limitations`). Without it the card is as before.

    Returns
    -------
    str
        The card in Markdown.
    """
    cfg = metadata["config"]
    summary = metadata.get("metrics_summary", {})
    lines = [
        f"# Model card: b12risk {version}{'' if released else ' (UNRELEASED: failed the release gate)'}",
        "",
        "**Decision support, not a diagnosis.**",
        "",
        "## Intended use",
        INTENDED_USE,
        "",
        f"**Users:** {USERS}",
        "",
        "**Out of scope:**",
        *[f"- {x}" for x in OUT_OF_SCOPE],
        "",
        "## Training data",
        f"Synthetic cohorts from the knowledge base (fingerprint `{metadata['knowledge_fingerprint'][:16]}`): "
        f"{cfg['cohort']['n']:,} rows, seed {cfg['cohort']['seed']}, "
        f"{cfg['cohort']['survey_share']:.0%} with every lab measured, the rest as a clinic orders them; "
        "each row masked to one information level.",
        "",
        "| scenario | share |",
        "| --- | --- |",
        *[f"| {s} | {w:.0%} |" for s, w in cfg["cohort"]["scenarios"].items()],
        "",
        "## Model",
        "scikit-learn `HistGradientBoostingClassifier` (categories as ordinal codes) in a `Pipeline`; "
        f"{metadata['training'].get('n_iter')} boosting iterations after early stopping; "
        "calibration checked per information level on a fresh simulated calibration cohort "
        + (
            f"and corrected (Platt scaling of the log-odds) at: {', '.join(metadata['training']['corrected_levels'])}."
            if metadata["training"].get("corrected_levels")
            else "(no correction needed)."
        ),
        "",
        "## Performance (fresh cohorts, mean over scenarios)",
        "| level | model AUROC | oracle AUROC | best baseline | its AUROC | calibration slope | intercept |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for level, s in summary.items():
        base = s.get("best_baseline") or "-"
        base_auc = f"{s['best_baseline_auroc']:.3f}" if s.get("best_baseline_auroc") is not None else "-"
        lines.append(
            f"| {level} | {s['model_auroc']:.3f} | {s['oracle_auroc']:.3f} | {base} | {base_auc} | "
            f"{s['model_cal_slope']:.3f} | {s['model_cal_intercept']:+.3f} |"
        )
    gate = metadata.get("gate", {})
    lines += [
        "",
        f"Release gate: {'passed' if gate.get('passed') else 'FAILED'} "
        f"({len(gate.get('failures', []))} failed checks). Full tables: `evaluation.csv`, `subgroups.csv`.",
        "",
    ]
    if nhanes is not None:
        lines += _nhanes_markdown(nhanes)
    measured = nhanes_limitations(nhanes) if nhanes is not None else []
    lines += [
        "## Known limitations",
        *[f"- {x}" for x in [*LIMITATIONS, *measured]],
        "",
    ]
    return "\n".join(lines)
