"""Probabilities and log-odds, written once: ``logit`` and ``expit``.

Examples
--------
>>> from b12risk.logodds import expit, logit
>>> round(float(expit(logit(0.25))), 12)
0.25
>>> float(logit(0.0, clip=1e-12)) > -28
True
"""

from __future__ import annotations

import numpy as np

__all__ = ["expit", "logit"]


def logit(p, clip: float | None = None):
    """``log(p / (1 - p))`` as ``log(p) - log1p(-p)``; with ``clip``, ``p`` is first kept in ``[clip, 1 - clip]``."""
    q = np.asarray(p, dtype=np.float64) if clip is None else np.clip(np.asarray(p, dtype=np.float64), clip, 1.0 - clip)
    return np.log(q) - np.log1p(-q)


def expit(x):
    """``1 / (1 + exp(-x))``, the inverse of :func:`logit`."""
    return 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=np.float64)))
