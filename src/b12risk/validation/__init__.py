"""Turn caller input into the model's frame, or say exactly what is wrong.

:func:`validate` takes one patient (a dict), several (a list or tuple of dicts) or a
pandas DataFrame with one row per patient, and returns a :class:`Validated`: the
canonical frame the model reads (columns of :func:`b12risk.knowledge.schema.features`, in order,
with canonical units), which fields each caller gave, warnings and the information
level of each row. Every rule comes from the schema (kinds, units, plausible and
training ranges, categories, alternative units) and the knowledge base (which medicine
has a years and a dose field). Two cross-field rules are added: ``pregnant`` needs sex
female and age up to :data:`PREGNANCY_MAX_AGE`; a medicine's years and dose are both 0
or both above 0.

Problems are collected, never raised one at a time: bad input raises one
:class:`~b12risk.errors.InvalidPatientError` whose ``problems`` list names, for each
problem, the row (in a batch), the field, the value and what is allowed.

Examples
--------
>>> from b12risk.validation import validate
>>> v = validate({"age": 67, "sex": " Female", "serum_b12_pg_ml": 260})
>>> round(float(v.frame.loc[0, "serum_b12_pmol_l"]), 2)
191.88
>>> v.given[0]
('age', 'sex', 'serum_b12_pmol_l')
>>> str(v.levels[0])
'serum_b12'
>>> validate({"age": "seventy", "diet": "keto"})
Traceback (most recent call last):
...
b12risk.errors.InvalidPatientError: 2 problem(s) with the patient input:
  - field 'age': expected a number in years, got 'seventy' (str)
  - field 'diet': 'keto' is not one of omnivore, vegetarian, vegan
"""

from __future__ import annotations

import decimal
import difflib
import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.types import infer_dtype, is_bool_dtype, is_complex_dtype, is_numeric_dtype, is_object_dtype

from b12risk.errors import InvalidPatientError
from b12risk.knowledge import LEVELS, Knowledge, load
from b12risk.knowledge.schema import Feature, features, truth_columns

__all__ = ["ID_FIELDS", "PREGNANCY_MAX_AGE", "UNIT_TOLERANCE", "Validated", "information_level", "validate"]

#: Identifier columns a caller may include; they are ignored and returned as ``Validated.ids``.
ID_FIELDS: tuple[str, ...] = ("patient_id", "id")
#: Oldest age at which ``pregnant`` may be true.
PREGNANCY_MAX_AGE = 60.0
#: Largest relative difference accepted between a lab given in both of its units.
UNIT_TOLERANCE = 0.02

_NUMBERS = frozenset({"integer", "floating", "mixed-integer-float", "empty"})
_STRINGS = frozenset({"string", "empty"})
_NO_PATIENTS = "no patients given"


@dataclass(frozen=True, eq=False)
class Validated:
    """Validated input: the model's frame and what the caller gave.

    Attributes
    ----------
    frame : pandas.DataFrame
        One row per input row (index ``0..n-1``), columns exactly those of
        :func:`b12risk.knowledge.schema.features` in order: numeric and binary columns float64
        (binary 1.0 / 0.0), categorical columns with the schema's categories; NaN where
        a field was not given.
    given : list of tuple of str
        Per row, the canonical names of the fields given, in the caller's order; a
        field given in its alternative unit counts as its canonical field.
    warnings : list of list of str
        Per row, plausible values outside the range the model was trained on.
    levels : numpy.ndarray of str
        Per row, the information level the given fields amount to (see
        :func:`information_level`).
    ids : list, optional
        Values of the ``patient_id`` or ``id`` field, when the caller gave one.
    """

    frame: pd.DataFrame
    given: list[tuple[str, ...]]
    warnings: list[list[str]]
    levels: np.ndarray
    ids: list[Any] | None = None


# --------------------------------------------------------------------------- the rules, from the schema


@dataclass(frozen=True)
class _Field:
    """One accepted input column: a canonical feature or its alternative unit."""

    name: str
    canonical: str
    kind: str
    unit: str | None = None
    low: float = -math.inf
    high: float = math.inf
    reason: str = ""
    categories: tuple[str, ...] = ()
    factor: float = 1.0  # multiply to get the canonical unit
    canonical_unit: str | None = None

    def describe_range(self) -> str:
        text = f"{_num(self.low, 4)} to {_num(self.high, 4)} {self.unit}"
        if self.factor != 1.0:
            canonical = f"{_num(self.low * self.factor)} to {_num(self.high * self.factor)}"
            text += f", that is {canonical} {self.canonical_unit}"
        return f"{text} ({self.reason})" if self.reason else text


