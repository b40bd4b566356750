"""Discrimination and calibration per subgroup, with the rules that flag a subgroup as
clearly worse than the cohort (:func:`subgroup_table`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from b12risk.errors import ConfigError
from b12risk.modelling.metrics._checks import _check_int, _check_prob, _check_real, _check_y
from b12risk.modelling.metrics.bootstrap import _interval, _resamples
from b12risk.modelling.metrics.calibration import calibration_intercept_slope
from b12risk.modelling.metrics.discrimination import _auroc, _expected_auroc
from b12risk.modelling.metrics.engine import _Engine

__all__ = ["INTERCEPT_TOLERANCE", "SLOPE_BAND", "subgroup_table"]

#: A subgroup is flagged when its whole calibration-slope interval lies outside this band.
SLOPE_BAND = (0.8, 1.25)
#: A subgroup is flagged when its whole calibration-intercept interval lies beyond +/- this.
INTERCEPT_TOLERANCE = 0.2


def _levels(values: pd.Series) -> list[object]:
    if isinstance(values.dtype, pd.CategoricalDtype):
        return list(values.cat.categories)
    found = list(pd.unique(values.dropna()))
    try:
        return sorted(found)
    except TypeError:
        return found


def _subgroup_row(y: np.ndarray, p: np.ndarray, *, threshold: float, n_boot: int, seed: int, level: float) -> dict:
    """Point estimates and bootstrap intervals of the subgroup-table metrics for one set of rows."""
    row: dict[str, float] = {
        "n": y.size,
        "prevalence": float(y.mean()),
        "auroc_expected": _expected_auroc(p),
        "auroc": _auroc(y, p),
    }
    row["cal_intercept"], row["cal_slope"] = calibration_intercept_slope(y, p)
    eng = _Engine(y, p, None, threshold)
    point = eng.metrics(np.ones((1, y.size)), calibration=False)
    row["sensitivity"], row["specificity"] = float(point["sensitivity"][0]), float(point["specificity"][0])
    parts = [eng.metrics(w) for w in _resamples(np.random.default_rng(seed), y.size, n_boot)]
    for k in ("auroc", "cal_intercept", "cal_slope"):
        row[f"{k}_lo"], row[f"{k}_hi"] = _interval(np.concatenate([m[k] for m in parts]), level)
    return row


def _flag_reasons(r: dict, overall_auroc: float | None) -> list[str]:
    """The flag rules of :func:`subgroup_table` that ``r`` breaks (no AUROC rule without ``overall_auroc``)."""
    reasons = []
    if overall_auroc is not None and r["auroc_hi"] < min(overall_auroc, r["auroc_expected"]):
        reasons.append(
            f"AUROC {r['auroc']:.3f} (CI upper {r['auroc_hi']:.3f}) is below both the overall {overall_auroc:.3f}"
            f" and the {r['auroc_expected']:.3f} expected from its case mix"
        )
    lo, hi = SLOPE_BAND
    if r["cal_slope_hi"] < lo or r["cal_slope_lo"] > hi:
        reasons.append(
            f"calibration slope {r['cal_slope']:.2f} (CI {r['cal_slope_lo']:.2f} to {r['cal_slope_hi']:.2f})"
            f" lies outside [{lo}, {hi}]"
        )
    tol = INTERCEPT_TOLERANCE
    if r["cal_intercept_lo"] > tol or r["cal_intercept_hi"] < -tol:
        reasons.append(
            f"calibration intercept {r['cal_intercept']:.2f} (CI {r['cal_intercept_lo']:.2f} to"
            f" {r['cal_intercept_hi']:.2f}) lies outside [-{tol}, {tol}]"
        )
    return reasons


def subgroup_table(
    y: ArrayLike,
    p: ArrayLike,
    groups: Mapping[str, pd.Series | np.ndarray],
    *,
    threshold: float,
    min_n: int = 200,
    n_boot: int = 200,
    seed: int = 0,
    level: float = 0.95,
) -> pd.DataFrame:
    """Discrimination and calibration per subgroup, flagging subgroups clearly worse than the cohort.

    Parameters
    ----------
    y : array-like of 0/1
    p : array-like of float in [0, 1]
    groups : mapping of str to pandas.Series or numpy.ndarray
        One grouping per entry (e.g. ``{"sex": df["sex"], "age_band": bands}``), each
        with one value per element of ``y``, matched by position. Levels are the
        categories of a categorical Series, otherwise the sorted distinct values;
        rows with a missing value are left out of that grouping.
    threshold : float in [0, 1]
        Rows with ``p >= threshold`` are called positive, for ``sensitivity`` and
        ``specificity``.
    min_n : int, default 200
        Smaller subgroups get NaN metrics, ``flag`` False and ``flag_reason`` "too few".
    n_boot, seed, level
        Bootstrap settings, as for :func:`bootstrap_ci`; every subgroup is resampled
        from a generator seeded with ``seed``, so a row does not depend on the others.

    Returns
    -------
    pandas.DataFrame
        First a row for the whole cohort (``grouping`` "overall", ``level`` "all"),
        then one row per (grouping, level), with columns ``grouping``, ``level``, ``n``,
        ``prevalence``, ``auroc``, ``auroc_lo``, ``auroc_hi``, ``auroc_expected``,
        ``cal_intercept`` (+ ``_lo``, ``_hi``), ``cal_slope`` (+ ``_lo``, ``_hi``),
        ``sensitivity``, ``specificity``, ``flag`` and ``flag_reason``.

    Notes
    -----
    A subgroup is flagged when at least one of these holds (intervals are the
    bootstrap intervals at ``level``; each needs the whole interval on the wrong side,
    so sampling noise alone rarely flags):

    1. Discrimination: the AUROC interval's upper bound is below both the overall
       AUROC and ``auroc_expected``, the AUROC the subgroup would have if its ``p``
       were its true risks (the model-based concordance of van Klaveren et al., Stat
       Med 2016). The second bar keeps a subgroup whose risks are merely more alike
       (e.g. one age band) from being flagged for a lower AUROC that a correct model
       would also have there.
    2. Calibration slope: the interval lies entirely outside :data:`SLOPE_BAND`
       ``[0.8, 1.25]`` (risks clearly too extreme or too modest).
    3. Calibration in the large: the intercept interval lies entirely outside
       ``[-0.2, 0.2]`` (:data:`INTERCEPT_TOLERANCE`), i.e. the odds of the outcome are
       clearly more than about 20% off on average.

    Discrimination is judged against the cohort, calibration against fixed bands: a
    subgroup should be calibrated whatever the cohort does. The overall row is judged
    by the two calibration rules, so a miscalibrated cohort shows as such and not only
    as a string of flagged subgroups.

    ``flag_reason`` names each rule that fired, with the estimates, joined by "; ";
    it is "" when not flagged, "too few" below ``min_n``, and "one outcome class" when
    the subgroup has only events or only non-events (its metrics are then NaN).
    """
    yv = _check_y(y)
    pv = _check_prob(p, yv)
    t = _check_real(threshold, "threshold", "subgroup_table", "[0, 1]")
    mn = _check_int(min_n, "min_n", "subgroup_table", 1)
    b = _check_int(n_boot, "n_boot", "subgroup_table", 1)
    s = _check_int(seed, "seed", "subgroup_table", 0)
    lev = _check_real(level, "level", "subgroup_table", "(0, 1)")
    columns: dict[str, pd.Series] = {}
    for name, values in groups.items():
        col = values.reset_index(drop=True) if isinstance(values, pd.Series) else pd.Series(np.asarray(values))
        if col.ndim != 1 or len(col) != yv.size:
            raise ConfigError(
                f"groups[{name!r}] must have one value per element of y; got {len(col)} values, y has {yv.size}"
            )
        columns[name] = col

    settings = {"threshold": t, "n_boot": b, "seed": s, "level": lev}
    overall = _subgroup_row(yv, pv, **settings)
    reasons = _flag_reasons(overall, None)
    rows = [
        {"grouping": "overall", "level": "all", **overall, "flag": bool(reasons), "flag_reason": "; ".join(reasons)}
    ]
    nan_row = dict.fromkeys(overall, math.nan)
    for name, col in columns.items():
        for value in _levels(col):
            mask = col.eq(value).to_numpy(dtype=bool, na_value=False)
            ys, ps = yv[mask], pv[mask]
            base = {"grouping": name, "level": value}
            if ys.size < mn:
                rows.append({**base, **nan_row, "n": ys.size, "flag": False, "flag_reason": "too few"})
            elif ys.min() == ys.max():
                prev = float(ys.mean())
                rows.append(
                    {
                        **base,
                        **nan_row,
                        "n": ys.size,
                        "prevalence": prev,
                        "flag": False,
                        "flag_reason": "one outcome class",
                    }
                )
            else:
                r = _subgroup_row(ys, ps, **settings)
                reasons = _flag_reasons(r, overall["auroc"])
                rows.append({**base, **r, "flag": bool(reasons), "flag_reason": "; ".join(reasons)})
    order = ["grouping", "level", "n", "prevalence", "auroc", "auroc_lo", "auroc_hi", "auroc_expected"]
    order += [f"{k}{e}" for k in ("cal_intercept", "cal_slope") for e in ("", "_lo", "_hi")]
    out = pd.DataFrame(rows, columns=[*order, "sensitivity", "specificity", "flag", "flag_reason"])
    out["n"] = out["n"].astype(np.int64)
    out["flag"] = out["flag"].astype(bool)
    return out
