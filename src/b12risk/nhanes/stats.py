"""Survey-weighted summaries and the discrimination statistics the external validation reports.

NHANES is a complex survey: a share, a percentile or a calibration figure describes the
US population only when each participant counts by their examination weight. The AUROC
with its 95% interval (DeLong) is computed on the sample, unweighted, as NHANES
prediction studies usually report it; :func:`weighted_auroc` gives the weighted point
estimate beside it.

Examples
--------
>>> import numpy as np
>>> weighted_share(np.array([True, False, False]), np.array([2.0, 1.0, 1.0]))
0.5
>>> round(auroc_delong(np.array([0, 0, 1, 1]), np.array([0.1, 0.4, 0.35, 0.8]))[0], 2)
0.75
"""

from __future__ import annotations

import math
import warnings

import numpy as np

__all__ = [
    "auroc_delong",
    "auroc_difference_delong",
    "weighted_auroc",
    "weighted_auroc_difference",
    "weighted_calibration",
    "weighted_mean",
    "weighted_net_benefit",
    "weighted_quantile",
    "weighted_share",
]


def _valid(values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    return np.isfinite(values) & np.isfinite(weights) & (weights > 0)


def weighted_share(flag: np.ndarray, weights: np.ndarray) -> float:
    """Weighted share of rows where ``flag`` is true (NaN rows, if float, are left out)."""
    f = np.asarray(flag, dtype=np.float64)
    w = np.asarray(weights, dtype=np.float64)
    ok = _valid(f, w)
    return float(np.sum(w[ok] * f[ok]) / np.sum(w[ok])) if ok.any() else math.nan


def weighted_mean(values: np.ndarray, weights: np.ndarray) -> float:
    """Weighted mean over the rows where ``values`` is finite."""
    return weighted_share(values, weights)


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float | np.ndarray) -> np.ndarray | float:
    """Weighted quantile(s): the inverse of the weighted empirical CDF (numpy's ``inverted_cdf``)."""
    v = np.asarray(values, dtype=np.float64)
    w = np.asarray(weights, dtype=np.float64)
    ok = _valid(v, w)
    if not ok.any():
        return np.full(np.shape(q), np.nan) if np.ndim(q) else math.nan
    out = np.quantile(v[ok], q, weights=w[ok], method="inverted_cdf")
    return out if np.ndim(q) else float(out)


def _placements(y: np.ndarray, score: np.ndarray) -> tuple[float, np.ndarray, np.ndarray] | None:
    """AUROC and DeLong's placement values of the positives (V10) and negatives (V01), by midranks."""
    from scipy.stats import rankdata

    yv = np.asarray(y).astype(bool)
    s = np.asarray(score, dtype=np.float64)
    pos, neg = s[yv], s[~yv]
    m, n = pos.size, neg.size
    if m < 2 or n < 2:
        return None
    tz = rankdata(np.concatenate([pos, neg]))
    tx, ty = rankdata(pos), rankdata(neg)
    auc = float((tz[:m].sum() - m * (m + 1) / 2) / (m * n))
    return auc, (tz[:m] - tx) / n, 1.0 - (tz[m:] - ty) / m


def auroc_delong(y: np.ndarray, score: np.ndarray, level: float = 0.95) -> tuple[float, float, float]:
    """AUROC (ties count one half) and its DeLong confidence interval, unweighted.

    DeLong ER, DeLong DM, Clarke-Pearson DL. Biometrics 1988;44:837-45, computed with
    midranks (Sun X, Xu W. IEEE Signal Process Lett 2014;21:1389-93). The interval is
    formed on the logit scale and kept inside (0, 1).

    Returns
    -------
    auroc, lo, hi : float
        NaN when ``y`` has fewer than two rows of either class.
    """
    from scipy.stats import norm

    placed = _placements(y, score)
    if placed is None:
        return (math.nan, math.nan, math.nan)
    auc, v10, v01 = placed
    var = np.var(v10, ddof=1) / v10.size + np.var(v01, ddof=1) / v01.size
    if not 0.0 < auc < 1.0 or var <= 0:
        return (auc, auc, auc)
    z = norm.ppf(0.5 + level / 2)
    lg = math.log(auc / (1 - auc))
    se = math.sqrt(var) / (auc * (1 - auc))
    lo, hi = lg - z * se, lg + z * se
    return (auc, 1 / (1 + math.exp(-lo)), 1 / (1 + math.exp(-hi)))


