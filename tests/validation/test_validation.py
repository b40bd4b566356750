"""validate(): caller input becomes the model's canonical frame, or one error lists every problem."""

import json
import pickle
import re
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from b12risk import InvalidPatientError, simulate
from b12risk.errors import ConfigError
from b12risk.knowledge import LEVELS, load
from b12risk.knowledge.schema import features, truth_columns
from b12risk.validation import Problem, Validated, information_level, validate

EXAMPLES = Path(__file__).resolve().parents[2] / "data" / "examples"
FEATURES = features()


def records_of(data) -> tuple[Problem, ...]:
    with pytest.raises(InvalidPatientError) as info:
        validate(data)
    return info.value.problems


def problems_of(data) -> list[str]:
    return [p.message for p in records_of(data)]


# --------------------------------------------------------------------------- one problem each

# (input, a fragment the single problem must contain)
BAD = [
    pytest.param(
        {"serum_b12": 260},
        "unknown field 'serum_b12' (value 260); did you mean 'serum_b12_pmol_l' or 'serum_b12_pg_ml'?",
        id="unknown field, with the nearest names",
    ),
    pytest.param({"Age": 50}, "unknown field 'Age' (value 50); did you mean 'age'?", id="field names are exact"),
    pytest.param({"true_deficient": True}, "drop the true_* columns", id="a truth column is not an input"),
    pytest.param({"age": "seventy"}, "field 'age': expected a number in years, got 'seventy' (str)", id="text"),
    pytest.param({"age": "70"}, "got '70' (str); give it as a number, not as text", id="a number as text"),
    pytest.param({"age": True}, "field 'age': expected a number in years, got True (bool)", id="bool for a number"),
    pytest.param({"age": {"years": 70}}, "expected a number in years, got {'years': 70} (dict)", id="nested dict"),
    pytest.param({"age": [70]}, "expected a number in years, got [70] (list)", id="nested list"),
    pytest.param({"age": float("inf")}, "field 'age': inf is impossible; expected 18 to 120 years", id="inf"),
    pytest.param({"age": -3}, "field 'age': -3 is impossible; expected 18 to 120 years (adults only:", id="negative"),
    pytest.param({"age": 17}, "field 'age': 17 is impossible; expected 18 to 120 years", id="age 17"),
    pytest.param(
        {"serum_b12_pmol_l": 0}, "field 'serum_b12_pmol_l': 0 is impossible; expected 1 to 250000 pmol/L", id="B12 0"
    ),
    pytest.param(
        {"serum_b12_pg_ml": 0}, "expected 1.355 to 338800 pg/mL, that is 1 to 250000 pmol/L", id="range in alt unit"
    ),
    pytest.param({"diet": "keto"}, "field 'diet': 'keto' is not one of omnivore, vegetarian, vegan", id="category"),
    pytest.param({"diet": "vegn"}, "'vegn' is not one of", id="no fuzzy category matching"),
    pytest.param({"sex": 1}, "field 'sex': expected one of female, male, got 1 (int)", id="number for a category"),
    pytest.param({"hiv": "yes"}, "field 'hiv': expected true or false (or 1 or 0), got 'yes' (str)", id="binary text"),
    pytest.param({"hiv": 2}, "field 'hiv': expected true or false (or 1 or 0), got 2 (int)", id="binary 2"),
    pytest.param(
        {"serum_b12_pmol_l": 200, "serum_b12_pg_ml": 400},
        "fields 'serum_b12_pmol_l' (200) and 'serum_b12_pg_ml' (400 pg/mL, which is 295.2 pmol/L) disagree",
        id="both units, inconsistent",
    ),
    pytest.param(
        {"sex": "male", "pregnant": True}, "fields 'pregnant' (true) and 'sex' ('male') are impossible", id="male"
    ),
    pytest.param(
        {"age": 64, "pregnant": 1}, "fields 'pregnant' (true) and 'age' (64) are impossible", id="pregnant at 64"
    ),
    pytest.param(
        {"metformin_years": 0, "metformin_mg_day": 1000},
        "fields 'metformin_years' (0) and 'metformin_mg_day' (1000) contradict each other",
        id="dose without years",
    ),
    pytest.param(
        {"ppi_years": 4, "ppi_pills_per_day": 0},
        "fields 'ppi_years' (4) and 'ppi_pills_per_day' (0) contradict each other",
        id="years without dose",
    ),
    pytest.param([], "no patients given", id="empty list"),
    pytest.param(pd.DataFrame(), "no patients given", id="empty DataFrame"),
    pytest.param([{"age": 50}, "age 50"], "row 1: expected a patient dict of field: value, got 'age 50' (str)"),
    pytest.param("age 50", "expected a patient dict, a list of dicts or a pandas DataFrame, got str", id="a str"),
]


