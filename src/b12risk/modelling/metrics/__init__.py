"""Performance of risk predictions: discrimination, calibration and clinical utility.

Every function takes the observed outcome ``y`` (0/1), the predicted probability ``p``
(in [0, 1]) and, where a rules-based baseline is compared, an arbitrary real ``score``.

Calibration follows Van Calster et al. (2016, J Clin Epidemiol 74:167-176): the
calibration intercept comes from a logistic regression of ``y`` with ``logit(p)`` as an
offset (target 0) and the calibration slope from a logistic regression of ``y`` on
``logit(p)`` (target 1). The integrated calibration index follows Austin & Steyerberg
(2019, Stat Med 38:4051-4065). Net benefit follows Vickers & Elkin (2006).

Bootstrap intervals treat each resample as a row of counts (how often each original row
was drawn) and compute every metric as a weighted metric of the original rows, all
resamples at once. AUROC is the Mann-Whitney statistic (ties count one half) and the
calibration fits are a few vectorised Newton steps; both agree with scikit-learn and
statsmodels (see ``tests/test_metrics.py``).

One module per idea: :mod:`.discrimination` (ranking), :mod:`.calibration`,
:mod:`.engine` (the weighted metrics and :func:`summary`), :mod:`.bootstrap`,
:mod:`.decision` (net benefit) and :mod:`.subgroups`; input checks in :mod:`._checks`.

Examples
--------
>>> import numpy as np
>>> from b12risk.modelling.metrics import summary
>>> rng = np.random.default_rng(0)
>>> p = rng.uniform(0.05, 0.95, 2000)
>>> y = (rng.random(2000) < p).astype(int)
>>> s = summary(y, p, threshold=0.5)
>>> round(s["auroc"], 2), abs(s["cal_slope"] - 1) < 0.2
(0.8, True)
"""

from b12risk.modelling.metrics.bootstrap import bootstrap_ci, paired_auroc_difference
from b12risk.modelling.metrics.calibration import (
    calibration_intercept_slope,
    integrated_calibration_index,
    smoothed_calibration_curve,
)
from b12risk.modelling.metrics.decision import decision_curve, net_benefit
from b12risk.modelling.metrics.engine import SUMMARY_KEYS, expected_calibration_error, summary
from b12risk.modelling.metrics.subgroups import INTERCEPT_TOLERANCE, SLOPE_BAND, subgroup_table

__all__ = [
    "INTERCEPT_TOLERANCE",
    "SLOPE_BAND",
    "SUMMARY_KEYS",
    "bootstrap_ci",
    "calibration_intercept_slope",
    "decision_curve",
    "expected_calibration_error",
    "integrated_calibration_index",
    "net_benefit",
    "paired_auroc_difference",
    "smoothed_calibration_curve",
    "subgroup_table",
    "summary",
]
