"""Turning one patient, a list of patients or a DataFrame into a :class:`Validated`.

Each input column is checked on its own (:mod:`b12risk.validation.columns`), then the
columns are put together and checked across fields (:mod:`b12risk.validation.assemble`).
Problems are collected and raised together, sorted by row and then by field, each with
its row when the input is a batch.
"""

from __future__ import annotations

import decimal
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from b12risk.errors import InvalidPatientError, Problem
from b12risk.knowledge import LEVELS, Knowledge
from b12risk.knowledge.schema import Feature, features
from b12risk.validation.assemble import _assemble, _frame
from b12risk.validation.columns import _check_column, _check_value, _Checked, _is_missing
from b12risk.validation.constraints import validate_params
from b12risk.validation.problems import (
    no_patients,
    not_a_record,
    not_patients,
    repeated_column,
    unknown_field,
)
from b12risk.validation.rules import ID_FIELDS, _Rules, _rules

__all__ = ["INFORMATION_LEVEL_PARAMS", "VALIDATE_PARAMS", "Validated", "information_level", "validate"]


@dataclass(frozen=True, eq=False)
class Validated:
    """Validated input: the model's columns (and frame) and what the caller gave.

    ``schema`` is the feature schema the input was checked against.

    Attributes
    ----------
    values : dict of str to numpy.ndarray
        Every feature of :func:`b12risk.knowledge.schema.features`, in order, one value
        per input row: float64 in the canonical unit for numeric and binary fields
        (binary 1.0 / 0.0, NaN where not given), int64 codes into the schema's
        categories for categorical ones (-1 where not given).
    frame : pandas.DataFrame
        The same as a frame, built on first access: one row per input row (index
        ``0..n-1``), columns exactly those of :func:`b12risk.knowledge.schema.features` in
        order: numeric and binary columns float64 (binary 1.0 / 0.0), categorical columns
        with the schema's categories; NaN where a field was not given.
    given : list of tuple of str
        Per row, the canonical names of the fields given, in the caller's order; a
        field given in its alternative unit counts as its canonical field.
    warnings : list of tuple of str
        Per row, plausible values outside the range the model was trained on (an empty
        tuple where there are none).
    levels : numpy.ndarray of str
        Per row, the information level the given fields amount to (see
        :func:`information_level`).
    ids : list, optional
        Values of the ``patient_id`` or ``id`` field, when the caller gave one.
    """

    values: dict[str, np.ndarray]
    given: list[tuple[str, ...]]
    warnings: list[tuple[str, ...]]
    levels: np.ndarray
    ids: list[Any] | None = None
    schema: dict[str, Feature] = field(default_factory=features, repr=False)

    @cached_property
    def frame(self) -> pd.DataFrame:
        """The model's frame (see the class docstring), built once on first access."""
        return _frame(self.schema, self.values, len(self.levels))


# --------------------------------------------------------------------------- levels

#: What :func:`information_level` takes.
INFORMATION_LEVEL_PARAMS: dict[str, list[Any]] = {"frame": [pd.DataFrame], "kb": [Knowledge, None]}


@validate_params(INFORMATION_LEVEL_PARAMS)
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

    Raises
    ------
    ConfigError
        If ``frame`` is not a DataFrame or ``kb`` not a Knowledge.

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


def _levels(present: dict[str, np.ndarray], feats: dict[str, Feature], n: int) -> np.ndarray:
    """:func:`information_level` of assembled columns, from which fields were given."""
    levels = np.full(n, LEVELS[0], dtype=f"<U{max(map(len, LEVELS))}")
    for level in LEVELS[1:]:
        given = [present[name] for name, f in feats.items() if f.level == level]
        if given:
            levels[np.logical_or.reduce(given)] = level
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


def _raise(problems: list[tuple[int, int, Problem]], row: Callable[[int], Hashable] | None) -> None:
    """Raise one InvalidPatientError with every problem, by row then by field.

    ``problems`` are (row position or -1 for the whole input, field order, problem);
    ``row`` names the row at a position, or is None for a single patient.
    """
    problems = sorted(problems, key=lambda t: (t[0], t[1]))
    raise InvalidPatientError(
        [replace(p, row=row(pos), in_batch=True) if pos >= 0 and row else p for pos, _, p in problems]
    )


def _from_frame(df: pd.DataFrame, rules: _Rules) -> Validated:
    n = len(df)
    if n == 0:
        raise InvalidPatientError([no_patients()])
    problems: list[tuple[int, int, Problem]] = []
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
            problems.append((-1, j, unknown_field(name, first, rules, where="a column; first value")))
            continue
        if name in checked:
            problems.append((-1, j, repeated_column(name)))
            continue
        order[name] = j
        c = _check_column(fld, df.iloc[:, j])
        checked[name] = c
        problems += [(pos, j, problem) for pos, problem in c.bad]
        if fld.canonical not in canonical_order:
            canonical_order.append(fld.canonical)
    built = _assemble(rules, n, checked, order)
    problems += built.problems
    if problems:
        # a RangeIndex is named by position; any other index by its labels
        labels = None if isinstance(df.index, pd.RangeIndex) else df.index
        _raise(problems, (lambda pos: pos) if labels is None else (lambda pos: labels[pos]))
    return Validated(
        values=built.values,
        given=_given_from_columns(n, built.present, canonical_order),
        warnings=built.warnings,
        levels=_levels(built.present, rules.features, n),
        ids=ids,
        schema=rules.features,
    )


