"""The declared moments the simulated world must reproduce of real adults.

:data:`TARGETS` is read from ``targets.toml``: each target is a survey statistic of one
field (a share below or between cut-offs, a quantile, the sd of the log, a correlation
of logs, the share taking a medicine, a ratio of shares, how well a low reading ranks
another field's high ones), optionally within an age band,
with the tolerance issue [3/5] sets. :func:`measure` computes every target on a frame
with weights (NHANES, survey-weighted; a simulated cohort, weights of one), and
:func:`compare` puts real and simulated side by side.

Examples
--------
>>> from b12risk.nhanes.targets import TARGETS
>>> TARGETS["b12_p95"].statistic, TARGETS["b12_p95"].relative
('quantile', 0.1)
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from b12risk.nhanes import stats

__all__ = ["TARGETS", "Target", "compare", "measure", "pooled_weights"]

TARGETS_PATH = Path(__file__).with_name("targets.toml")
_STATISTICS = (
    "share_below",
    "share_above",
    "share_between",
    "quantile",
    "sd_log",
    "corr_log",
    "share_taking",
    "share_ratio",
    "auroc_below",
)


@dataclass(frozen=True)
class Target:
    """One declared moment and its tolerance (``relative`` or ``absolute``)."""

    name: str
    statistic: str
    column: str
    ages: tuple[float, float] | None = None
    cut: float | None = None
    low: float | None = None
    high: float | None = None
    q: float | None = None
    other: str | None = None
    by: str | None = None
    egfr_at_least: float | None = None
    egfr_below: float | None = None
    sex: str | None = None
    serum_at_least: float | None = None
    relative: float | None = None
    absolute: float | None = None

    def within(self, real: float, simulated: float) -> bool:
        """Whether ``simulated`` is within tolerance of ``real``."""
        if not (math.isfinite(real) and math.isfinite(simulated)):
            return False
        if self.absolute is not None:
            return abs(simulated - real) <= self.absolute
        return abs(simulated / real - 1.0) <= self.relative


def _read(path: Path = TARGETS_PATH) -> dict[str, Target]:
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    out = {}
    for name, entry in raw.items():
        if entry.get("statistic") not in _STATISTICS:
            raise ValueError(f"{path.name}: [{name}] statistic must be one of {', '.join(_STATISTICS)}")
        if ("relative" in entry) == ("absolute" in entry):
            raise ValueError(f"{path.name}: [{name}] needs exactly one of relative, absolute")
        if entry.get("sex", "female") not in ("female", "male"):
            raise ValueError(f"{path.name}: [{name}] sex must be 'female' or 'male'; got {entry['sex']!r}")
        ages = tuple(entry.pop("ages")) if "ages" in entry else None
        out[name] = Target(name=name, ages=ages, **entry)
    return out


#: The declared targets, in file order.
TARGETS: dict[str, Target] = _read()


def pooled_weights(frame: pd.DataFrame) -> np.ndarray:
    """Survey weights for cycles analysed together: each cycle's weight divided by the
    number of cycles in the frame (CDC's rule for combining two-year cycles)."""
    return frame["weight"].to_numpy(dtype=np.float64) / frame["cycle"].nunique()


def _numbers(frame: pd.DataFrame, column: str) -> np.ndarray:
    col = frame[column]
    if isinstance(col.dtype, pd.CategoricalDtype) or col.dtype == object:
        col = col.astype("float64")
    return col.to_numpy(dtype=np.float64, na_value=np.nan)


def _one(t: Target, frame: pd.DataFrame, w: np.ndarray) -> float:
    x = _numbers(frame, t.column)
    rows = np.isfinite(x) & np.isfinite(w)
    if t.ages is not None:
        age = frame["age"].to_numpy(dtype=np.float64)
        rows &= (age >= t.ages[0]) & (age < t.ages[1])
    if t.egfr_at_least is not None:
        rows &= _numbers(frame, "egfr_ml_min") >= t.egfr_at_least
    if t.egfr_below is not None:
        rows &= _numbers(frame, "egfr_ml_min") < t.egfr_below
    if t.sex is not None:
        rows &= (frame["sex"].astype(object) == t.sex).to_numpy(dtype=bool)
    if t.serum_at_least is not None:
        rows &= _numbers(frame, "serum_b12_pmol_l") >= t.serum_at_least
    x, wr = x[rows], w[rows]
    if t.statistic == "share_below":
        return stats.weighted_share(x < t.cut, wr)
    if t.statistic == "share_above":
        return stats.weighted_share(x > t.cut, wr)
    if t.statistic == "share_between":
        return stats.weighted_share((x >= t.low) & (x < t.high), wr)
    if t.statistic == "share_taking":
        return stats.weighted_share(x > 0, wr)
    if t.statistic == "quantile":
        return float(stats.weighted_quantile(x, wr, t.q))
    if t.statistic == "sd_log":
        lx = np.log(x)
        return math.sqrt(stats.weighted_mean((lx - stats.weighted_mean(lx, wr)) ** 2, wr))
    if t.statistic == "corr_log":
        y = _numbers(frame, t.other)[rows]
        ok = np.isfinite(y)
        lx, ly, wo = np.log(x[ok]), np.log(y[ok]), wr[ok]
        mx, my = stats.weighted_mean(lx, wo), stats.weighted_mean(ly, wo)
        cov = stats.weighted_mean((lx - mx) * (ly - my), wo)
        return cov / math.sqrt(stats.weighted_mean((lx - mx) ** 2, wo) * stats.weighted_mean((ly - my) ** 2, wo))
    if t.statistic == "share_ratio":
        by = _numbers(frame, t.by)[rows]
        ok = np.isfinite(by)
        users, others = ok & (by > 0), ok & (by == 0)
        below_others = stats.weighted_share(x[others] < t.cut, wr[others])
        return stats.weighted_share(x[users] < t.cut, wr[users]) / below_others if below_others else math.nan
    if t.statistic == "auroc_below":
        # how well a lower reading of ``column`` ranks ``other`` above ``cut``
        y = _numbers(frame, t.other)[rows]
        ok = np.isfinite(y)
        return stats.weighted_auroc(y[ok] > t.cut, -x[ok], wr[ok])
    raise AssertionError(t.statistic)  # _read refuses anything else


def measure(frame: pd.DataFrame, weights: np.ndarray | None = None) -> dict[str, float]:
    """Every target's statistic on ``frame`` (adults only), weighted by ``weights``
    (ones by default)."""
    w = np.ones(len(frame)) if weights is None else np.asarray(weights, dtype=np.float64)
    return {name: _one(t, frame, w) for name, t in TARGETS.items()}


def compare(real: dict[str, float], simulated: dict[str, float]) -> pd.DataFrame:
    """Real and simulated value of each target, their ratio, tolerance and verdict."""
    rows = []
    for name, t in TARGETS.items():
        r, s = real[name], simulated[name]
        rows.append(
            {
                "target": name,
                "real": r,
                "simulated": s,
                "ratio": s / r if r else math.nan,
                "tolerance": f"±{t.relative:.0%}" if t.absolute is None else f"±{t.absolute:g}",
                "within": t.within(r, s),
            }
        )
    return pd.DataFrame(rows)