@dataclass(frozen=True, eq=False)
class _Rules:
    kb: Knowledge | None  # as the caller gave it (None: the shipped one)
    features: dict[str, Feature]
    fields: dict[str, _Field]  # every accepted input name
    alt_of: dict[str, str]  # canonical -> alternative-unit column
    exposures: tuple[tuple[str, str], ...]  # (years column, dose column)


def _range_reasons(kb: Knowledge) -> dict[str, str]:
    """Why each plausible range is what it is (the range's source in the seeds)."""
    out: dict[str, str] = {}
    for d in kb.demographics.values():
        if d.plausible is not None:
            out[d.column] = d.plausible.source
    for b in kb.biomarkers.values():
        out[b.column] = b.plausible.source
    for c in kb.causes.values():
        if c.kind == "exposure":
            out[c.years_column] = c.years_range.source
            if c.dose_column:
                out[c.dose_column] = c.dose_range.source
    return out


@lru_cache(maxsize=8)
def _rules(kb: Knowledge | None) -> _Rules:
    feats = features(kb)
    reasons = _range_reasons(load() if kb is None else kb)
    fields: dict[str, _Field] = {}
    alt_of: dict[str, str] = {}
    for f in feats.values():
        low = -math.inf if f.low is None else f.low
        high = math.inf if f.high is None else f.high
        reason = reasons.get(f.name, "")
        fields[f.name] = _Field(f.name, f.name, f.kind, f.unit, low, high, reason, f.categories)
        for column, unit, factor in f.alt_units:
            fields[column] = _Field(
                column, f.name, f.kind, unit, low / factor, high / factor, reason, (), factor, canonical_unit=f.unit
            )
            alt_of[f.name] = column
    exposures = tuple(
        (c.years_column, c.dose_column)
        for c in (load() if kb is None else kb).causes.values()
        if c.kind == "exposure" and c.dose_column and c.years_column in feats and c.dose_column in feats
    )
    return _Rules(kb, feats, fields, alt_of, exposures)


# --------------------------------------------------------------------------- formatting


def _num(x: Any, digits: int = 6) -> str:
    """A number as a person writes it, to ``digits`` significant digits: 18, 0.01, 191.88, inf."""
    try:
        x = float(x)
    except (OverflowError, TypeError, ValueError):
        return _repr(x)
    if not math.isfinite(x):
        return str(x)
    if x == int(x) and abs(x) < 1e15:
        return str(int(x))
    rounded = float(np.format_float_positional(x, precision=digits, unique=True, fractional=False, trim="-"))
    return str(int(rounded)) if rounded == int(rounded) and abs(rounded) < 1e15 else repr(rounded)


def _repr(value: Any, limit: int = 60) -> str:
    """``repr(value)``, cut to ``limit`` characters; never raises."""
    try:
        text = repr(value)
    except Exception:  # an int beyond Python's digit limit for text, or a __repr__ that fails
        if isinstance(value, int):
            return f"<an integer of {math.floor(value.bit_length() * math.log10(2)) + 1} digits>"
        return f"<{type(value).__name__} object>"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _show(value: Any) -> str:
    if isinstance(value, numbers.Real) and not isinstance(value, bool | np.bool_):
        return _num(value)
    return _repr(value)


def _got(value: Any) -> str:
    return f"{_show(value)} ({type(value).__name__})"


def _suggest(name: str, rules: _Rules) -> str:
    """' did you mean ...?' with the nearest valid names, canonical ones first."""
    key = name.strip().lower()
    names = list(rules.fields)
    if key in names:
        return f"; did you mean {key!r}?"
    if key in truth_columns():
        return "; it is the simulator's truth, not an input: drop the true_* columns"
    near = [n for n in names if key and n.startswith(key)]
    near += [n for n in difflib.get_close_matches(key, names, n=3, cutoff=0.6) if n not in near]
    near = sorted(near[:3], key=lambda n: n != rules.fields[n].canonical)[:2]
    if not near:
        return "; it is not an input field (see b12risk.knowledge.schema.features())"
    return "; did you mean " + " or ".join(repr(n) for n in near) + "?"


