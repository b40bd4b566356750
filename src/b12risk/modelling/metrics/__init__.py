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

from __future__ import annotations

import math
import warnings
from collections.abc import Iterator, Mapping
from numbers import Integral, Real

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from b12risk.errors import ConfigError
from b12risk.logodds import logit

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

#: Keys of :func:`summary` and :func:`bootstrap_ci`, in order.
SUMMARY_KEYS = (
    "n",
    "prevalence",
    "auroc",
    "auprc",
    "brier",
    "log_loss",
    "cal_intercept",
    "cal_slope",
    "ece",
    "sensitivity",
    "specificity",
)
#: A subgroup is flagged when its whole calibration-slope interval lies outside this band.
SLOPE_BAND = (0.8, 1.25)
#: A subgroup is flagged when its whole calibration-intercept interval lies beyond +/- this.
INTERCEPT_TOLERANCE = 0.2
#: Probabilities are clipped to [P_CLIP, 1 - P_CLIP] before taking logits.
P_CLIP = 1e-10
#: Smoothing span of the lowess calibration curve (R's loess default, as Austin & Steyerberg used).
LOWESS_FRAC = 0.75
#: Sizes the bootstrap blocks: resamples per block times rows stays below this.
_BLOCK_ELEMENTS = 1_000_000
_LOG_LOSS_EPS = float(np.finfo(np.float64).eps)  # the clipping scikit-learn's log_loss applies
_RESERVED_STRATEGIES = ("test all", "test none")


# ----------------------------------------------------------------------------- validation


def _vector(values: ArrayLike, name: str) -> np.ndarray:
    """``values`` as a non-empty 1-D float array (pandas missing values become NaN)."""
    try:
        if isinstance(values, pd.Series | pd.Index | pd.api.extensions.ExtensionArray):
            arr = pd.Series(values).to_numpy(dtype=np.float64, na_value=np.nan)
        else:
            arr = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{name} must be an array of numbers; it could not be converted ({exc})") from None
    if arr.ndim != 1:
        raise ConfigError(f"{name} must be one-dimensional; got an array of shape {arr.shape}")
    if arr.size == 0:
        raise ConfigError(f"{name} must not be empty")
    return arr


def _first(mask: np.ndarray) -> int:
    return int(np.flatnonzero(mask)[0])


def _check_y(y: ArrayLike) -> np.ndarray:
    arr = _vector(y, "y")
    bad = (arr != 0) & (arr != 1)
    if bad.any():
        i = _first(bad)
        raise ConfigError(f"y must contain only 0 and 1; got {float(arr[i])!r} at index {i}")
    return arr


def _check_same_length(y: np.ndarray, values: np.ndarray, name: str) -> None:
    if values.shape[0] != y.shape[0]:
        raise ConfigError(
            f"{name} must have one value per element of y; got {values.shape[0]} values, y has {y.shape[0]}"
        )


def _check_unit(arr: np.ndarray, name: str) -> np.ndarray:
    bad = ~((arr >= 0) & (arr <= 1))  # NaN fails both comparisons
    if bad.any():
        i = _first(bad)
        raise ConfigError(f"{name} must lie in [0, 1]; got {float(arr[i])!r} at index {i}")
    return arr


def _check_prob(p: ArrayLike, y: np.ndarray, name: str = "p") -> np.ndarray:
    arr = _vector(p, name)
    _check_same_length(y, arr, name)
    return _check_unit(arr, name)


def _check_score(score: ArrayLike, y: np.ndarray, name: str = "score") -> np.ndarray:
    arr = _vector(score, name)
    _check_same_length(y, arr, name)
    bad = ~np.isfinite(arr)
    if bad.any():
        i = _first(bad)
        raise ConfigError(f"{name} must be finite real numbers; got {float(arr[i])!r} at index {i}")
    return arr


def _check_int(value: object, name: str, func: str, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral) or value < low:
        raise ConfigError(
            f"The '{name}' parameter of {func} must be an int in the range [{low}, inf). Got {value!r} instead."
        )
    return int(value)


def _check_real(value: object, name: str, func: str, interval: str) -> float:
    """``interval`` is "[0, 1]" or "(0, 1)"."""
    ok = isinstance(value, Real) and not isinstance(value, bool) and math.isfinite(value)
    if ok:
        v = float(value)
        ok = 0.0 <= v <= 1.0 if interval == "[0, 1]" else 0.0 < v < 1.0
    if not ok:
        raise ConfigError(
            f"The '{name}' parameter of {func} must be a float in the range {interval}. Got {value!r} instead."
        )
    return float(value)


