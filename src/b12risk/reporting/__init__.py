"""The reviewers' report, its figures and the model card.

- :mod:`~b12risk.reporting.report`: :func:`~b12risk.reporting.report.build_report`, the
  entry point: gathers what the page shows (:mod:`~b12risk.reporting.data`, the
  knowledge check of :mod:`~b12risk.reporting.knowledge_check`) and writes the page.
- :mod:`~b12risk.reporting.html`: the page, one module per section.
- :mod:`~b12risk.reporting.figures`: the report's performance and NHANES figures, and
  how they are saved.
- :mod:`~b12risk.serving.plots`: the SHAP figures (waterfall, beeswarm, dependence),
  also used by :mod:`b12risk.serving.explain`.
- :mod:`~b12risk.modelling.modelcard`: MODEL_CARD.md; :mod:`~b12risk.modelling.verdicts`:
  what the measurement on real patients says, for the card and the page.

Every word comes from the catalogue :mod:`b12risk.words` and every scorer's colour, line
style and name from :mod:`b12risk.modelling.scorers`.
"""