def _unknown(name: Any, value: Any, rules: _Rules, where: str = "value") -> str:
    try:
        text = str(name)
    except Exception:  # an int key beyond Python's digit limit for text, or a __str__ that fails
        text = _repr(name)
    return f"unknown field {_repr(text)} ({where} {_show(value)}){_suggest(text, rules)}"


# --------------------------------------------------------------------------- one column


@dataclass
class _Checked:
    values: np.ndarray  # float64 in the canonical unit (NaN = missing or bad), or int codes (-1)
    bad: list[tuple[int, str]]  # (row position, message)


def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NA:
        return True
    return isinstance(value, float | np.floating) and math.isnan(value)


def _wrong_type(fld: _Field, value: Any) -> str:
    if fld.kind == "binary":
        return f"field {fld.name!r}: expected true or false (or 1 or 0), got {_got(value)}"
    if fld.kind == "categorical":
        return f"field {fld.name!r}: expected one of {', '.join(fld.categories)}, got {_got(value)}"
    hint = ""
    if isinstance(value, str):
        try:
            float(value)
            hint = "; give it as a number, not as text"
        except ValueError:
            pass
    return f"field {fld.name!r}: expected a number in {fld.unit}, got {_got(value)}{hint}"


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


def _is_whole(value: Any) -> bool:
    """An integer, not a bool, nor numpy's timedelta64 (which numpy files under the integers)."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool | np.timedelta64)


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
    bad: list[tuple[int, str]] = []
    arr = _as_floats(fld, col)
    if arr is None:
        raw = col.to_numpy(dtype=object)
        arr = np.full(len(raw), np.nan)
        for pos in np.flatnonzero(~pd.isna(raw)):
            x = _one_number(fld, raw[pos])
            if x is None:
                bad.append((int(pos), _wrong_type(fld, raw[pos])))
            else:
                arr[pos] = x
    seen = ~np.isnan(arr)
    if fld.kind == "binary":
        wrong = seen & (arr != 0.0) & (arr != 1.0)
        bad += [(int(p), _wrong_type(fld, col.iloc[p])) for p in np.flatnonzero(wrong)]
    else:
        with np.errstate(invalid="ignore"):
            wrong = seen & ~((arr >= fld.low) & (arr <= fld.high) & np.isfinite(arr))
        bad += [
            (int(p), f"field {fld.name!r}: {_num(arr[p])} is impossible; expected {fld.describe_range()}")
            for p in np.flatnonzero(wrong)
        ]
    arr[wrong] = np.nan
    if fld.factor != 1.0:
        arr = arr * fld.factor
    return _Checked(arr, bad)


def _category_codes(fld: _Field, value: Any, lookup: dict[str, int]) -> tuple[int, str | None]:
    if not isinstance(value, str):
        return -1, _wrong_type(fld, value)
    code = lookup.get(value.strip().lower(), -1)
    if code < 0:
        return -1, f"field {fld.name!r}: {_repr(value)} is not one of {', '.join(fld.categories)}"
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
    try:
        return _check_category(fld, col) if fld.kind == "categorical" else _check_number(fld, col)
    except decimal.InvalidOperation:
        # A signalling NaN Decimal: pandas cannot even ask whether it is missing. Name
        # each one as a value of the wrong type and check the rest of the column.
        raw = col.to_numpy(dtype=object)
        snan = np.array([isinstance(v, Decimal) and v.is_snan() for v in raw], dtype=bool)
        rest = _check_column(fld, pd.Series(np.where(snan, None, raw), index=col.index, dtype=object))
        rest.bad += [(int(p), _wrong_type(fld, raw[p])) for p in np.flatnonzero(snan)]
        return rest


# --------------------------------------------------------------------------- from columns to the frame


@dataclass
class _Assembled:
    frame: pd.DataFrame
    present: dict[str, np.ndarray]  # canonical -> a value was given
    problems: list[tuple[int, int, str]]
    warnings: list[list[str]]


def _assemble(rules: _Rules, n: int, checked: dict[str, _Checked], order: dict[str, int]) -> _Assembled:
    """Merge alternative units, check combinations and training ranges, build the frame."""
    problems: list[tuple[int, int, str]] = []
    data: dict[str, Any] = {}
    present: dict[str, np.ndarray] = {}
    from_alt: dict[str, np.ndarray] = {}
    for name, f in rules.features.items():
        c = checked.get(name)
        if f.kind == "categorical":
            codes = c.values if c is not None else np.full(n, -1, dtype=np.int64)
            data[name] = pd.Categorical.from_codes(codes, categories=list(f.categories))
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
            limit = f"{_num(100 * UNIT_TOLERANCE)}%"
            for p in np.flatnonzero(apart):
                canonical = f"{name!r} ({_num(values[p])})"
                other = f"{alt!r} ({_num(a.values[p] / fld.factor)} {fld.unit}, which is {_num(a.values[p])} {f.unit})"
                message = f"fields {canonical} and {other} disagree by more than {limit}; give one, or make them agree"
                problems.append((int(p), max(order[name], order[alt]), message))
            from_alt[name] = np.isnan(values) & ~np.isnan(a.values)
            values = np.where(from_alt[name], a.values, values)
        data[name] = values
        present[name] = ~np.isnan(values)
    problems += _combinations(rules, data, order)
    frame = pd.DataFrame(data, index=pd.RangeIndex(n), columns=list(rules.features))
    warnings: list[list[str]] = [[] for _ in range(n)]
    if not problems:
        _training_warnings(rules, data, from_alt, warnings)
    return _Assembled(frame, present, problems, warnings)


def _combinations(rules: _Rules, data: dict[str, Any], order: dict[str, int]) -> list[tuple[int, int, str]]:
    """Impossible combinations of individually valid values."""
    out: list[tuple[int, int, str]] = []
    last = max(order.values(), default=0) + 1
    feats = rules.features
    if "pregnant" in feats:
        pregnant = data["pregnant"] == 1.0
        if "sex" in feats and "male" in feats["sex"].categories:
            male = data["sex"].codes == feats["sex"].categories.index("male")
            for p in np.flatnonzero(pregnant & male):
                out.append((int(p), last, "fields 'pregnant' (true) and 'sex' ('male') are impossible together"))
        if "age" in feats:
            with np.errstate(invalid="ignore"):
                old = data["age"] > PREGNANCY_MAX_AGE
            limit = f"pregnancy is accepted up to age {_num(PREGNANCY_MAX_AGE)}"
            for p in np.flatnonzero(pregnant & old):
                age = _num(data["age"][p])
                out.append(
                    (int(p), last, f"fields 'pregnant' (true) and 'age' ({age}) are impossible together; {limit}")
                )
    for years, dose in rules.exposures:
        y, d = data[years], data[dose]
        with np.errstate(invalid="ignore"):
            dose_no_years = (y == 0.0) & (d > 0.0)
            years_no_dose = (y > 0.0) & (d == 0.0)
        for p in np.flatnonzero(dose_no_years | years_no_dose):
            what = "a dose above 0 needs years above 0" if dose_no_years[p] else "years above 0 need a dose above 0"
            pair = f"{years!r} ({_num(y[p])}) and {dose!r} ({_num(d[p])})"
            message = f"fields {pair} contradict each other: {what} (give both as 0 if the medicine is not taken)"
            out.append((int(p), last + 1, message))
    return out


def _training_warnings(
    rules: _Rules, data: dict[str, Any], from_alt: dict[str, np.ndarray], warnings: list[list[str]]
) -> None:
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
            warnings[p].append(
                f"{shown} is outside the range the model was trained on {trained}; the prediction extrapolates"
            )


# --------------------------------------------------------------------------- levels


def information_level(frame: pd.DataFrame, *, kb: Knowledge | None = None) -> np.ndarray:
    """The information level each row of a canonical frame amounts to.

    A row is at the highest level of :data:`b12risk.knowledge.LEVELS` at which it has a
    field observed (not NaN), with the fields of each level taken from
    :func:`b12risk.knowledge.schema.features`: ``"full_panel"`` if any full-panel lab is given,
    else ``"serum_b12"`` if serum B12 is, else ``"symptoms"`` if any symptom is, else
    ``"risk_factors"``. Columns the frame lacks count as not observed.

    Parameters
    ----------
    frame : pandas.DataFrame
        Canonical columns, as in :attr:`Validated.frame` or :func:`b12risk.simulate`.
    kb : Knowledge, optional
        Knowledge base; the shipped one by default.

    Returns
    -------
    numpy.ndarray of str
        One level name per row.

    Examples
    --------
    >>> import pandas as pd
    >>> from b12risk.validation import information_level
    >>> information_level(pd.DataFrame({"age": [50.0, 50.0], "fatigue": [1.0, None]})).tolist()
    ['symptoms', 'risk_factors']
    """
    feats = features(kb)
    levels = np.full(len(frame), LEVELS[0], dtype=f"<U{max(map(len, LEVELS))}")
    for level in LEVELS[1:]:
        cols = [name for name, f in feats.items() if f.level == level and name in frame.columns]
        if cols:
            levels[frame[cols].notna().to_numpy().any(axis=1)] = level
    return levels


# --------------------------------------------------------------------------- the two input shapes


def _given_from_columns(n: int, present: dict[str, np.ndarray], order: list[str]) -> list[tuple[str, ...]]:
    """Per row, the given canonical fields in column order; one tuple per distinct pattern."""
    if not order:
        return [()] * n
    matrix = np.column_stack([present[name] for name in order])
    packed = np.ascontiguousarray(np.packbits(matrix, axis=1))
    keys = packed.view(f"V{packed.shape[1]}").ravel()
    _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    patterns = np.empty(len(first), dtype=object)
    for i, row in enumerate(first):
        patterns[i] = tuple(name for name, on in zip(order, matrix[row], strict=True) if on)
    return patterns[inverse.ravel()].tolist()


def _row_prefix(labels: pd.Index | None, pos: int) -> str:
    if labels is None:
        return f"row {pos}: "
    label = labels[pos]
    return f"row {label}: " if isinstance(label, numbers.Integral) else f"row {str(label)!r}: "


def _raise(problems: list[tuple[int, int, str]], prefix: Any) -> None:
    """Raise one InvalidPatientError with every problem, by row then by field."""
    problems = sorted(problems, key=lambda t: (t[0], t[1]))
    raise InvalidPatientError([(prefix(pos) if pos >= 0 and prefix else "") + msg for pos, _, msg in problems])


def _from_frame(df: pd.DataFrame, rules: _Rules) -> Validated:
    n = len(df)
    if n == 0:
        raise InvalidPatientError([_NO_PATIENTS])
    problems: list[tuple[int, int, str]] = []
    checked: dict[str, _Checked] = {}
    order: dict[str, int] = {}
    canonical_order: list[str] = []
    ids = None
    for j, name in enumerate(df.columns):
        if name in ID_FIELDS:
            if ids is None:
                ids = df.iloc[:, j].tolist()
            continue
        fld = rules.fields.get(name) if isinstance(name, str) else None
        if fld is None:
            col = df.iloc[:, j]
            try:
                filled = col[col.notna()]
            except decimal.InvalidOperation:  # a signalling NaN Decimal
                filled = col
            first = filled.iloc[0] if len(filled) else None
            problems.append((-1, j, _unknown(name, first, rules, where="a column; first value")))
            continue
        if name in checked:
            problems.append((-1, j, f"column {name!r} appears more than once; give each field once"))
            continue
        order[name] = j
        c = _check_column(fld, df.iloc[:, j])
        checked[name] = c
        problems += [(pos, j, msg) for pos, msg in c.bad]
        if fld.canonical not in canonical_order:
            canonical_order.append(fld.canonical)
    built = _assemble(rules, n, checked, order)
    problems += built.problems
    if problems:
        labels = None if isinstance(df.index, pd.RangeIndex) else df.index
        _raise(problems, lambda pos: _row_prefix(labels, pos))
    return Validated(
        frame=built.frame,
        given=_given_from_columns(n, built.present, canonical_order),
        warnings=built.warnings,
        levels=information_level(built.frame, kb=rules.kb),
        ids=ids,
    )


def _from_records(records: list[Any], rules: _Rules, single: bool) -> Validated:
    n = len(records)
    if n == 0:
        raise InvalidPatientError([_NO_PATIENTS])
    problems: list[tuple[int, int, str]] = []
    columns: dict[str, np.ndarray] = {}
    order: dict[str, int] = {}
    ids: list[Any] = [None] * n
    has_ids = False
    for pos, record in enumerate(records):
        if not isinstance(record, Mapping):
            problems.append((pos, -1, f"expected a patient dict of field: value, got {_got(record)}"))
            continue
        for key, value in record.items():
            seq = order.setdefault(key, len(order)) if isinstance(key, str) else len(order)
            if key in ID_FIELDS:
                if ids[pos] is None:
                    ids[pos], has_ids = value, True
                continue
            if not isinstance(key, str) or key not in rules.fields:
                problems.append((pos, seq, _unknown(key, value, rules)))
                continue
            if key not in columns:
                columns[key] = np.full(n, None, dtype=object)
            columns[key][pos] = value
    checked: dict[str, _Checked] = {}
    for key, values in columns.items():
        c = _check_column(rules.fields[key], pd.Series(values, dtype=object))
        checked[key] = c
        problems += [(pos, order[key], msg) for pos, msg in c.bad]
    built = _assemble(rules, n, checked, order)
    problems += built.problems
    if problems:
        _raise(problems, None if single else lambda pos: f"row {pos}: ")
    given: list[tuple[str, ...]] = []
    for pos, record in enumerate(records):
        names: dict[str, None] = {}
        for key in record:
            fld = rules.fields.get(key) if isinstance(key, str) else None
            if fld is not None and built.present[fld.canonical][pos] and not _is_missing(record[key]):
                names.setdefault(fld.canonical)
        given.append(tuple(names))
    return Validated(
        frame=built.frame,
        given=given,
        warnings=built.warnings,
        levels=information_level(built.frame, kb=rules.kb),
        ids=ids if has_ids else None,
    )


def validate(data: Any, *, kb: Knowledge | None = None) -> Validated:
    """Check caller input and turn it into the model's canonical frame.

    Parameters
    ----------
    data : dict, list or tuple of dict, or pandas.DataFrame
        One patient as ``{field: value}``, several patients, or one row per patient.
        Field names are those of :func:`b12risk.knowledge.schema.features`, or a lab's
        alternative-unit column (``serum_b12_pg_ml``, ``mma_nmol_l``, ``hgb_g_l``).
        Any field may be left out; None and NaN also mean "not given". Binary fields
        take True/False or 1/0; categorical fields take one of the schema's categories
        (case and surrounding spaces are ignored); numeric fields take numbers, never
        text. An ``id`` or ``patient_id`` field is accepted and ignored.
    kb : Knowledge, optional
        Knowledge base whose schema to validate against; the shipped one by default.

    Returns
    -------
    Validated
        The canonical frame, the fields given per row, warnings (values outside the
        training range) and the information level of each row.

    Raises
    ------
    InvalidPatientError
        Listing every problem at once, each naming the row (in a batch), the field, the
        value and what is allowed: unknown fields (with the nearest valid names),
        wrong types, impossible values, unknown categories, a lab given in two units
        that disagree, impossible combinations, an empty batch. In a batch each
        problem starts with its row: the position (from 0) in a list, or the
        DataFrame's index label (its position if the index is a RangeIndex).

    Examples
    --------
    >>> import pandas as pd
    >>> from b12risk.validation import validate
    >>> batch = pd.DataFrame({"patient_id": ["a", "b"], "age": [40, 104], "hgb_g_l": [135, None]})
    >>> v = validate(batch)
    >>> v.frame["hgb_g_dl"].tolist()
    [13.5, nan]
    >>> v.ids, v.levels.tolist()
    (['a', 'b'], ['full_panel', 'risk_factors'])
    >>> v.warnings[1]
    ['age 104 is outside the range the model was trained on (18 to 95 years); the prediction extrapolates']
    """
    rules = _rules(kb)
    if isinstance(data, pd.DataFrame):
        return _from_frame(data, rules)
    if isinstance(data, Mapping):
        return _from_records([data], rules, single=True)
    if isinstance(data, list | tuple):
        return _from_records(list(data), rules, single=False)
    raise InvalidPatientError(
        [f"expected a patient dict, a list of dicts or a pandas DataFrame, got {type(data).__name__}"]
    )
