"""Input checks shared by every metric: outcomes, probabilities, scores and settings.

Each raises :class:`b12risk.errors.ConfigError` naming the argument, the offending value
and its index.
"""

from __future__ import annotations

import math
from numbers import Integral, Real

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from b12risk.errors import ConfigError


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
