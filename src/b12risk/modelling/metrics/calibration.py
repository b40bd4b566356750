"""Calibration: intercept and slope (Van Calster et al. 2016), the integrated calibration
index and the smoothed calibration curve (Austin & Steyerberg 2019), and the vectorised
logistic fits that bootstrap resamples use.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
from numpy.typing import ArrayLike

from b12risk.logodds import expit, logit
from b12risk.modelling.metrics._checks import _check_prob, _check_unit, _check_y, _vector

__all__ = [
    "LOWESS_FRAC",
    "P_CLIP",
    "calibration_intercept_slope",
    "integrated_calibration_index",
    "smoothed_calibration_curve",
]

#: Probabilities are clipped to [P_CLIP, 1 - P_CLIP] before taking logits.
P_CLIP = 1e-10
#: Smoothing span of the lowess calibration curve (R's loess default, as Austin & Steyerberg used).
LOWESS_FRAC = 0.75


def _newton_logistic(
    gtot: np.ndarray,
    gpos: np.ndarray,
    x: np.ndarray,
    *,
    slope: bool,
    start: tuple[float, float] | None = None,
    tol: float = 1e-5,
    max_iter: int = 50,
) -> tuple[np.ndarray, np.ndarray]:
    """Binomial logistic fits by guarded Newton steps, one per row of ``gtot``.

    Column ``j`` holds ``gtot[:, j]`` trials with ``gpos[:, j]`` events at covariate
    ``x[j]`` (increasing). With ``slope=False`` the model is ``logit P = a + x`` (``x``
    an offset) and the returned ``b`` is 1; with ``slope=True`` it is ``a + b x``.
    ``start`` is the initial ``(a, b)``; by default the null model (``b = 0``) or, for
    the offset model, ``a = 0``. Rows without both events and non-events, or that do
    not converge, get NaN.

    A Newton step that moves no linear predictor by more than 1/2 always raises the
    log-likelihood (along it, the curvature ``sum w mu (1 - mu) d^2`` changes by a factor
    of at most ``e^(1/2) < 2``), so it is taken without evaluating the likelihood;
    longer steps are halved until the likelihood does not fall. A row stops once a full
    step moves each parameter by less than ``tol``; Newton's quadratic convergence
    then leaves an error of order ``tol**2``.
    """
    from scipy.special import expit  # scipy loads only when a calibration is fitted

    k = gtot.shape[0]
    wy, tot = gpos.sum(axis=1), gtot.sum(axis=1)
    ok = (wy > 0) & (wy < tot)
    shared_start = start is not None and all(math.isfinite(v) for v in start)
    if shared_start:
        a, b = np.full(k, start[0]), np.full(k, start[1] if slope else 1.0)
    elif slope:
        a, b = np.log(np.where(ok, wy, 1.0)) - np.log(np.where(ok, tot - wy, 1.0)), np.zeros(k)
    else:
        a, b = np.zeros(k), np.ones(k)
    wxy, x2 = gpos @ x, x * x

    def linear(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return a[:, None] + (b[:, None] * x if slope else x)

    def loglik(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        eta = linear(a, b)
        e = np.exp(-np.abs(eta))
        mu = np.where(eta >= 0.0, 1.0, e) / (1.0 + e)
        softplus = np.log1p(e) + np.maximum(eta, 0.0)
        return np.sum(gpos * eta, axis=1) - np.sum(gtot * softplus, axis=1), mu

    mu, ll = expit(linear(a[:1], b[:1]) if shared_start else linear(a, b)), None  # one row broadcasts
    done = ~ok
    for _ in range(max_iter):
        wmu = gtot * mu
        g0 = wy - wmu.sum(axis=1)
        v = wmu - wmu * mu
        h00 = v.sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            if slope:
                g1 = wxy - wmu @ x
                h01, h11 = v @ x, v @ x2
                det = h00 * h11 - h01 * h01
                da, db = (h11 * g0 - h01 * g1) / det, (h00 * g1 - h01 * g0) / det
            else:
                da, db = g0 / h00, np.zeros(k)
        ok &= np.isfinite(da) & np.isfinite(db)
        frozen = done | ~ok
        da[frozen], db[frozen] = 0.0, 0.0
        step = np.ones(k)
        if np.all(np.maximum(np.abs(da + db * x[0]), np.abs(da + db * x[-1])) <= 0.5):
            mu, ll = expit(linear(a + da, b + db)), None
        else:
            if ll is None:
                ll, _ = loglik(a, b)
            for _ in range(40):
                new_ll, new_mu = loglik(a + step * da, b + step * db)
                worse = ~(new_ll >= ll - 1e-9 * (1.0 + np.abs(ll)))
                if not worse.any():
                    break
                step[worse] /= 2.0
            else:
                ok &= ~worse
            mu, ll = new_mu, new_ll
        a, b = a + step * da, b + step * db
        done |= (step == 1.0) & (np.abs(da) < tol) & (np.abs(db) < tol)
        if done.all():
            break
    failed = ~(ok & done)
    a[failed], b[failed] = np.nan, np.nan
    return a, b


def calibration_intercept_slope(y: ArrayLike, p: ArrayLike) -> tuple[float, float]:
    """Calibration intercept and slope (Van Calster et al. 2016).

    Parameters
    ----------
    y : array-like of 0/1
        Observed outcomes.
    p : array-like of float in [0, 1]
        Predicted probabilities; clipped to ``[1e-10, 1 - 1e-10]`` before ``logit``.

    Returns
    -------
    intercept : float
        Intercept of ``logit P(y=1) = a + logit(p)`` (``logit(p)`` an offset); 0 when
        the mean risk is right, negative when ``p`` is too high on average.
    slope : float
        ``b`` of ``logit P(y=1) = a + b logit(p)``; 1 when ideal, below 1 when ``p`` is
        too extreme (overfitting), above 1 when too modest.

    Both are NaN when ``y`` has a single class; the slope is NaN when ``logit(p)``
    separates the classes (the fit has no finite maximum). Fitted with statsmodels'
    binomial GLM.

    Examples
    --------
    >>> a, b = calibration_intercept_slope([0, 1, 0, 1, 1, 0], [0.2, 0.7, 0.4, 0.6, 0.3, 0.5])
    >>> round(a, 3), round(b, 3)
    (0.228, 1.557)
    """
    yv = _check_y(y)
    pv = _check_prob(p, yv)
    if yv.min() == yv.max():
        return (math.nan, math.nan)
    # statsmodels is heavy: it loads on the first calibration fit, not with b12risk
    from statsmodels.genmod import families
    from statsmodels.genmod.generalized_linear_model import GLM
    from statsmodels.tools.sm_exceptions import PerfectSeparationWarning

    x = logit(pv, clip=P_CLIP)
    ones = np.ones((yv.size, 1))
    pos, neg = x[yv == 1], x[yv == 0]
    separated = neg.max() <= pos.min() or pos.max() <= neg.min()
    out = [_intercept(yv, x), math.nan]
    if not separated:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", PerfectSeparationWarning)
            res = GLM(yv, np.column_stack([ones, x]), family=families.Binomial()).fit(tol=1e-10)
        if res.converged and not any(issubclass(c.category, PerfectSeparationWarning) for c in caught):
            out[1] = float(res.params[1])
    return (out[0], out[1])


def _intercept(y: np.ndarray, x: np.ndarray) -> float:
    """Maximum-likelihood ``a`` of ``logit P(y=1) = a + x``: the root of its score,
    ``sum(y) - sum(expit(a + x))``, which falls strictly as ``a`` rises.

    Solved by bracketing rather than by IRLS: with a few events at a clipped log-odds of
    -23 or non-events at +23 (an oracle certain of a row that turns out otherwise) IRLS
    can report convergence at an absurd value (3.9e15 was seen in africa_asia_high).
    """
    from scipy.optimize import brentq  # scipy comes with statsmodels; loaded when needed

    events = float(y.sum())

    def score(a: float) -> float:
        return events - float(expit(a + x).sum())

    lo, hi = -1.0, 1.0
    while score(lo) < 0:
        lo *= 2
    while score(hi) > 0:
        hi *= 2
    return float(brentq(score, lo, hi, xtol=1e-12, rtol=1e-12))


def _lowess_fit(y: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Lowess estimate of P(y=1 | p) at each row (local linear, span 0.75, no robustness steps)."""
    from statsmodels.nonparametric.smoothers_lowess import lowess  # heavy: loaded on first use

    span = float(p.max() - p.min())
    if span == 0.0:  # one distinct prediction: the smooth is the observed proportion
        return np.full(p.size, y.mean())
    with np.errstate(divide="ignore", invalid="ignore"):  # a window with one distinct p gives NaN there
        return lowess(y, p, frac=LOWESS_FRAC, it=0, delta=0.005 * span, return_sorted=False)