@pytest.mark.parametrize(("data", "fragment"), BAD)
def test_each_problem_names_field_value_and_what_is_allowed(data, fragment):
    problems = problems_of(data)
    assert len(problems) == 1, problems
    assert fragment in problems[0]


def test_the_error_is_a_value_error_whose_message_lists_the_problems():
    with pytest.raises(ValueError, match=r"1 problem\(s\) with the patient input:\n  - field 'age'"):
        validate({"age": "seventy"})


def test_the_error_survives_pickling_between_processes():
    with pytest.raises(InvalidPatientError) as caught:
        validate({"age": 17, "diet": "keto"})
    copy = pickle.loads(pickle.dumps(caught.value))
    assert type(copy) is InvalidPatientError
    assert (copy.problems, str(copy)) == (caught.value.problems, str(caught.value))


def test_the_error_pickles_even_when_a_value_does_not():
    deep: list = []
    inner = deep
    for _ in range(5000):  # nested more deeply than pickle goes
        inner.append([])
        inner = inner[0]
    with pytest.raises(InvalidPatientError) as caught:
        validate({"age": deep})
    copy = pickle.loads(pickle.dumps(caught.value))
    assert str(copy) == str(caught.value)
    assert isinstance(copy.problems[0].value, str)


# --------------------------------------------------------------------------- problems as records


def test_a_problem_of_one_field_carries_its_row_field_value_and_what_is_allowed():
    (age, diet) = records_of([{"age": 50}, {"age": 17, "diet": "keto"}])
    assert (age.row, age.in_batch, age.field, age.value) == (1, True, "age", 17.0)
    assert age.expected.startswith("18 to 120 years")
    assert age.detail == f"17 is impossible; expected {age.expected}"
    assert age.statement == f"field 'age': {age.detail}"
    assert age.message == f"row 1: {age.statement}"
    assert (diet.field, diet.value, diet.expected) == ("diet", "keto", "one of omnivore, vegetarian, vegan")


def test_a_contradiction_names_both_fields_and_a_single_patient_no_row():
    (problem,) = records_of({"sex": "male", "pregnant": True})
    assert (problem.row, problem.in_batch, problem.field) == (None, False, "pregnant+sex")
    assert problem.message == problem.statement == problem.detail
    assert problem.detail.startswith("fields 'pregnant' (true) and 'sex' ('male')")


def test_problems_of_the_whole_input_have_no_row_and_no_field():
    df = pd.DataFrame({"age": [50, 60], "serum_b12": [np.nan, 260.0]})
    (problem,) = records_of(df)
    assert (problem.row, problem.in_batch, problem.field, problem.value) == (None, False, None, "serum_b12")
    (empty,) = records_of([])
    assert (empty.message, empty.field) == ("no patients given", None)


def test_rows_are_index_labels_even_odd_ones():
    df = pd.DataFrame({"age": [17, 17]}, index=pd.Index([None, None], dtype=object))
    problems = records_of(df)
    assert [(p.row, p.in_batch) for p in problems] == [(None, True), (None, True)]
    assert all(p.message.startswith("row 'None': field 'age'") for p in problems)


def test_plain_text_problems_become_records():
    err = InvalidPatientError(["cannot read x.json"])
    assert err.problems == (Problem(detail="cannot read x.json"),)
    assert str(err) == "1 problem(s) with the patient input:\n  - cannot read x.json"


@pytest.mark.parametrize("call", [lambda: validate({"age": 50}, kb="seeds"), lambda: information_level([{"age": 50}])])
def test_the_arguments_are_declared(call):
    with pytest.raises(ConfigError, match=r"parameter of (validate|information_level) must be "):
        call()


def test_all_problems_are_reported_at_once():
    problems = problems_of({"age": 17, "diet": "keto", "hiv": "yes"})
    assert [p.split(":")[0] for p in problems] == ["field 'age'", "field 'diet'", "field 'hiv'"]


def test_a_batch_names_every_bad_row():
    patients = [{"age": 50}, {"age": 10}, {"age": 60}, {"age": "old", "sex": "x"}]
    assert problems_of(patients) == [
        "row 1: field 'age': 10 is impossible; expected 18 to 120 years"
        " (adults only: the article's infant risk (¶1) is not modelled)",
        "row 3: field 'age': expected a number in years, got 'old' (str)",
        "row 3: field 'sex': 'x' is not one of female, male",
    ]


