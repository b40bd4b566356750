"""Figures of the reviewers' report; private to :mod:`b12risk.reporting.report`.

- :mod:`~b12risk.reporting.figures.saving`: :class:`FigureWriter` saves every figure as
  PNG and SVG with fixed metadata (no date, no software stamp, a fixed SVG id salt), so
  the same model gives the same bytes, and returns the ``<figure>`` HTML that embeds
  the PNG as a data URI.
- :mod:`~b12risk.reporting.figures.layout`: panels, legends, axes and words shared by
  the figures; scorers are drawn with the colour, line style and name of the scorer
  table (:mod:`b12risk.modelling.scorers`).
- :mod:`~b12risk.reporting.figures.curves`: ROC, precision-recall, calibration and
  decision curves from a model folder's ``curves.parquet`` and ``evaluation`` table.
- :mod:`~b12risk.reporting.figures.nhanes`: the decision curve on real patients and
  real against simulated adults.
- :mod:`~b12risk.reporting.figures.shap`: the SHAP summaries of
  :mod:`b12risk.serving.plots` with the report's titles.

Performance plots keep the usual mathematical orientation (x grows to the right) in
Arabic too; their words are translated and their panels read from the right. SHAP
plots follow :mod:`b12risk.serving.plots`, which mirrors them for Arabic.

matplotlib lays out Arabic text itself, but a number right after a Latin word inside
Arabic text ("نموذج b12risk (0.856)") comes out on the wrong side, and isolation marks
do not help. The Arabic texts of the figures (``fig.*`` in ``words.toml``, and the
scorer names) therefore put Latin names in parentheses, and the calibration legend's
entries hold no Arabic letters at all (checked by eye on the rendered figures). A range
such as "2001-2004" or "20-39" comes out reversed inside Arabic, and a closing
parenthesis after it is drawn the wrong way round: the NHANES figures write
"حقيقي: NHANES 2001-2004" (the range after a Latin word, no parenthesis) and age bands
as "40 إلى 59".
"""