def _from_records(records: list[Any], rules: _Rules, single: bool) -> Validated:
    n = len(records)
    if n == 0:
        raise InvalidPatientError([no_patients()])
    problems: list[tuple[int, int, Problem]] = []
    columns: dict[str, np.ndarray] = {}
    order: dict[str, int] = {}
    ids: list[Any] = [None] * n
    has_ids = False
    for pos, record in enumerate(records):
        if not isinstance(record, Mapping):
            problems.append((pos, -1, not_a_record(record)))
            continue
        for key, value in record.items():
            seq = order.setdefault(key, len(order)) if isinstance(key, str) else len(order)
            if key in ID_FIELDS:
                if ids[pos] is None:
                    ids[pos], has_ids = value, True
                continue
            if not isinstance(key, str) or key not in rules.fields:
                problems.append((pos, seq, unknown_field(key, value, rules)))
                continue
            if key not in columns:
                columns[key] = np.full(n, None, dtype=object)
            columns[key][pos] = value
    checked: dict[str, _Checked] = {}
    for key, values in columns.items():
        c = _check_column(rules.fields[key], pd.Series(values, dtype=object))
        checked[key] = c
        problems += [(pos, order[key], problem) for pos, problem in c.bad]
    built = _assemble(rules, n, checked, order)
    problems += built.problems
    if problems:
        _raise(problems, None if single else lambda pos: pos)
    given: list[tuple[str, ...]] = []
    for pos, record in enumerate(records):
        names: dict[str, None] = {}
        for key in record:
            fld = rules.fields.get(key) if isinstance(key, str) else None
            if fld is not None and built.present[fld.canonical][pos] and not _is_missing(record[key]):
                names.setdefault(fld.canonical)
        given.append(tuple(names))
    return Validated(
        values=built.values,
        given=given,
        warnings=built.warnings,
        levels=_levels(built.present, rules.features, n),
        ids=ids if has_ids else None,
        schema=rules.features,
    )


def _from_one_record(record: Mapping, rules: _Rules) -> Validated | None:
    """One patient whose every value is plain and valid, checked without building columns;
    None if any value needs the general check (which names what is wrong)."""
    checked: dict[str, _Checked] = {}
    order: dict[str, int] = {}
    id_value, has_id = None, False
    for key, value in record.items():
        if not isinstance(key, str):
            return None
        order.setdefault(key, len(order))
        if key in ID_FIELDS:
            if id_value is None:  # as the general check: the first id given that is not None
                id_value, has_id = value, True
            continue
        fld = rules.fields.get(key)
        c = _check_value(fld, value) if fld is not None else None
        if c is None:
            return None
        checked[key] = c
    built = _assemble(rules, 1, checked, order)
    if built.problems:
        return None
    names: dict[str, None] = {}
    for key in record:
        fld = rules.fields.get(key)
        if fld is not None and built.present[fld.canonical][0] and not _is_missing(record[key]):
            names.setdefault(fld.canonical)
    return Validated(
        values=built.values,
        given=[tuple(names)],
        warnings=built.warnings,
        levels=_levels(built.present, rules.features, 1),
        ids=[id_value] if has_id else None,
        schema=rules.features,
    )


#: What :func:`validate` takes as arguments (``data`` is checked as patient input, not here).
VALIDATE_PARAMS: dict[str, list[Any]] = {"kb": [Knowledge, None]}


@validate_params(VALIDATE_PARAMS)
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
        Listing every problem at once as :class:`~b12risk.errors.Problem` records, each
        naming the row (in a batch), the field, the value and what is allowed: unknown
        fields (with the nearest valid names), wrong types, impossible values, unknown
        categories, a lab given in two units that disagree, impossible combinations, an
        empty batch. In a batch each problem starts with its row: the position (from 0)
        in a list, or the DataFrame's index label (its position if the index is a
        RangeIndex).
    ConfigError
        If ``kb`` is not a Knowledge.

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
    ('age 104 is outside the range the model was trained on (18 to 95 years); the prediction extrapolates',)
    """
    rules = _rules(kb)
    if isinstance(data, pd.DataFrame):
        return _from_frame(data, rules)
    if isinstance(data, Mapping):
        return _from_one_record(data, rules) or _from_records([data], rules, single=True)
    if isinstance(data, list | tuple):
        return _from_records(list(data), rules, single=False)
    raise InvalidPatientError([not_patients(data)])