def _check_thresholds(thresholds: ArrayLike) -> np.ndarray:
    t = _vector([thresholds] if np.ndim(thresholds) == 0 else thresholds, "thresholds")
    bad = ~((t >= 0) & (t < 1))
    if bad.any():
        i = _first(bad)
        raise ConfigError(f"thresholds must lie in [0, 1); got {float(t[i])!r} at index {i}")
    return t


# ----------------------------------------------------------------------------- helpers


def _divide(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """``num / den``, NaN where ``den`` is not positive."""
    return np.divide(num, den, out=np.full(np.shape(num), np.nan), where=den > 0)


def _tie_starts(sorted_values: np.ndarray) -> np.ndarray:
    """Start index of each run of equal values in a sorted array."""
    return np.flatnonzero(np.r_[True, sorted_values[1:] != sorted_values[:-1]])


def _interval(values: np.ndarray, level: float) -> tuple[float, float]:
    """Percentile interval of the finite values (resamples with an undefined metric are dropped)."""
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return (math.nan, math.nan)
    alpha = (1.0 - level) / 2.0
    lo, hi = np.quantile(finite, [alpha, 1.0 - alpha])
    return (float(lo), float(hi))


_CAL_BINS = 2000


def _resamples(rng: np.random.Generator, n: int, n_boot: int) -> Iterator[np.ndarray]:
    """Blocks of bootstrap resamples, each row the counts of how often each original row was drawn."""
    block = max(1, _BLOCK_ELEMENTS // n)
    for start in range(0, n_boot, block):
        b = min(block, n_boot - start)
        idx = rng.integers(0, n, size=(b, n))
        flat = (idx + (np.arange(b) * n)[:, None]).ravel()
        yield np.bincount(flat, minlength=b * n).reshape(b, n).astype(np.float64)


class _Ranking:
    """A score sorted once, so that AUROC and average precision of many weightings are cheap.

    Rows with tied scores are pooled into one group: a tie counts one half in AUROC and
    enters average precision as one threshold.
    """

    def __init__(self, score: np.ndarray):
        self.order = np.argsort(score, kind="stable")
        self.starts = _tie_starts(score[self.order])
        self.levels = score[self.order][self.starts]

    def pooled(self, w: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Total and positive weight per tie group (increasing score), one row per weighting."""
        ws = w[:, self.order]
        return np.add.reduceat(ws, self.starts, axis=1), np.add.reduceat(ws * y[self.order], self.starts, axis=1)

    @staticmethod
    def auroc(gpos: np.ndarray, gneg: np.ndarray) -> np.ndarray:
        below = np.cumsum(gneg, axis=1) - gneg
        wins = np.sum(gpos * (below + 0.5 * gneg), axis=1)
        return _divide(wins, gpos.sum(axis=1) * gneg.sum(axis=1))

    @staticmethod
    def average_precision(gpos: np.ndarray, gneg: np.ndarray) -> np.ndarray:
        pos_d, neg_d = gpos[:, ::-1], gneg[:, ::-1]  # highest score first
        tp = np.cumsum(pos_d, axis=1)
        called = tp + np.cumsum(neg_d, axis=1)
        precision = np.divide(tp, called, out=np.zeros_like(tp), where=called > 0)
        ap = _divide(np.sum(pos_d * precision, axis=1), gpos.sum(axis=1))
        ap[~(gneg.sum(axis=1) > 0)] = np.nan
        return ap


def _auroc(y: np.ndarray, score: np.ndarray) -> float:
    """Mann-Whitney AUROC of one unweighted sample (NaN with a single class)."""
    gtot, gpos = _Ranking(score).pooled(np.ones((1, y.size)), y)
    return float(_Ranking.auroc(gpos, gtot - gpos)[0])


def _expected_auroc(p: np.ndarray) -> float:
    """AUROC expected if ``p`` were the true risks: the model-based concordance of
    van Klaveren et al., Stat Med 2016, each ordered pair of distinct rows weighted ``p_i (1 - p_j)``."""
    r = _Ranking(p)
    gtot, gpos = r.pooled(np.ones((1, p.size)), p)
    gneg = gtot - gpos
    below = np.cumsum(gneg, axis=1) - gneg
    self_pairs = float(np.sum(p * (1.0 - p)))
    wins = float(np.sum(gpos * (below + 0.5 * gneg))) - 0.5 * self_pairs
    pairs = float(gpos.sum() * gneg.sum()) - self_pairs
    return wins / pairs if pairs > 0 else math.nan


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
    from scipy.special import expit

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


class _Engine:
    """Every summary metric as a weighted metric of the original rows, for many weightings at once.

    A weighting of all ones gives the ordinary metric; a bootstrap resample is the
    weighting that counts how often each row was drawn. Calibration fits of resamples
    start from the fit to the whole sample, a few Newton steps from their optimum.
    """

    def __init__(self, y: np.ndarray, p: np.ndarray, score: np.ndarray | None, threshold: float, n_bins: int = 10):
        self.y, self.n_bins = y, n_bins
        self.by_p = _Ranking(p)
        self.by_score = None if score is None else _Ranking(score)
        self.x_levels = logit(self.by_p.levels, clip=P_CLIP)
        q = np.clip(p, _LOG_LOSS_EPS, 1.0 - _LOG_LOSS_EPS)
        self.loss = -(y * np.log(q) + (1.0 - y) * np.log1p(-q))
        self.sq = (p - y) ** 2
        called = p >= threshold
        self.tp_rows, self.tn_rows = y * called, (1.0 - y) * ~called
        self._start: tuple[tuple[float, float], tuple[float, float]] | None = None

    def metrics(self, w: np.ndarray, *, calibration: bool = True) -> dict[str, np.ndarray]:
        y = self.y
        tot, wy = w.sum(axis=1), w @ y
        out = {
            "n": tot,
            "prevalence": wy / tot,
            "brier": (w @ self.sq) / tot,
            "log_loss": (w @ self.loss) / tot,
            "sensitivity": _divide(w @ self.tp_rows, wy),
            "specificity": _divide(w @ self.tn_rows, tot - wy),
        }
        gtot, gpos = self.by_p.pooled(w, y)
        out["ece"] = self._ece(gtot, gpos, tot)
        if self.by_score is None:
            rpos, rneg = gpos, gtot - gpos
        else:
            stot, spos = self.by_score.pooled(w, y)
            rpos, rneg = spos, stot - spos
        out["auroc"] = _Ranking.auroc(rpos, rneg)
        out["auprc"] = _Ranking.average_precision(rpos, rneg)
        if calibration:
            out["cal_intercept"], out["cal_slope"] = self._calibration(gtot, gpos)
        return out

    def _ece(self, gtot: np.ndarray, gpos: np.ndarray, tot: np.ndarray) -> np.ndarray:
        k, nb = gtot.shape[0], self.n_bins
        mid = np.cumsum(gtot, axis=1) - gtot / 2.0  # weighted rank of each tie group's middle
        bins = np.minimum(np.floor(mid * nb / tot[:, None]).astype(np.int64), nb - 1)
        flat = (bins + (np.arange(k) * nb)[:, None]).ravel()
        sum_p = np.bincount(flat, weights=(gtot * self.by_p.levels).ravel(), minlength=k * nb)
        sum_y = np.bincount(flat, weights=gpos.ravel(), minlength=k * nb)
        return np.abs(sum_p - sum_y).reshape(k, nb).sum(axis=1) / tot

    def _calibration(self, gtot: np.ndarray, gpos: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        x = self.x_levels
        starts = None
        if x.size > _CAL_BINS:
            # Resampled calibration fits on at most _CAL_BINS contiguous groups of logit(p),
            # each at its groups' mean: the intervals move by far less than their width,
            # and the cost falls from O(n) to O(_CAL_BINS) per Newton step.
            starts = np.linspace(0, x.size, _CAL_BINS + 1).astype(np.int64)[:-1]
            x = np.add.reduceat(x, starts) / np.diff(np.append(starts, x.size))

        def binned(t: np.ndarray, q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            if starts is None:
                return t, q
            return np.add.reduceat(t, starts, axis=1), np.add.reduceat(q, starts, axis=1)

        if self._start is None:
            t1, p1 = binned(*self.by_p.pooled(np.ones((1, self.y.size)), self.y))
            a0, _ = _newton_logistic(t1, p1, x, slope=False)
            a1, b1 = self._fit_slope(t1, p1, x, None)
            self._start = ((float(a0[0]), 1.0), (float(a1[0]), float(b1[0])))
        gtot, gpos = binned(gtot, gpos)
        intercept, _ = _newton_logistic(gtot, gpos, x, slope=False, start=self._start[0])
        _, slope = self._fit_slope(gtot, gpos, x, self._start[1])
        return intercept, slope

    @staticmethod
    def _fit_slope(
        gtot: np.ndarray, gpos: np.ndarray, x: np.ndarray, start: tuple[float, float] | None
    ) -> tuple[np.ndarray, np.ndarray]:
        """The slope fit, NaN where ``x`` separates the classes (no finite maximum)."""
        has_pos, has_neg = gpos > 0, (gtot - gpos) > 0
        last = x.size - 1  # x is increasing, so each class's extremes are its first and last groups
        lo_pos, hi_pos = x[np.argmax(has_pos, axis=1)], x[last - np.argmax(has_pos[:, ::-1], axis=1)]
        lo_neg, hi_neg = x[np.argmax(has_neg, axis=1)], x[last - np.argmax(has_neg[:, ::-1], axis=1)]
        separated = (hi_neg <= lo_pos) | (hi_pos <= lo_neg)
        a, b = _newton_logistic(gtot, gpos, x, slope=True, start=start)
        a[separated], b[separated] = np.nan, np.nan
        return a, b


# ----------------------------------------------------------------------------- calibration


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
    from statsmodels.genmod import families
    from statsmodels.genmod.generalized_linear_model import GLM
    from statsmodels.tools.sm_exceptions import PerfectSeparationWarning

    x = logit(pv, clip=P_CLIP)
    ones = np.ones((yv.size, 1))
    pos, neg = x[yv == 1], x[yv == 0]
    separated = neg.max() <= pos.min() or pos.max() <= neg.min()
    fits = [(GLM(yv, ones, family=families.Binomial(), offset=x), 0)]
    if not separated:
        fits.append((GLM(yv, np.column_stack([ones, x]), family=families.Binomial()), 1))
    out = [math.nan, math.nan]
    for model, which in fits:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", PerfectSeparationWarning)
            res = model.fit(tol=1e-10)
        if res.converged and not any(issubclass(c.category, PerfectSeparationWarning) for c in caught):
            out[which] = float(res.params[which])
    return (out[0], out[1])


def expected_calibration_error(y: ArrayLike, p: ArrayLike, n_bins: int = 10) -> float:
    """Expected calibration error over equal-frequency bins.

    Rows are sorted by ``p`` and cut into ``n_bins`` bins of (nearly) equal size; rows
    with equal ``p`` always share a bin (a tie group goes to the bin holding its middle
    rank), so heavy ties can leave bins unequal or empty. The ECE is the mean over bins
    of ``|mean p - mean y|`` weighted by bin size, i.e.
    ``sum_bins |sum p - sum y| / n``.

    Parameters
    ----------
    y : array-like of 0/1
    p : array-like of float in [0, 1]
    n_bins : int, default 10

    Returns
    -------
    float

    Examples
    --------
    >>> expected_calibration_error([0, 0, 1, 1, 1, 0], [0.1, 0.2, 0.3, 0.7, 0.8, 0.9], n_bins=2)
    0.1333...
    """
    yv = _check_y(y)
    pv = _check_prob(p, yv)
    nb = _check_int(n_bins, "n_bins", "expected_calibration_error", 1)
    m = _Engine(yv, pv, None, 0.5, n_bins=nb).metrics(np.ones((1, yv.size)), calibration=False)
    return float(m["ece"][0])


def _lowess_fit(y: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Lowess estimate of P(y=1 | p) at each row (local linear, span 0.75, no robustness steps)."""
    from statsmodels.nonparametric.smoothers_lowess import lowess

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


# ----------------------------------------------------------------------------- summaries


def summary(y: ArrayLike, p: ArrayLike, *, threshold: float, score: ArrayLike | None = None) -> dict[str, float]:
    """Discrimination, accuracy and calibration of predicted probabilities.

    Parameters
    ----------
    y : array-like of 0/1
        Observed outcomes.
    p : array-like of float in [0, 1]
        Predicted probabilities.
    threshold : float in [0, 1]
        A row is called positive when ``p >= threshold`` (for sensitivity, specificity).
    score : array-like of float, optional
        Ranks rows for ``auroc`` and ``auprc`` instead of ``p`` (for a rules-based score
        that is not a probability); every other metric still uses ``p``.

    Returns
    -------
    dict
        Keys :data:`SUMMARY_KEYS`: ``n``, ``prevalence``, ``auroc`` (ties count one
        half), ``auprc`` (average precision), ``brier``, ``log_loss`` (``p`` clipped to
        machine epsilon, as scikit-learn does), ``cal_intercept``, ``cal_slope`` (see
        :func:`calibration_intercept_slope`), ``ece`` (10 bins, see
        :func:`expected_calibration_error`), ``sensitivity``, ``specificity``. With a
        single outcome class, the metrics that need both classes are NaN (``auroc``,
        ``auprc``, the calibration pair, and sensitivity or specificity); nothing raises.

    Examples
    --------
    >>> s = summary([0, 0, 1, 1], [0.1, 0.6, 0.4, 0.9], threshold=0.5)
    >>> s["auroc"], s["sensitivity"], s["specificity"]
    (0.75, 0.5, 0.5)
    """
    yv = _check_y(y)
    pv = _check_prob(p, yv)
    t = _check_real(threshold, "threshold", "summary", "[0, 1]")
    sv = None if score is None else _check_score(score, yv)
    m = _Engine(yv, pv, sv, t).metrics(np.ones((1, yv.size)), calibration=False)
    m["cal_intercept"], m["cal_slope"] = calibration_intercept_slope(yv, pv)
    return {k: float(np.asarray(m[k]).ravel()[0]) for k in SUMMARY_KEYS}


def bootstrap_ci(
    y: ArrayLike,
    p: ArrayLike,
    *,
    threshold: float,
    score: ArrayLike | None = None,
    n_boot: int = 200,
    seed: int = 0,
    level: float = 0.95,
) -> dict[str, tuple[float, float]]:
    """Percentile bootstrap intervals for every metric of :func:`summary`.

    Rows are resampled with replacement ``n_boot`` times from
    ``numpy.random.default_rng(seed)``. Resamples in which a metric is undefined (a
    single outcome class, or separation for the slope) are left out of that metric's
    interval; a metric undefined in every resample gets ``(nan, nan)``. The calibration
    pair in resamples is fitted by vectorised Newton steps, which agree with
    :func:`calibration_intercept_slope` to better than 1e-6.

    Parameters
    ----------
    y, p, threshold, score
        As for :func:`summary`.
    n_boot : int, default 200
        Number of resamples.
    seed : int, default 0
        Seed of the resampling generator; equal arguments give equal intervals.
    level : float in (0, 1), default 0.95
        Coverage of the intervals.

    Returns
    -------
    dict
        ``{metric: (lo, hi)}`` for each key of :data:`SUMMARY_KEYS`.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> p = rng.uniform(0.05, 0.95, 1000)
    >>> y = (rng.random(1000) < p).astype(int)
    >>> lo, hi = bootstrap_ci(y, p, threshold=0.5)["auroc"]
    >>> bool(lo < summary(y, p, threshold=0.5)["auroc"] < hi)
    True
    """
    yv = _check_y(y)
    pv = _check_prob(p, yv)
    t = _check_real(threshold, "threshold", "bootstrap_ci", "[0, 1]")
    sv = None if score is None else _check_score(score, yv)
    b = _check_int(n_boot, "n_boot", "bootstrap_ci", 1)
    s = _check_int(seed, "seed", "bootstrap_ci", 0)
    lev = _check_real(level, "level", "bootstrap_ci", "(0, 1)")
    eng = _Engine(yv, pv, sv, t)
    parts = [eng.metrics(w) for w in _resamples(np.random.default_rng(s), yv.size, b)]
    return {k: _interval(np.concatenate([m[k] for m in parts]), lev) for k in SUMMARY_KEYS}


def paired_auroc_difference(
    y: ArrayLike, score_a: ArrayLike, score_b: ArrayLike, *, n_boot: int = 200, seed: int = 0, level: float = 0.95
) -> dict[str, float]:
    """Difference in AUROC between two scores on the same rows, with a paired bootstrap interval.

    Both scores are evaluated on the same resamples, so the interval reflects the
    correlation between them (as for a model and a baseline scored on one cohort).

    Parameters
    ----------
    y : array-like of 0/1
    score_a, score_b : array-like of float
        Any real scores (higher means more likely positive).
    n_boot : int, default 200
    seed : int, default 0
    level : float in (0, 1), default 0.95

    Returns
    -------
    dict
        ``auroc_a``, ``auroc_b``, ``diff`` (``auroc_a - auroc_b``) and the percentile
        interval ``lo``, ``hi`` of the difference.

    Examples
    --------
    >>> d = paired_auroc_difference([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9], [0.1, 0.9, 0.8, 0.2], n_boot=50)
    >>> d["auroc_a"], d["auroc_b"], d["diff"]
    (1.0, 0.5, 0.5)
    """
    yv = _check_y(y)
    a = _check_score(score_a, yv, "score_a")
    bsc = _check_score(score_b, yv, "score_b")
    b = _check_int(n_boot, "n_boot", "paired_auroc_difference", 1)
    s = _check_int(seed, "seed", "paired_auroc_difference", 0)
    lev = _check_real(level, "level", "paired_auroc_difference", "(0, 1)")
    ra, rb = _Ranking(a), _Ranking(bsc)
    diffs = []
    for w in _resamples(np.random.default_rng(s), yv.size, b):
        (ta, pa), (tb, pb) = ra.pooled(w, yv), rb.pooled(w, yv)
        diffs.append(_Ranking.auroc(pa, ta - pa) - _Ranking.auroc(pb, tb - pb))
    auc_a, auc_b = _auroc(yv, a), _auroc(yv, bsc)
    lo, hi = _interval(np.concatenate(diffs), lev)
    return {"auroc_a": auc_a, "auroc_b": auc_b, "diff": auc_a - auc_b, "lo": lo, "hi": hi}


# ----------------------------------------------------------------------------- decision curves


def net_benefit(y: ArrayLike, p: ArrayLike, thresholds: ArrayLike) -> np.ndarray:
    """Net benefit of testing the rows with ``p >= t``, at each threshold ``t``.

    ``net benefit = TP/n - FP/n * t / (1 - t)``: true positives found, less false
    positives weighted by the odds at the threshold (Vickers & Elkin 2006).

    Parameters
    ----------
    y : array-like of 0/1
    p : array-like of float in [0, 1]
    thresholds : float or array-like of float in [0, 1)

    Returns
    -------
    numpy.ndarray
        One net benefit per threshold.

    Examples
    --------
    >>> net_benefit([1, 1, 0, 0, 1], [0.9, 0.4, 0.35, 0.8, 0.1], [0.3, 0.5])
    array([0.22857143, 0.        ])
    """
    yv = _check_y(y)
    pv = _check_prob(p, yv)
    t = _check_thresholds(thresholds)
    n = yv.size
    pos, neg = np.sort(pv[yv == 1]), np.sort(pv[yv == 0])
    tp = pos.size - np.searchsorted(pos, t, side="left")
    fp = neg.size - np.searchsorted(neg, t, side="left")
    return tp / n - fp / n * t / (1.0 - t)


def decision_curve(y: ArrayLike, scores: Mapping[str, ArrayLike], thresholds: ArrayLike | None = None) -> pd.DataFrame:
    """Net benefit of each strategy across thresholds, as a tidy table.

    Parameters
    ----------
    y : array-like of 0/1
    scores : mapping of str to array-like of float in [0, 1]
        Predicted probabilities per strategy (model, baseline, ...); a row is tested
        when its probability is at least the threshold.
    thresholds : array-like of float in [0, 1), optional
        Default ``numpy.linspace(0.01, 0.6, 60)``.

    Returns
    -------
    pandas.DataFrame
        Columns ``strategy``, ``threshold``, ``net_benefit``: the strategies of
        ``scores`` in their order, then ``"test all"`` (``prevalence - (1 - prevalence)
        * t / (1 - t)``) and ``"test none"`` (0).

    Examples
    --------
    >>> dc = decision_curve([0, 1, 1, 0], {"model": [0.2, 0.7, 0.6, 0.1]}, thresholds=[0.5])
    >>> dc["net_benefit"].tolist()
    [0.5, 0.0, 0.0]
    """
    yv = _check_y(y)
    t = _check_thresholds(np.linspace(0.01, 0.6, 60) if thresholds is None else thresholds)
    for name in scores:
        if name in _RESERVED_STRATEGIES:
            raise ConfigError(f"scores must not use the reserved strategy name {name!r}; rename it")
    curves = {name: net_benefit(yv, _check_prob(s, yv, f"scores[{name!r}]"), t) for name, s in scores.items()}
    curves["test all"] = net_benefit(yv, np.ones_like(yv), t)
    curves["test none"] = np.zeros_like(t)
    return pd.DataFrame(
        {
            "strategy": np.repeat(list(curves), t.size),
            "threshold": np.tile(t, len(curves)),
            "net_benefit": np.concatenate(list(curves.values())),
        }
    )


# ----------------------------------------------------------------------------- subgroups


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
