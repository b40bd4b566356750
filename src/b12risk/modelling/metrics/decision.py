"""Clinical utility: net benefit and decision curves (Vickers & Elkin 2006)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from b12risk.errors import ConfigError
from b12risk.modelling.metrics._checks import _check_prob, _check_thresholds, _check_y

__all__ = ["decision_curve", "net_benefit"]

_RESERVED_STRATEGIES = ("test all", "test none")


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
