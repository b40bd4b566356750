"""The scorers of the external validation, in display order (shared by the validation, the
model card and the report, which must not import the validation itself)."""

__all__ = ["SCORERS"]

#: ``model``: the b12risk model; ``real_cv``: a model fitted on the real data (5-fold CV);
#: ``serum_b12``: serum B12 alone; then the rules-based baselines.
SCORERS: tuple[str, ...] = ("model", "real_cv", "serum_b12", "guideline", "cb12", "risk_factor_score")
