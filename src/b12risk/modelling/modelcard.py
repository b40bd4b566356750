"""The model card (MODEL_CARD.md), written from a model's metadata.

Its texts (intended use, users, what is out of scope, the known limitations) are the
catalogue's ``card.*`` entries (:mod:`b12risk.words`), which the report's model-card
section shows too, in English or Arabic. When the model has been measured on real
patients (:func:`b12risk.nhanes.validation.validate`), the card's limitations also say
what was measured, in words generated from the numbers (:func:`nhanes_limitations`),
favourable or not.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from b12risk.knowledge.schema import monotone_directions
from b12risk.modelling.scorers import VALIDATION_SCORERS as SCORERS
from b12risk.modelling.verdicts import (
    GROUPS_SHOWN,
    auroc_text,
    is_paired,
    nhanes_headline,
    paired_values,
    ratio_verdict,
)
from b12risk.words import items, say, t

if TYPE_CHECKING:
    from b12risk.nhanes.validation import ExternalValidation

__all__ = ["nhanes_limitations", "render_model_card"]


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
    rank = say(
        f"lim.rank.{'paired.' if paired else ''}{head.rank or 'overlap'}",
        language,
        group=head.group,
        model=auroc_text(head.model),
        serum=auroc_text(head.serum),
        **(paired_values(head.serum) if paired else {}),
    )
    if head.real_cv:
        rank += " " + say("lim.real_cv", language, real=auroc_text(head.real_cv))
    for other in GROUPS_SHOWN:
        extra = nhanes_headline(validation, other) if other != head.group else None
        if extra is not None:
            rank += " " + say(
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
            say(
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
            say(
                f"lim.sim.{ratio_verdict(ratio)}",
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


def _directions() -> str:
    """The declared monotone directions in words: which fields never raise, never lower the risk."""
    d = monotone_directions()
    down = ", ".join(f"`{c}`" for c, v in d.items() if v < 0)
    up = ", ".join(f"`{c}`" for c, v in d.items() if v > 0)
    return f"never raising the risk: {down}; never lowering it: {up}"


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
        f"**{t('disclaimer', 'en')}**",
        "",
        "## Intended use",
        t("card.intended_use", "en"),
        "",
        f"**Users:** {t('card.users', 'en')}",
        "",
        "**Out of scope:**",
        *[f"- {x}" for x in items("card.out_of_scope", "en")],
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
        "scikit-learn `HistGradientBoostingClassifier` (categories as ordinal codes) in a `Pipeline`, "
        f"monotone where the knowledge base declares a direction (`monotonic_cst`: {_directions()}); "
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
        *[f"- {x}" for x in [*items("card.limitations", "en"), *measured]],
        "",
    ]
    return "\n".join(lines)
