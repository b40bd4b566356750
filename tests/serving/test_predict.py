"""predict(): validated input, calibrated probability, risk band, exact explanations."""

import json
import math
import re
import threading

import numpy as np
import pandas as pd
import pytest

from b12risk import InvalidPatientError, simulate
from b12risk.errors import ConfigError
from b12risk.knowledge.schema import features, to_model_frame
from b12risk.serving.explain import shap_log_odds
from b12risk.serving.predict import Prediction, predict

PATIENT = {
    "age": 71,
    "sex": "female",
    "diet": "vegan",
    "ppi_years": 6,
    "ppi_pills_per_day": 1,
    "serum_b12_pg_ml": 260,
    "paresthesia": True,
}


def test_one_patient_gives_a_full_prediction(tiny_model):
    p = predict(PATIENT, model=tiny_model)
    assert isinstance(p, Prediction)
    assert 0 < p.probability < 1 and p.log_odds == pytest.approx(math.log(p.probability / (1 - p.probability)))
    bands = tiny_model.metadata["risk_bands"]
    expected = "high" if p.probability >= bands["high"] else "moderate" if p.probability >= bands["moderate"] else "low"
    assert p.risk_band == expected and p.risk_band_label == expected
    assert p.information_level == "serum_b12"
    assert p.model_version == "0.1.0"
    assert p.baseline["guideline"]["verdict"] in ("indeterminate", "not deficient", "deficient")
    assert p.baseline["cb12"] is None  # needs all four markers
    assert "not a diagnosis" in p.text


def test_contributions_are_exact_and_cover_the_fields_given(tiny_model):
    p = predict(PATIENT, model=tiny_model)
    assert p.base_log_odds + sum(c.log_odds for c in p.contributions) == pytest.approx(p.log_odds, abs=1e-6)
    fields = [c.field for c in p.contributions]
    assert set(fields) == {
        "age",
        "sex",
        "diet",
        "ppi_years",
        "ppi_pills_per_day",
        "serum_b12_pmol_l",
        "paresthesia",
        "(not given)",
    }
    assert [abs(c.log_odds) for c in p.contributions] == sorted(
        (abs(c.log_odds) for c in p.contributions), reverse=True
    )
    assert all(c.direction == ("raises" if c.log_odds > 0 else "lowers") for c in p.contributions)
    assert sum(c.probability_points for c in p.contributions) == pytest.approx(
        p.probability - 1 / (1 + math.exp(-p.base_log_odds))
    )
    serum = next(c for c in p.contributions if c.field == "serum_b12_pmol_l")
    assert serum.value == pytest.approx(260 * 0.738) and serum.label == "Serum vitamin B12" and serum.unit == "pmol/L"


def test_shap_adds_up_to_the_models_log_odds_on_a_cohort(tiny_model):
    df = simulate(3000, scenario="gastro_clinic", seed=3)
    base, values = shap_log_odds(tiny_model.estimator, df)
    z = tiny_model.estimator.decision_function(to_model_frame(df))
    np.testing.assert_allclose(base + values.sum(axis=1), z, atol=1e-6)
    assert values.shape == (len(df), len(features()))


def test_units_are_converted(tiny_model):
    a = predict({**PATIENT}, model=tiny_model, explain=False)
    b = predict(
        {**{k: v for k, v in PATIENT.items() if k != "serum_b12_pg_ml"}, "serum_b12_pmol_l": 260 * 0.738},
        model=tiny_model,
        explain=False,
    )
    assert a.probability == pytest.approx(b.probability, abs=1e-12)
    with pytest.raises(InvalidPatientError, match="serum_b12"):
        predict({**PATIENT, "serum_b12_pmol_l": 400}, model=tiny_model)


@pytest.mark.parametrize(
    ("patient", "message"),
    [
        ({"age": -4}, "field 'age': -4 is impossible"),
        ({"serum_b12_pmol_l": 0}, "field 'serum_b12_pmol_l': 0 is impossible"),
        ({"diet": "keto"}, "'keto' is not one of omnivore, vegetarian, vegan"),
        ({"serum_b12": 200}, "did you mean 'serum_b12_pmol_l'"),
        ({"age": "old"}, "expected a number"),
    ],
)
def test_bad_input_is_named(tiny_model, patient, message):
    with pytest.raises(InvalidPatientError, match=message):
        predict(patient, model=tiny_model)