def test_a_dataframe_names_bad_rows_by_index_label():
    df = pd.DataFrame({"age": [50, -3, 60], "hiv": [0, 1, 5]}, index=["p1", "p2", "p3"])
    problems = problems_of(df)
    assert problems[0].startswith("row 'p2': field 'age': -3 is impossible")
    assert problems[1].startswith("row 'p3': field 'hiv': expected true or false")
    assert len(problems) == 2


def test_a_dataframe_with_a_range_index_names_rows_by_position():
    df = pd.DataFrame({"age": [50, 60, 200]}, index=pd.RangeIndex(10, 13))
    assert problems_of(df)[0].startswith("row 2: field 'age': 200 is impossible")


def test_an_unknown_dataframe_column_is_reported_once():
    df = pd.DataFrame({"age": [50, 60], "serum_b12": [np.nan, 260.0]})
    assert problems_of(df) == [
        "unknown field 'serum_b12' (a column; first value 260); did you mean 'serum_b12_pmol_l' or 'serum_b12_pg_ml'?"
    ]


def test_bad_rows_of_a_large_dataframe_are_all_found():
    df = pd.DataFrame({"age": np.full(50_000, 50.0), "diet": "omnivore"})
    df.loc[[7, 49_999], "age"] = [np.inf, 121]
    df.loc[12, "diet"] = "carnivore"
    problems = problems_of(df)
    assert [p.split(":")[0] for p in problems] == ["row 7", "row 12", "row 49999"]


# --------------------------------------------------------------------------- what is accepted


def test_none_and_nan_mean_not_given():
    v = validate({"age": None, "serum_b12_pmol_l": float("nan"), "diet": np.nan, "hiv": None, "sex": "female"})
    assert v.given == [("sex",)]
    assert v.frame[["age", "serum_b12_pmol_l", "hiv"]].isna().all(axis=None)
    assert pd.isna(v.frame.loc[0, "diet"])


def test_categories_ignore_case_and_surrounding_spaces():
    v = validate({"diet": "  Vegan ", "sex": "MALE", "gastrectomy": "Total"})
    assert v.frame.loc[0, ["diet", "sex", "gastrectomy"]].tolist() == ["vegan", "male", "total"]


@pytest.mark.parametrize(("value", "expected"), [(True, 1.0), (False, 0.0), (1, 1.0), (0, 0.0), (1.0, 1.0), (0.0, 0.0)])
def test_binary_fields_take_true_false_and_1_0(value, expected):
    assert validate({"hiv": value}).frame.loc[0, "hiv"] == expected


@pytest.mark.parametrize(
    ("given", "column", "expected"),
    [
        ({"serum_b12_pg_ml": 260}, "serum_b12_pmol_l", 191.88),
        ({"mma_nmol_l": 350}, "mma_umol_l", 0.35),
        ({"hgb_g_l": 121}, "hgb_g_dl", 12.1),
        ({"serum_b12_pmol_l": 192.5, "serum_b12_pg_ml": 260}, "serum_b12_pmol_l", 192.5),  # consistent: canonical
    ],
)
def test_alternative_units_are_converted_to_the_canonical_column(given, column, expected):
    v = validate(given)
    assert v.frame.loc[0, column] == pytest.approx(expected)
    assert v.given == [(column,)]


def test_ids_are_accepted_and_returned():
    df = pd.DataFrame({"patient_id": ["a", "b"], "age": [40, 50]})
    assert validate(df).ids == ["a", "b"]
    assert validate({"id": 7, "age": 40}).ids == [7]
    assert validate({"age": 40}).ids is None


def test_nullable_and_categorical_dtypes_are_accepted():
    df = pd.DataFrame(
        {
            "age": pd.Series([50, None], dtype="Int64"),
            "hiv": pd.Series([True, None], dtype="boolean"),
            "sex": pd.Series(["Male", None], dtype="category"),
        }
    )
    frame = validate(df).frame
    assert frame["age"].tolist()[0] == 50.0 and frame["hiv"].tolist()[0] == 1.0
    assert frame["sex"].tolist()[0] == "male" and frame[["age", "hiv", "sex"]].iloc[1].isna().all()


# --------------------------------------------------------------------------- what comes back


def test_the_frame_has_the_schema_columns_in_order_with_canonical_dtypes():
    v = validate([{"age": 50, "sex": "female", "hiv": True}, {}])
    assert isinstance(v, Validated)
    assert list(v.frame.columns) == list(FEATURES)
    assert v.frame.index.equals(pd.RangeIndex(2))
    for name, f in FEATURES.items():
        col = v.frame[name]
        if f.kind == "categorical":
            assert isinstance(col.dtype, pd.CategoricalDtype) and tuple(col.cat.categories) == f.categories, name
        else:
            assert col.dtype == np.float64, name


