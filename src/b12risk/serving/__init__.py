"""What applications call: which model a call means (:mod:`~b12risk.serving.runtime`),
:func:`~b12risk.serving.predict.predict`, exact SHAP explanations
(:mod:`~b12risk.serving.explain`) and the explanation figures (:mod:`~b12risk.serving.plots`)."""