def test_batch_is_one_row_per_input_row_and_matches_single_calls(tiny_model):
    df = simulate(300, seed=9).drop(columns=["true_b12_pmol_l", "true_deficient", "true_severity"])
    out = predict(df, model=tiny_model)
    assert list(out.columns[:5]) == ["probability", "risk_band", "information_level", "model_version", "warnings"]
    assert {"top1_field", "top1_log_odds", "top3_field"} <= set(out.columns) and len(out) == 300
    for i in (0, 7, 123):
        row = {k: v for k, v in df.iloc[i].items() if not pd.isna(v)}
        row = {k: (bool(v) if isinstance(v, (bool, np.bool_)) else v) for k, v in row.items()}
        single = predict(row, model=tiny_model)
        assert out.probability.iloc[i] == pytest.approx(single.probability, abs=1e-12)
        assert out.information_level.iloc[i] == single.information_level
    quick = predict(df, model=tiny_model, explain=False)
    np.testing.assert_allclose(quick.probability, out.probability)
    assert "top1_field" not in quick.columns


def test_batch_with_bad_rows_names_them(tiny_model):
    with pytest.raises(InvalidPatientError) as err:
        predict([{"age": 50}, {"age": 10}, {"age": 40, "diet": "keto"}], model=tiny_model)
    assert "row 1" in str(err.value) and "row 2" in str(err.value) and "row 0" not in str(err.value)


def test_to_dict_is_json(tiny_model):
    d = predict(PATIENT, model=tiny_model).to_dict()
    back = json.loads(json.dumps(d))
    assert back["probability"] == d["probability"] and len(back["contributions"]) == len(d["contributions"])


def test_arabic_labels_bands_and_text(tiny_model):
    p = predict(PATIENT, model=tiny_model, language="ar")
    assert p.risk_band in ("low", "moderate", "high") and p.risk_band_label in ("منخفض", "متوسط", "مرتفع")
    labels = {c.field: c.label for c in p.contributions}
    assert labels["diet"] == "النظام الغذائي" and labels["serum_b12_pmol_l"] == "فيتامين ب12 في المصل"
    diet = next(c for c in p.contributions if c.field == "diet")
    assert diet.value == "vegan" and diet.value_label == "نباتي صرف"
    assert "أداة مساعدة للقرار" in p.text
    with pytest.raises(
        ConfigError, match=re.escape("The 'language' parameter of predict must be one of en, ar. Got 'fr' instead.")
    ):
        predict(PATIENT, model=tiny_model, language="fr")


def test_values_outside_training_range_warn(tiny_model):
    p = predict({"age": 104, "sex": "male"}, model=tiny_model)
    assert any("age" in w and "outside" in w for w in p.warnings)


def test_concurrent_callers_get_the_serial_answers(tiny_model):
    patients = [dict(PATIENT, age=a) for a in range(30, 90, 3)]
    serial = [predict(p, model=tiny_model).probability for p in patients]
    results: dict[int, list[float]] = {}

    def worker(k: int) -> None:
        results[k] = [predict(p, model=tiny_model).probability for p in patients]

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(results[k] == serial for k in range(8))


def test_fast_preprocessing_equals_the_pipelines_own(tiny_model):
    from b12risk.serving.explain import _parts, transform

    df = simulate(2000, scenario="africa_asia_high", seed=4)
    df.loc[::7, "diet"] = None  # missing categories too
    pipe, _ = _parts(tiny_model.estimator)
    np.testing.assert_array_equal(transform(tiny_model.estimator, df), pipe[:-1].transform(to_model_frame(df)))


def test_the_rules_of_one_patient_are_those_of_the_whole_frame(tiny_model):
    """predict() gives the rules only the fields they read; the answer is the one the full frame gives."""
    from b12risk.modelling.baselines import GuidelineRule, cb12_category, combined_indicator
    from b12risk.validation import validate

    df = simulate(60, scenario="antenatal", seed=5, labs="survey").drop(
        columns=["true_b12_pmol_l", "true_deficient", "true_severity"]
    )
    seen = set()
    for i in range(len(df)):
        row = {k: (bool(v) if isinstance(v, (bool, np.bool_)) else v) for k, v in df.iloc[i].items() if not pd.isna(v)}
        if i % 2:
            row.pop("mma_umol_l", None)
        p = predict(row, model=tiny_model, explain=False)
        frame = validate(row).frame
        cat = int(GuidelineRule().category(frame)[0])
        assert (p.baseline["guideline"] is None) == (cat < 0)
        if cat >= 0:
            assert p.baseline["guideline"]["category"] == cat
            seen.add(cat)
        markers = ["serum_b12_pmol_l", "holotc_pmol_l", "mma_umol_l", "hcy_umol_l"]
        if frame[markers].notna().all(axis=1)[0]:
            value = float(combined_indicator(*(frame[m].to_numpy() for m in markers), frame["age"].to_numpy())[0])
            assert p.baseline["cb12"] == {
                "value": round(value, 3),
                "category": str(cb12_category(np.array([value]))[0]),
            }
        else:
            assert p.baseline["cb12"] is None
    assert len(seen) >= 2  # the comparison saw more than one verdict
