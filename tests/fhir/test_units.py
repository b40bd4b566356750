"""UCUM units: every conversion both ways, the knowledge base's factor for pg/mL, clear refusals."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from b12risk.fhir.units import UnitProblem, convert, is_count, to_field
from b12risk.validation import validate

#: (unit, the same amount in another UCUM spelling or prefix, factor from the first to the second)
PAIRS = [
    ("pg/mL", "ng/L", 1.0),
    ("ug/L", "pg/mL", 1000.0),
    ("nmol/L", "umol/L", 0.001),
    ("nmol/mL", "umol/L", 1.0),
    ("pmol/L", "nmol/L", 0.001),
    ("g/L", "g/dL", 0.1),
    ("mg/dL", "g/L", 0.01),
    ("fL", "um3", 1.0),
    ("mg", "g", 0.001),
    ("/h", "/d", 24.0),
    ("mL/min/{1.73_m2}", "L/h", 0.06),
]


@pytest.mark.parametrize(("a", "b", "factor"), PAIRS)
def test_each_conversion_and_its_inverse(a, b, factor):
    # factors are kept to twelve significant digits (units.py), so an inverse agrees to about 1e-11
    assert convert(1.0, a, b) == pytest.approx(factor, rel=1e-11)
    assert convert(1.0, b, a) == pytest.approx(1 / factor, rel=1e-11)


@settings(max_examples=60, deadline=None)
@given(value=st.floats(min_value=1e-6, max_value=1e6), pair=st.sampled_from(PAIRS))
def test_round_trip_returns_the_value(value, pair):
    a, b, _ = pair
    assert convert(convert(value, a, b), b, a) == pytest.approx(value, rel=1e-11)


@pytest.mark.parametrize(
    ("value", "unit", "field", "column", "canonical"),
    [
        (175.0, "pg/mL", "serum_b12_pmol_l", "serum_b12_pg_ml", 175.0 * 0.738),  # the seeds' factor, both ways below
        (0.175, "ug/L", "serum_b12_pmol_l", "serum_b12_pg_ml", 175.0 * 0.738),
        (129.15, "pmol/L", "serum_b12_pmol_l", "serum_b12_pmol_l", 129.15),
        (540.0, "nmol/L", "mma_umol_l", "mma_nmol_l", 0.54),
        (0.54, "umol/L", "mma_umol_l", "mma_umol_l", 0.54),
        (124.0, "g/L", "hgb_g_dl", "hgb_g_l", 12.4),
        (12.4, "g/dL", "hgb_g_dl", "hgb_g_dl", 12.4),
        (12400.0, "mg/dL", "hgb_g_dl", "hgb_g_dl", 12.4),
        (91.0, "fL", "mcv_fl", "mcv_fl", 91.0),
        (42.0, "mL/min/{1.73_m2}", "egfr_ml_min", "egfr_ml_min", 42.0),
    ],
)
def test_a_lab_value_reaches_predict_in_the_fields_unit(value, unit, field, column, canonical):
    got_column, got = to_field(value, unit, field)
    assert got_column == column
    frame = validate({got_column: got}).frame
    assert float(frame.loc[0, field]) == pytest.approx(canonical, rel=1e-12)


def test_pmol_per_litre_and_pg_per_ml_agree_through_the_seeds_factor():
    # 148 pmol/L is the seeds' deficiency cut-off, 200 pg/mL in the article's words
    col_a, a = to_field(148.0, "pmol/L", "serum_b12_pmol_l")
    col_b, b = to_field(148.0 / 0.738, "pg/mL", "serum_b12_pmol_l")
    va = float(validate({col_a: a}).frame.loc[0, "serum_b12_pmol_l"])
    vb = float(validate({col_b: b}).frame.loc[0, "serum_b12_pmol_l"])
    assert va == pytest.approx(vb, rel=1e-12)


@pytest.mark.parametrize(
    ("unit", "field", "kind", "message"),
    [
        (
            "fL",
            "serum_b12_pmol_l",
            "impossible",
            "'fL' cannot express this result; expected a unit convertible to 'pmol/L' or 'pg/mL'",
        ),
        ("mg/L", "hcy_umol_l", "impossible", "expected a unit convertible to 'umol/L'"),  # no molar mass is guessed
        ("%", "hgb_g_dl", "impossible", "'g/dL' or 'g/L'"),
        ("{tablet}", "serum_b12_pmol_l", "impossible", "cannot express"),
        ("mL/min/1.73.m2", "egfr_ml_min", "impossible", "'mL/min/{1.73_m2}'"),  # UCUM reads it as mL/min x 73 m2
        ("pgs/mL", "serum_b12_pmol_l", "unknown", "'pgs/mL' is not a UCUM unit"),
        ("  ", "serum_b12_pmol_l", "unknown", "the unit is empty"),
    ],
)
def test_units_that_cannot_be_read_are_refused_by_name(unit, field, kind, message):
    with pytest.raises(UnitProblem, match=re.escape(message)) as info:
        to_field(1.0, unit, field)
    assert info.value.kind == kind


@pytest.mark.parametrize(
    ("unit", "count"), [("{tablet}", True), ("1", True), ("{capsule}", True), ("mg", False), ("10*3", False)]
)
def test_counts(unit, count):
    assert is_count(unit) is count
