"""The model card (MODEL_CARD.md), written from a model's metadata."""

from __future__ import annotations

from typing import Any

__all__ = ["INTENDED_USE", "LIMITATIONS", "render_model_card"]

INTENDED_USE = (
    "Decision support for deciding which adults to test, or treat, for vitamin B12 (cobalamin) "
    "deficiency: it estimates the probability that a patient's true B12 status is deficient "
    "(below 148 pmol/L) from risk factors, symptoms and whatever laboratory results are available. "
    "It is not a diagnosis and does not replace clinical judgement or confirmatory testing."
)
USERS = (
    "Clinicians and clinical applications (through `b12risk.predict`), data scientists retraining the model, reviewers."
)
OUT_OF_SCOPE = [
    "Diagnosing deficiency or deciding treatment on the model's output alone.",
    "Children and infants (the article's risk to breast-fed infants of vegan mothers is not modelled); ages below 18 are rejected.",
    "Populations, assays or laboratory units unlike those in the knowledge base; patients already on B12 injections.",
    "Any use as evidence of clinical validity: the model has never seen a real patient.",
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


def render_model_card(metadata: dict[str, Any], *, version: str, released: bool) -> str:
    """Markdown model card for a trained model."""
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
        "## Known limitations",
        *[f"- {x}" for x in LIMITATIONS],
        "",
    ]
    return "\n".join(lines)
