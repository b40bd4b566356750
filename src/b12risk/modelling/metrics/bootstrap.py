"""Percentile bootstrap intervals: of every summary metric, and of the AUROC difference
between two scores on the same rows (paired). Each resample is a row of counts of how
often each original row was drawn, and the metrics are computed for a block of
resamples at once.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np
from numpy.typing import ArrayLike

from b12risk.modelling.metrics._checks import _check_int, _check_prob, _check_real, _check_score, _check_y
from b12risk.modelling.metrics.discrimination import _auroc, _Ranking
from b12risk.modelling.metrics.engine import SUMMARY_KEYS, _Engine

__all__ = ["bootstrap_ci", "paired_auroc_difference"]

#: Sizes the bootstrap blocks: resamples per block times rows stays below this.
_BLOCK_ELEMENTS = 1_000_000


def _interval(values: np.ndarray, level: float) -> tuple[float, float]:
    """Percentile interval of the finite values (resamples with an undefined metric are dropped)."""
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return (math.nan, math.nan)
    alpha = (1.0 - level) / 2.0
    lo, hi = np.quantile(finite, [alpha, 1.0 - alpha])
    return (float(lo), float(hi))


def _resamples(rng: np.random.Generator, n: int, n_boot: int) -> Iterator[np.ndarray]:
    """Blocks of bootstrap resamples, each row the counts of how often each original row was drawn."""
    block = max(1, _BLOCK_ELEMENTS // n)
    for start in range(0, n_boot, block):
        b = min(block, n_boot - start)
        idx = rng.integers(0, n, size=(b, n))
        flat = (idx + (np.arange(b) * n)[:, None]).ravel()
        yield np.bincount(flat, minlength=b * n).reshape(b, n).astype(np.float64)


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
    >>> from b12risk.modelling.metrics import summary
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
