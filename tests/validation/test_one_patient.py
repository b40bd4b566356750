"""One patient (a dict) is checked value by value, without building columns: the answer must
be exactly the one the column-wise check gives, and anything unusual or wrong must go to
the column-wise check, which names it."""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest

import b12risk
from b12risk.knowledge import LEVELS
from b12risk.knowledge.schema import features, mask_to_level, truth_columns
from b12risk.validation import information_level, validate
from b12risk.validation.columns import _check_column, _check_value
from b12risk.validation.patients import _from_records
from b12risk.validation.rules import _rules

RULES = _rules(None)

#: (input field, value): plain values, edge values, and values that must go the long way.
VALUES = [
    ("age", 40), ("age", 40.5), ("age", np.int64(40)), ("age", np.float32(40.25)), ("age", np.float16(30)),
    ("age", None), ("age", float("nan")), ("age", np.nan), ("age", -4), ("age", 10**400), ("age", math.inf),
    ("age", True), ("age", "40"), ("age", Decimal("40")), ("age", Fraction(81, 2)), ("age", pd.NA),
    ("serum_b12_pg_ml", 260), ("serum_b12_pg_ml", 0), ("serum_b12_pmol_l", 191.9), ("mma_nmol_l", 410),
    ("hgb_g_l", 135), ("paresthesia", True), ("paresthesia", False), ("paresthesia", np.bool_(True)),
    ("paresthesia", 1), ("paresthesia", 0.0), ("paresthesia", 2), ("paresthesia", 0.5), ("paresthesia", "yes"),
    ("sex", "female"), ("sex", " Male "), ("sex", "FEMALE"), ("sex", "other"), ("sex", 1), ("sex", None),
    ("diet", "vegan"), ("diet", "keto"), ("ppi_years", 6), ("ppi_years", 0), ("ppi_pills_per_day", 1),
]  # fmt: skip


@pytest.mark.parametrize(("name", "value"), VALUES, ids=[f"{n}={v!r}" for n, v in VALUES])
def test_a_value_checked_alone_is_what_the_column_check_makes_of_it(name, value):
    fld = RULES.fields[name]
    column = _check_column(fld, pd.Series([value], dtype=object))
    alone = _check_value(fld, value)
    if column.bad:
        assert alone is None  # the column check names the problem
    elif alone is not None:
        assert alone.bad == []
        assert alone.values.dtype == column.values.dtype
        np.testing.assert_array_equal(alone.values, column.values)


def test_plain_values_take_the_short_way():
    for name, value in [("age", 40), ("sex", "female"), ("paresthesia", True), ("serum_b12_pg_ml", 260.0)]:
        assert _check_value(RULES.fields[name], value) is not None


def patients(n: int) -> list[dict]:
    """Simulated patients at every level, as callers send them: the fields given, as Python values,
    some labs in their alternative unit."""
    frame = b12risk.simulate(n, scenario="older_adults", seed=4, labs="survey").drop(columns=list(truth_columns()))
    frame = pd.concat([mask_to_level(frame.iloc[i::4], level) for i, level in enumerate(LEVELS)])
    out = []
    for k, (_, row) in enumerate(frame.iterrows()):
        record = {name: (v.item() if hasattr(v, "item") else v) for name, v in row.items() if pd.notna(v)}
        for name, f in features().items():
            if f.kind == "binary" and name in record:
                record[name] = bool(record[name])
        if k % 3 == 0 and "serum_b12_pmol_l" in record:
            record["serum_b12_pg_ml"] = record.pop("serum_b12_pmol_l") / 0.738
        if k % 5 == 0:
            record = {"patient_id": f"p{k}", **record}
        out.append(record)
    return out


def test_one_patient_is_validated_as_the_general_check_does():
    for record in patients(120):
        short = validate(record)
        long = _from_records([record], RULES, single=True)
        assert set(short.values) == set(long.values) == set(features())
        for name in features():
            assert short.values[name].dtype == long.values[name].dtype, name
            np.testing.assert_array_equal(short.values[name], long.values[name], err_msg=name)
        assert short.given == long.given and short.warnings == long.warnings and short.ids == long.ids
        assert short.levels.tolist() == long.levels.tolist() == information_level(long.frame).tolist()
        pd.testing.assert_frame_equal(short.frame, long.frame)


def test_warnings_outside_the_training_range_are_the_general_checks():
    record = {"age": 104, "serum_b12_pg_ml": 4000, "sex": "female"}
    assert validate(record).warnings == _from_records([record], RULES, single=True).warnings
    assert len(validate(record).warnings[0]) == 2


@pytest.mark.parametrize(
    "record",
    [
        {"age": 30, "sex": "male", "pregnant": True},  # an impossible combination
        {"serum_b12_pmol_l": 400, "serum_b12_pg_ml": 260},  # two units that disagree
        {"ppi_years": 0, "ppi_pills_per_day": 2},  # years and dose contradict
        {"age": "old"},
        {"agee": 40},
        {1: 40},
    ],
)
def test_what_is_wrong_is_named_by_the_general_check(record):
    with pytest.raises(b12risk.InvalidPatientError) as short:
        validate(record)
    with pytest.raises(b12risk.InvalidPatientError) as long:
        _from_records([record], RULES, single=True)
    assert str(short.value) == str(long.value)


def test_a_batch_and_its_rows_alone_agree():
    records = patients(40)
    batch = validate(records)
    for i, record in enumerate(records):
        one = validate(record)
        for name in features():
            np.testing.assert_array_equal(one.values[name], batch.values[name][i : i + 1], err_msg=name)
