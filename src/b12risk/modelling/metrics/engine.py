"""Every metric of :func:`summary` as a weighted metric of the original rows, for many
weightings at once (:class:`_Engine`): all ones gives the point estimates, a row of
bootstrap counts one resample. :func:`summary` and :func:`expected_calibration_error`
are its all-ones case.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from b12risk.logodds import logit
from b12risk.modelling.metrics._checks import _check_int, _check_prob, _check_real, _check_score, _check_y
from b12risk.modelling.metrics.calibration import P_CLIP, _newton_logistic, calibration_intercept_slope
from b12risk.modelling.metrics.discrimination import _divide, _Ranking

__all__ = ["SUMMARY_KEYS", "expected_calibration_error", "summary"]

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
_LOG_LOSS_EPS = float(np.finfo(np.float64).eps)  # the clipping scikit-learn's log_loss applies

_CAL_BINS = 2000


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
