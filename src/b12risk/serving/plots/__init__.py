"""Explanation figures in English or Arabic: waterfall, beeswarm and dependence plots.

Every function draws with matplotlib's object API (a :class:`~matplotlib.figure.Figure`
with an Agg canvas), so it works headless, never touches pyplot's list of open figures
and never shows anything. The caller saves the figure, e.g. with :func:`save`.
matplotlib is imported inside the functions, so importing this package stays cheap.

- :mod:`~b12risk.serving.plots.waterfall`: one patient's prediction, field by field.
- :mod:`~b12risk.serving.plots.beeswarm`: every field's contributions over many patients.
- :mod:`~b12risk.serving.plots.dependence`: one field's contribution against its value.
- :mod:`~b12risk.serving.plots.arabic`: Arabic text, fonts and mirrored axes
  (:func:`rtl`).
- :mod:`~b12risk.serving.plots.values` and :mod:`~b12risk.serving.plots.common`:
  how values, units and categories are written, and what the figures share.

All SHAP values are contributions on the log-odds scale. The figures' own words are the
``plot.*`` entries of the catalogue (:mod:`b12risk.words`).

Examples
--------
>>> from b12risk.serving.plots import rtl
>>> rtl("Serum vitamin B12")
'Serum vitamin B12'
"""

from __future__ import annotations

from b12risk.serving.plots.arabic import rtl
from b12risk.serving.plots.beeswarm import beeswarm
from b12risk.serving.plots.common import LOWERS_COLOR, MAX_POINTS, RAISES_COLOR
from b12risk.serving.plots.dependence import dependence
from b12risk.serving.plots.save import save
from b12risk.serving.plots.waterfall import waterfall

__all__ = ["LOWERS_COLOR", "MAX_POINTS", "RAISES_COLOR", "beeswarm", "dependence", "rtl", "save", "waterfall"]