def auroc_difference_delong(
    y: np.ndarray, score_a: np.ndarray, score_b: np.ndarray, level: float = 0.95
) -> tuple[float, float, float]:
    """``AUROC(a) - AUROC(b)`` on the same rows, with DeLong's paired confidence interval.

    The two AUROCs are correlated (same people); the paired variance uses the covariance
    of their placement values (DeLong et al. 1988), so it is narrower than comparing two
    separate intervals.

    Returns
    -------
    diff, lo, hi : float
        NaN when ``y`` has fewer than two rows of either class.
    """
    from scipy.stats import norm

    a, b = _placements(y, score_a), _placements(y, score_b)
    if a is None or b is None:
        return (math.nan, math.nan, math.nan)
    diff = a[0] - b[0]
    var = 0.0
    for va, vb in ((a[1], b[1]), (a[2], b[2])):
        cov = np.cov(np.vstack([va, vb]), ddof=1)
        var += (cov[0, 0] + cov[1, 1] - 2 * cov[0, 1]) / va.size
    half = norm.ppf(0.5 + level / 2) * math.sqrt(max(var, 0.0))
    return (diff, diff - half, diff + half)


def weighted_auroc(y: np.ndarray, score: np.ndarray, weights: np.ndarray) -> float:
    """Survey-weighted AUROC (the probability that a weighted random case outranks a weighted random control)."""
    from sklearn.metrics import roc_auc_score

    yv = np.asarray(y).astype(int)
    if yv.min() == yv.max():
        return math.nan
    return float(roc_auc_score(yv, np.asarray(score, dtype=np.float64), sample_weight=np.asarray(weights)))