def test_given_keeps_the_callers_order_and_maps_alternative_units():
    v = validate([{"hgb_g_l": 130, "age": 40, "hiv": False}, {"sex": "male", "serum_b12_pg_ml": 300, "age": None}])
    assert v.given == [("hgb_g_dl", "age", "hiv"), ("sex", "serum_b12_pmol_l")]
    df = pd.DataFrame({"mma_nmol_l": [300.0, np.nan], "diet": ["vegan", "vegan"]})
    assert validate(df).given == [("mma_umol_l", "diet"), ("diet",)]


def test_values_outside_the_training_range_warn_but_pass():
    v = validate([{"age": 104}, {"age": 50}])
    assert v.warnings == [
        ("age 104 is outside the range the model was trained on (18 to 95 years); the prediction extrapolates",),
        (),
    ]
    converted = validate({"serum_b12_pg_ml": 4000}).warnings[0][0]
    assert converted.startswith("serum_b12_pmol_l 2952 (given as serum_b12_pg_ml 4000) is outside")


@pytest.mark.parametrize(
    ("patient", "level"),
    [
        ({"age": 50, "diet": "vegan", "egfr_ml_min": 80}, "risk_factors"),
        ({"age": 50, "fatigue": False}, "symptoms"),
        ({"fatigue": True, "serum_b12_pg_ml": 250}, "serum_b12"),
        ({"serum_b12_pmol_l": 250, "mcv_fl": 101}, "full_panel"),
        ({"hgb_g_l": 120}, "full_panel"),
        ({}, "risk_factors"),
    ],
)
def test_levels_follow_the_highest_level_given(patient, level):
    v = validate(patient)
    assert v.levels.tolist() == [level]
    assert information_level(v.frame).tolist() == [level]


def test_every_level_is_named_in_the_knowledge_base():
    assert set(validate([{}, {"fatigue": 1}, {"serum_b12_pmol_l": 200}, {"mma_umol_l": 0.3}]).levels) == set(LEVELS)


def test_simulated_patients_validate_and_keep_their_values():
    cohort = simulate(200, seed=1, labs="survey").drop(columns=list(truth_columns()))
    v = validate(cohort.to_dict("records"))
    pd.testing.assert_frame_equal(validate(cohort).frame, v.frame)
    for name, f in FEATURES.items():
        if f.kind == "categorical":
            assert v.frame[name].astype(str).tolist() == cohort[name].astype(str).tolist(), name
        else:
            np.testing.assert_array_equal(v.frame[name].to_numpy(), cohort[name].to_numpy(dtype=float), err_msg=name)
    assert set(v.levels) == {"full_panel"}


def test_a_large_dataframe_validates_whole():
    # speed is measured in benchmarks/bench_predict.py, not here
    cohort = simulate(200, seed=1, labs="survey").drop(columns=list(truth_columns()))
    big = cohort.iloc[np.tile(np.arange(200), 500)].reset_index(drop=True)
    v = validate(big)
    assert len(v.frame) == len(v.given) == len(v.warnings) == len(v.levels) == 100_000


# --------------------------------------------------------------------------- example patients


def test_every_example_patient_validates():
    files = sorted(EXAMPLES.glob("*.json"))
    assert len(files) >= 12
    for path in files:
        patient = json.loads(path.read_text(encoding="utf-8"))
        assert re.fullmatch(r"[a-z0-9_]+\.json", path.name)
        v = validate(patient)
        assert v.warnings == [()], path.name


def test_expected_order_names_existing_examples():
    order = tomllib.loads((EXAMPLES / "expected_order.toml").read_text(encoding="utf-8"))
    existing = {p.name for p in EXAMPLES.glob("*.json")}
    assert set(order) == {"highest", "lowest", "pairs"}
    assert set(order["highest"]) <= existing and set(order["lowest"]) <= existing
    assert not set(order["highest"]) & set(order["lowest"])
    third = len(existing) / 3
    assert len(order["highest"]) <= third and len(order["lowest"]) <= third
    for a, b in order["pairs"]:
        assert a in existing and b in existing and a != b
        assert a not in order["lowest"] and b not in order["highest"]
    readme = (EXAMPLES / "README.md").read_text(encoding="utf-8")
    assert all(f"`{name}`" in readme for name in existing)


@pytest.mark.parametrize("scenario", sorted(load().scenarios))
def test_every_simulated_patient_is_a_valid_input(scenario):
    """The simulator never produces a value predict() would call impossible."""

    df = simulate(100_000, scenario=scenario, seed=21, labs="survey")
    v = validate(df.drop(columns=[c for c in df.columns if c.startswith("true_")]))
    assert len(v.frame) == len(df)
