"""Discrimination by ranking: AUROC (Mann-Whitney, ties count one half), average precision
and the AUROC expected from the case mix, for many weightings of the rows at once.
"""

from __future__ import annotations

import math

import numpy as np


def _divide(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """``num / den``, NaN where ``den`` is not positive."""
    return np.divide(num, den, out=np.full(np.shape(num), np.nan), where=den > 0)


def _tie_starts(sorted_values: np.ndarray) -> np.ndarray:
    """Start index of each run of equal values in a sorted array."""
    return np.flatnonzero(np.r_[True, sorted_values[1:] != sorted_values[:-1]])


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