def integrated_calibration_index(y: ArrayLike, p: ArrayLike) -> dict[str, float]:
    """Integrated calibration index with its median and 90th percentile (Austin & Steyerberg 2019).

    The observed risk at each ``p`` is a lowess smooth of ``y`` on ``p``; the absolute
    differences ``|p - smooth(p)|`` over the rows give ``ici`` (mean), ``e50`` (median)
    and ``e90`` (90th percentile). The smoother is statsmodels' local-linear lowess with
    span 0.75 and no robustness iterations (those down-weight "outlying" 0/1 outcomes,
    which is wrong for binary data); Austin & Steyerberg used R's ``loess``, local
    quadratic by default, so values can differ slightly from theirs.

    Parameters
    ----------
    y : array-like of 0/1
    p : array-like of float in [0, 1]

    Returns
    -------
    dict
        ``{"ici": ..., "e50": ..., "e90": ...}``, on the probability scale.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(1)
    >>> p = rng.uniform(0.05, 0.6, 5000)
    >>> y = (rng.random(5000) < p).astype(int)
    >>> integrated_calibration_index(y, p)["ici"] < 0.02
    True
    """
    yv = _check_y(y)
    pv = _check_prob(p, yv)
    err = np.abs(pv - _lowess_fit(yv, pv))
    return {"ici": float(err.mean()), "e50": float(np.median(err)), "e90": float(np.quantile(err, 0.9))}


