"""Rules-based clinical baselines: what a guideline, a lab index or a points score says.

Three scikit-learn classifiers that the learned model is measured against:

==================== =========================================================================
``GuidelineRule``    serum B12 first, MMA (else homocysteine) for the indeterminate band
                     (BSH 2014, the source article; NICE NG239 as ``variant="nice2024"``)
``CombinedB12Index`` Fedosov's combined indicator cB12 from B12, holoTC, MMA, Hcy and age
``RiskFactorScore``  points for the documented risk factors; needs no labs (screening)
==================== =========================================================================

Each takes the whole feature frame (a :class:`pandas.DataFrame` with the cohort's
columns), picks its columns by name and ignores the rest. A missing column or a NaN
means "not measured", and the rule falls back as a clinician would. ``applies(X)`` tells
for which rows a rule has the data it needs; on the other rows it predicts the training
prevalence, so an evaluation should compare against a baseline only where it applies.

Every threshold and effect size is read from the knowledge base (``seeds/*.toml``) via
:func:`b12risk.knowledge.load`; pass ``kb`` to use another one. The one exception is
the cB12 formula and its category cut-points (Fedosov et al. 2015), which the knowledge
base does not yet carry; they are the named constants :data:`CB12_AGE_TERM`,
:data:`CB12_CUTPOINTS` and :data:`CB12_CATEGORIES` of :mod:`.cb12`, each with its source.

One module per baseline (:mod:`.guideline`, :mod:`.cb12`, :mod:`.risk_factor_score`),
what they share in :mod:`._base`, and :func:`fit_baselines` (:mod:`.fit`), which fits
every baseline that the scorer table (``b12risk/modelling/scorers.toml``) names.

Examples
--------
>>> import numpy as np, pandas as pd
>>> from b12risk.modelling.baselines import GuidelineRule
>>> X = pd.DataFrame({"serum_b12_pmol_l": [120.0, 180.0, 180.0, 250.0], "mma_umol_l": [np.nan, 0.4, 0.2, np.nan]})
>>> GuidelineRule().category(X).tolist()
[4, 3, 1, 0]
>>> rule = GuidelineRule().fit(X, [True, True, False, False])
>>> rule.predict(X).tolist()
[True, True, False, False]
"""

from b12risk.modelling.baselines.cb12 import (
    CB12_AGE_TERM,
    CB12_CATEGORIES,
    CB12_CUTPOINTS,
    MIN_IMPUTATION_ROWS,
    CombinedB12Index,
    MarkerImputation,
    cb12_category,
    combined_indicator,
)
from b12risk.modelling.baselines.fit import fit_baselines
from b12risk.modelling.baselines.guideline import GUIDELINE_CATEGORIES, GuidelineRule
from b12risk.modelling.baselines.risk_factor_score import RiskFactorScore

__all__ = [
    "CB12_AGE_TERM",
    "CB12_CATEGORIES",
    "CB12_CUTPOINTS",
    "GUIDELINE_CATEGORIES",
    "MIN_IMPUTATION_ROWS",
    "CombinedB12Index",
    "GuidelineRule",
    "MarkerImputation",
    "RiskFactorScore",
    "cb12_category",
    "combined_indicator",
    "fit_baselines",
]