def _weighted_aurocs(y: np.ndarray, score: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Weighted AUROC (ties one half) of ``score`` for each row of ``weights`` (replicates x rows)."""
    yv = np.asarray(y).astype(bool)
    order = np.argsort(score, kind="stable")
    s, case = np.asarray(score, dtype=np.float64)[order], yv[order]
    w = np.atleast_2d(weights)[:, order]
    starts = np.flatnonzero(np.r_[True, s[1:] != s[:-1]])  # one group per distinct score
    cases = np.add.reduceat(np.where(case, w, 0.0), starts, axis=1)
    controls = np.add.reduceat(np.where(case, 0.0, w), starts, axis=1)
    below = np.cumsum(controls, axis=1) - controls  # control weight strictly below each group
    pairs = cases.sum(axis=1) * controls.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (cases * (below + 0.5 * controls)).sum(axis=1) / pairs


def weighted_auroc_difference(
    y: np.ndarray,
    score_a: np.ndarray,
    score_b: np.ndarray,
    weights: np.ndarray,
    stratum: np.ndarray,
    psu: np.ndarray,
) -> tuple[float, float, int]:
    """Survey-weighted ``AUROC(a) - AUROC(b)`` on the same rows, with its design-based SE.

    The standard error is the delete-one-PSU jackknife within strata (JKn; Wolter,
    *Introduction to Variance Estimation*, 2nd ed., 2007, ch. 4): for each PSU in turn its
    rows get weight 0 and the other PSUs of its stratum are scaled by ``n_h / (n_h - 1)``;
    the variance is ``sum_h (n_h - 1) / n_h * sum_j (d_hj - d)^2`` around the full-sample
    difference ``d``. The degrees of freedom are PSUs minus strata, as NHANES' analytic
    guidelines use. Strata with one PSU among the rows cannot be resampled and are left
    out of the variance (and of the degrees of freedom).

    Parameters
    ----------
    y : array of bool
        The outcome.
    score_a, score_b : array of float
        Two scores of the same rows (higher = more likely an event).
    weights : array of float
        Survey weights.
    stratum, psu : array
        The design's (pseudo-)strata and PSUs; a PSU is identified within its stratum.

    Returns
    -------
    diff, se, df : float, float, int
        NaN difference and SE when either class has no weight; NaN SE when no stratum has
        two PSUs (``df`` 0).

    Examples
    --------
    >>> y = np.array([0, 1, 0, 1, 0, 1, 0, 1])
    >>> a, b = np.arange(8.0), np.zeros(8)
    >>> d, se, df = weighted_auroc_difference(y, a, b, np.ones(8), np.array([1, 1, 1, 1, 2, 2, 2, 2]), np.array([1, 1, 2, 2, 1, 1, 2, 2]))
    >>> round(d, 4), df
    (0.125, 2)
    """
    w = np.asarray(weights, dtype=np.float64)
    yv = np.asarray(y).astype(bool)
    strata = np.asarray(stratum)
    units = np.asarray(psu)
    replicates, factors, resampled = [w], [], 0  # row 0: the full sample
    for h in np.unique(strata):
        in_h = strata == h
        members = np.unique(units[in_h])
        if members.size < 2:
            continue
        resampled += 1
        scale = members.size / (members.size - 1)
        for j in members:
            rw = w.copy()
            rw[in_h] *= scale
            rw[in_h & (units == j)] = 0.0
            replicates.append(rw)
            factors.append((members.size - 1) / members.size)
    rw = np.vstack(replicates)
    d = _weighted_aurocs(yv, score_a, rw) - _weighted_aurocs(yv, score_b, rw)  # one sort per score
    full = float(d[0])
    if not math.isfinite(full):
        return (math.nan, math.nan, 0)
    if not factors:
        return (full, math.nan, 0)
    var = float(np.sum(np.asarray(factors) * (d[1:] - full) ** 2))
    return (full, math.sqrt(var), len(factors) - resampled)


def weighted_calibration(y: np.ndarray, p: np.ndarray, weights: np.ndarray) -> dict[str, float]:
    """Survey-weighted calibration of probabilities ``p`` against outcomes ``y``.

    Returns
    -------
    dict
        ``observed`` and ``predicted`` (weighted means), ``oe`` (their ratio),
        ``intercept`` (logistic regression of ``y`` with ``logit(p)`` as offset; 0 is
        ideal, negative when ``p`` is too high) and ``slope`` (on ``logit(p)``; 1 is
        ideal, below 1 when ``p`` is too extreme), fitted by statsmodels' binomial GLM
        with the weights as variance weights (Van Calster et al. 2016).
    """
    from statsmodels.genmod import families
    from statsmodels.genmod.generalized_linear_model import GLM

    yv = np.asarray(y, dtype=np.float64)
    pv = np.clip(np.asarray(p, dtype=np.float64), 1e-10, 1 - 1e-10)
    w = np.asarray(weights, dtype=np.float64)
    w = w * (w.size / w.sum())
    observed, predicted = weighted_share(yv, w), weighted_mean(pv, w)
    out = {"observed": observed, "predicted": predicted, "oe": observed / predicted, "intercept": math.nan}
    out["slope"] = math.nan
    if yv.min() == yv.max():
        return out
    x = np.log(pv / (1 - pv))
    ones = np.ones((yv.size, 1))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            fit = GLM(yv, ones, family=families.Binomial(), offset=x, var_weights=w).fit(tol=1e-10)
            if fit.converged:
                out["intercept"] = float(fit.params[0])
            fit = GLM(yv, np.column_stack([ones, x]), family=families.Binomial(), var_weights=w).fit(tol=1e-10)
            if fit.converged:
                out["slope"] = float(fit.params[1])
        except (np.linalg.LinAlgError, ValueError):  # pragma: no cover - separation on tiny sets
            pass
    return out


def weighted_net_benefit(y: np.ndarray, p: np.ndarray, weights: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """Survey-weighted net benefit of testing rows with ``p >= t`` (Vickers & Elkin 2006), per threshold."""
    yv = np.asarray(y).astype(bool)
    pv = np.asarray(p, dtype=np.float64)
    w = np.asarray(weights, dtype=np.float64) / np.sum(weights)
    t = np.asarray(thresholds, dtype=np.float64)
    chosen = pv[None, :] >= t[:, None]
    tp = (chosen & yv[None, :]) @ w
    fp = (chosen & ~yv[None, :]) @ w
    return tp - fp * t / (1 - t)