def smoothed_calibration_curve(
    y: ArrayLike, p: ArrayLike, grid: ArrayLike | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Lowess calibration curve (observed risk against predicted risk) for plotting.

    Uses the same smoother as :func:`integrated_calibration_index`.

    Parameters
    ----------
    y : array-like of 0/1
    p : array-like of float in [0, 1]
    grid : array-like of float in [0, 1], optional
        Predicted risks at which to evaluate the curve. By default 101 points from the
        1st to the 99th percentile of ``p`` (the smooth is unstable where data are sparse).

    Returns
    -------
    grid : numpy.ndarray
    observed : numpy.ndarray
        Smoothed observed risk at each grid point; NaN outside ``[min(p), max(p)]``.
        Not clipped to [0, 1].

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(1)
    >>> p = rng.uniform(0.05, 0.6, 5000)
    >>> y = (rng.random(5000) < p).astype(int)
    >>> g, obs = smoothed_calibration_curve(y, p, grid=[0.1, 0.3, 0.5])
    >>> bool(np.all(np.abs(obs - g) < 0.05))
    True
    """
    yv = _check_y(y)
    pv = _check_prob(p, yv)
    if grid is None:
        lo, hi = np.quantile(pv, [0.01, 0.99])
        g = np.linspace(lo, hi, 101)
    else:
        g = _check_unit(_vector(grid, "grid"), "grid")
    fitted = _lowess_fit(yv, pv)
    xs, first = np.unique(pv, return_index=True)
    return g, np.interp(g, xs, fitted[first], left=np.nan, right=np.nan)
