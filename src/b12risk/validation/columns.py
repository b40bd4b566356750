"""Checking one input column: its values as numbers in the canonical unit, or category codes.

Cleanly typed columns are converted whole; anything else (objects of mixed types, text in
a number field, a signalling NaN Decimal) is checked element by element, so that each
bad value becomes one :class:`~b12risk.errors.Problem` naming it.
"""

from __future__ import annotations

import decimal
import math
import numbers
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.types import infer_dtype, is_bool_dtype, is_complex_dtype, is_numeric_dtype, is_object_dtype

from b12risk.errors import Problem
from b12risk.validation.problems import impossible, not_a_category, wrong_type
from b12risk.validation.rules import _Field

__all__: list[str] = []  # used by b12risk.validation's modules only

_NUMBERS = frozenset({"integer", "floating", "mixed-integer-float", "empty"})
_STRINGS = frozenset({"string", "empty"})


@dataclass
class _Checked:
    values: np.ndarray  # float64 in the canonical unit (NaN = missing or bad), or int codes (-1)
    bad: list[tuple[int, Problem]]  # (row position, problem)


def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NA:
        return True
    return isinstance(value, float | np.floating) and math.isnan(value)


def _one_number(fld: _Field, value: Any) -> float | None:
    """The value as a float, or None when its type is wrong (bools, text, containers, durations)."""
    if isinstance(value, bool | np.bool_):
        return float(value) if fld.kind == "binary" else None
    if isinstance(value, numbers.Real | Decimal) and not isinstance(value, np.timedelta64):
        try:
            return float(value)
        except OverflowError:
            return math.inf if value > 0 else -math.inf
        except (TypeError, ValueError):  # a number type that will not be a float
            return None
    return None


def _as_floats(fld: _Field, col: pd.Series) -> np.ndarray | None:
    """Whole-column conversion for cleanly typed columns; None sends the column element by element."""
    dtype = col.dtype
    with np.errstate(over="ignore"):  # long doubles beyond float64 become inf, rejected as impossible
        if is_bool_dtype(dtype):
            return col.to_numpy(dtype=np.float64, na_value=np.nan, copy=True) if fld.kind == "binary" else None
        if is_numeric_dtype(dtype) and not is_complex_dtype(dtype):
            return col.to_numpy(dtype=np.float64, na_value=np.nan, copy=True)
        if is_object_dtype(dtype):
            accepted = (_NUMBERS | {"boolean"}) if fld.kind == "binary" else _NUMBERS
            if infer_dtype(col, skipna=True) in accepted:
                try:
                    return col.to_numpy(dtype=np.float64, na_value=np.nan, copy=True)
                except (TypeError, ValueError, OverflowError):
                    return None
    return None


def _check_number(fld: _Field, col: pd.Series) -> _Checked:
    bad: list[tuple[int, Problem]] = []
    arr = _as_floats(fld, col)
    if arr is None:
        raw = col.to_numpy(dtype=object)
        arr = np.full(len(raw), np.nan)
        for pos in np.flatnonzero(~pd.isna(raw)):
            x = _one_number(fld, raw[pos])
            if x is None:
                bad.append((int(pos), wrong_type(fld, raw[pos])))
            else:
                arr[pos] = x
    seen = ~np.isnan(arr)
    if fld.kind == "binary":
        wrong = seen & (arr != 0.0) & (arr != 1.0)
        bad += [(int(p), wrong_type(fld, col.iloc[p])) for p in np.flatnonzero(wrong)]
    else:
        with np.errstate(invalid="ignore"):
            wrong = seen & ~((arr >= fld.low) & (arr <= fld.high) & np.isfinite(arr))
        bad += [(int(p), impossible(fld, float(arr[p]))) for p in np.flatnonzero(wrong)]
    arr[wrong] = np.nan
    if fld.factor != 1.0:
        arr = arr * fld.factor
    return _Checked(arr, bad)


