"""From checked columns to the model's columns: alternative units merged into their canonical
column, impossible combinations of individually valid values, training-range warnings; and
the model's frame built from the columns (:func:`_frame`), when a caller asks for it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from b12risk.errors import Problem
from b12risk.validation.columns import _Checked
from b12risk.validation.problems import exposure_contradiction, pregnant_male, pregnant_too_old, units_disagree
from b12risk.validation.rules import UNIT_TOLERANCE, _Rules
from b12risk.validation.text import _num

__all__: list[str] = []  # used by b12risk.validation's modules only


@dataclass
class _Assembled:
    values: dict[str, np.ndarray]  # canonical -> float64 (NaN missing), or int64 category codes (-1 missing)
    present: dict[str, np.ndarray]  # canonical -> a value was given
    problems: list[tuple[int, int, Problem]]  # (row position, field order, problem)
    warnings: list[tuple[str, ...]]  # per row; the shared empty tuple where none (no per-row allocation)


def _assemble(rules: _Rules, n: int, checked: dict[str, _Checked], order: dict[str, int]) -> _Assembled:
    """Merge alternative units, check combinations and training ranges."""
    problems: list[tuple[int, int, Problem]] = []
    data: dict[str, Any] = {}
    present: dict[str, np.ndarray] = {}
    from_alt: dict[str, np.ndarray] = {}
    for name, f in rules.features.items():
        c = checked.get(name)
        if f.kind == "categorical":
            codes = c.values if c is not None else np.full(n, -1, dtype=np.int64)
            data[name] = codes
            present[name] = codes >= 0
            continue
        values = c.values if c is not None else np.full(n, np.nan)
        alt = rules.alt_of.get(name)
        a = checked.get(alt) if alt else None
        if a is not None:
            both = ~np.isnan(values) & ~np.isnan(a.values)
            with np.errstate(invalid="ignore", divide="ignore"):
                apart = both & (np.abs(a.values - values) > UNIT_TOLERANCE * np.abs(values))
            fld = rules.fields[alt]
            for p in np.flatnonzero(apart):
                problem = units_disagree(name, float(values[p]), fld, float(a.values[p]), f.unit)
                problems.append((int(p), max(order[name], order[alt]), problem))
            from_alt[name] = np.isnan(values) & ~np.isnan(a.values)
            values = np.where(from_alt[name], a.values, values)
        data[name] = values
        present[name] = ~np.isnan(values)
    problems += _combinations(rules, data, order)
    warnings: list[tuple[str, ...]] = [()] * n
    if not problems:
        for p, found in _training_warnings(rules, data, from_alt).items():
            warnings[p] = tuple(found)
    return _Assembled(data, present, problems, warnings)


def _frame(features: dict[str, Any], values: dict[str, np.ndarray], n: int) -> pd.DataFrame:
    """The model's frame of assembled columns: every feature in order, numbers float64,
    categories as pandas Categorical with the schema's categories, index ``0..n-1``."""
    data: dict[str, Any] = {}
    for name, f in features.items():
        if f.kind == "categorical":
            data[name] = pd.Categorical.from_codes(values[name], categories=list(f.categories))
        else:
            data[name] = values[name]
    return pd.DataFrame(data, index=pd.RangeIndex(n), columns=list(features))


def _combinations(rules: _Rules, data: dict[str, Any], order: dict[str, int]) -> list[tuple[int, int, Problem]]:
    """Impossible combinations of individually valid values."""
    out: list[tuple[int, int, Problem]] = []
    last = max(order.values(), default=0) + 1
    feats = rules.features
    if "pregnant" in feats:
        pregnant = data["pregnant"] == 1.0
        if "sex" in feats and "male" in feats["sex"].categories:
            male = data["sex"] == feats["sex"].categories.index("male")
            out += [(int(p), last, pregnant_male()) for p in np.flatnonzero(pregnant & male)]
        if "age" in feats:
            with np.errstate(invalid="ignore"):
                old = data["age"] > rules.pregnancy_max_age
            out += [
                (int(p), last, pregnant_too_old(float(data["age"][p]), rules.pregnancy_max_age))
                for p in np.flatnonzero(pregnant & old)
            ]
    for years, dose in rules.exposures:
        y, d = data[years], data[dose]
        with np.errstate(invalid="ignore"):
            contradict = ((y == 0.0) & (d > 0.0)) | ((y > 0.0) & (d == 0.0))
        out += [
            (int(p), last + 1, exposure_contradiction(years, float(y[p]), dose, float(d[p])))
            for p in np.flatnonzero(contradict)
        ]
    return out


def _training_warnings(rules: _Rules, data: dict[str, Any], from_alt: dict[str, np.ndarray]) -> dict[int, list[str]]:
    """The training-range warnings of the rows that have any, by row position."""
    warnings: dict[int, list[str]] = {}
    for name, f in rules.features.items():
        if f.kind != "numeric" or f.train_low is None or f.train_high is None:
            continue
        v = data[name]
        with np.errstate(invalid="ignore"):
            outside = (v < f.train_low) | (v > f.train_high)
        trained = f"({_num(f.train_low)} to {_num(f.train_high)} {f.unit})"
        for p in np.flatnonzero(outside):
            shown = f"{name} {_num(v[p])}"
            if name in from_alt and from_alt[name][p]:
                alt = rules.fields[rules.alt_of[name]]
                shown += f" (given as {alt.name} {_num(v[p] / alt.factor)})"
            warnings.setdefault(int(p), []).append(
                f"{shown} is outside the range the model was trained on {trained}; the prediction extrapolates"
            )
    return warnings
