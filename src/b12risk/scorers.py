"""Who is compared with the model, and where: the scorers shared by training, the release
gate, the external validation, the model card and the report (no heavy imports here)."""

__all__ = ["BASELINE_LEVELS", "VALIDATION_SCORERS"]

#: The information levels at which each rules-based baseline is compared with the model
#: (training's evaluation and gate, the NHANES validation, the report).
BASELINE_LEVELS: dict[str, tuple[str, ...]] = {
    "guideline": ("serum_b12", "full_panel"),
    "cb12": ("full_panel",),
    "risk_factor_score": ("risk_factors",),
}

#: The scorers of the external validation, in display order: ``model`` (the b12risk
#: model), ``real_cv`` (a model fitted on the real data, 5-fold CV), ``serum_b12`` (serum
#: B12 alone), then the baselines.
VALIDATION_SCORERS: tuple[str, ...] = ("model", "real_cv", "serum_b12", *BASELINE_LEVELS)