def _category_codes(fld: _Field, value: Any, lookup: dict[str, int]) -> tuple[int, Problem | None]:
    if not isinstance(value, str):
        return -1, wrong_type(fld, value)
    code = lookup.get(value.strip().lower(), -1)
    if code < 0:
        return -1, not_a_category(fld, value)
    return code, None


def _check_category(fld: _Field, col: pd.Series) -> _Checked:
    lookup = {c.lower(): i for i, c in enumerate(fld.categories)}
    codes: np.ndarray | None = None
    if isinstance(col.dtype, pd.CategoricalDtype):
        codes, uniques = col.cat.codes.to_numpy(), list(col.cat.categories)
    elif infer_dtype(col, skipna=True) in _STRINGS:
        codes, uniques = pd.factorize(col, use_na_sentinel=True)
        uniques = list(uniques)
    if codes is None:  # mixed types: element by element
        raw = col.to_numpy(dtype=object)
        out = np.full(len(raw), -1, dtype=np.int64)
        bad = []
        for pos in np.flatnonzero(~pd.isna(raw)):
            out[pos], problem = _category_codes(fld, raw[pos], lookup)
            if problem:
                bad.append((int(pos), problem))
        return _Checked(out, bad)
    results = [_category_codes(fld, u, lookup) for u in uniques]
    slot = np.where(np.asarray(codes) >= 0, codes, len(results))  # the extra last slot stands for "missing"
    out = np.array([code for code, _ in results] + [-1], dtype=np.int64)[slot]
    wrong = np.array([problem is not None for _, problem in results] + [False])[slot]
    return _Checked(out, [(int(p), results[slot[p]][1]) for p in np.flatnonzero(wrong)])


def _check_column(fld: _Field, col: pd.Series) -> _Checked:
    """The column's values, and a problem for each value the field does not take."""
    try:
        return _check_category(fld, col) if fld.kind == "categorical" else _check_number(fld, col)
    except decimal.InvalidOperation:
        # A signalling NaN Decimal: pandas cannot even ask whether it is missing. Name
        # each one as a value of the wrong type and check the rest of the column.
        raw = col.to_numpy(dtype=object)
        snan = np.array([isinstance(v, Decimal) and v.is_snan() for v in raw], dtype=bool)
        rest = _check_column(fld, pd.Series(np.where(snan, None, raw), index=col.index, dtype=object))
        rest.bad += [(int(p), wrong_type(fld, raw[p])) for p in np.flatnonzero(snan)]
        return rest


#: Types :func:`_check_value` reads itself; any other goes through :func:`_check_column`.
_PLAIN_NUMBERS = (int, float, np.integer, np.float64, np.float32, np.float16)


def _check_value(fld: _Field, value: Any) -> _Checked | None:
    """One patient's value checked without building a column: what
    ``_check_column(fld, pd.Series([value], dtype=object))`` returns when it finds no
    problem, for the plain values callers send (None, NaN, text for a category, True or
    False for a yes-no field, Python and numpy numbers). None for any other value and
    for any problem, so that the column check, which names problems, has the last word."""
    if value is None or (isinstance(value, float | np.floating) and value != value):
        return _Checked(np.full(1, -1 if fld.kind == "categorical" else np.nan), [])
    if fld.kind == "categorical":
        if type(value) is not str:
            return None
        key = value.strip().lower()
        code = next((i for i, c in enumerate(fld.categories) if c.lower() == key), -1)
        return _Checked(np.full(1, code, dtype=np.int64), []) if code >= 0 else None
    if isinstance(value, bool | np.bool_):
        if fld.kind != "binary":
            return None
        x = float(value)
    elif isinstance(value, _PLAIN_NUMBERS) and not isinstance(value, np.timedelta64):
        try:
            x = float(value)
        except OverflowError:  # a huge integer: the column check names it as impossible
            return None
    else:
        return None
    if fld.kind == "binary":
        if x not in (0.0, 1.0):
            return None
    elif not (fld.low <= x <= fld.high and math.isfinite(x)):
        return None
    arr = np.full(1, x)
    return _Checked(arr * fld.factor if fld.factor != 1.0 else arr, [])
