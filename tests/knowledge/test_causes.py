"""Each kind of cause is one class: what it contributes to the feature contract, how it
shifts the latent level, and what its seeds entry must hold."""

import numpy as np
import pytest
from pydantic import TypeAdapter, ValidationError

from b12risk.knowledge import load
from b12risk.knowledge.causes import BinaryCause, CategoricalCause, Cause, ExposureCause, HiddenCause

KB = load()
CAUSE = TypeAdapter(Cause)


def test_the_seeds_kind_picks_the_class():
    kinds = {type(c) for c in KB.causes.values()}
    assert kinds == {BinaryCause, CategoricalCause, ExposureCause, HiddenCause}
    assert isinstance(KB.causes["diet"], CategoricalCause)
    assert isinstance(KB.causes["gastrectomy"], CategoricalCause)
    assert isinstance(KB.causes["metformin"], ExposureCause)
    assert isinstance(KB.causes["atrophic_gastritis"], HiddenCause)


def test_columns_of_each_kind():
    assert KB.causes["hiv"].columns == ("hiv",)
    assert KB.causes["diet"].columns == ("diet",)
    assert KB.causes["ppi"].columns == ("ppi_years", "ppi_pills_per_day")
    assert KB.causes["h2_blocker"].columns == ("h2_blocker_years",)
    assert KB.causes["pernicious_anaemia"].columns == ("pernicious_anaemia_known",)
    assert KB.causes["atrophic_gastritis"].columns == ()


def test_binary_and_categorical_shifts_are_their_effects():
    hiv, diet = KB.causes["hiv"], KB.causes["diet"]
    assert np.array_equal(hiv.log_shift({"hiv": np.array([0.0, 1.0])}), [0.0, hiv.effect.value])
    codes = np.array([0, 1, 2])
    assert np.array_equal(diet.log_shift({"diet": codes}), [diet.effects[lv].value for lv in diet.levels])


def test_an_exposure_grows_with_years_until_it_saturates_and_scales_with_dose():
    ppi = KB.causes["ppi"]
    sat, ref = ppi.saturation.value, ppi.reference_dose.value
    a = {"ppi_years": np.array([0.0, sat / 2, sat, 3 * sat]), "ppi_pills_per_day": np.full(4, ref)}
    shift = ppi.log_shift(a)
    assert np.allclose(shift, ppi.effect.value * np.array([0.0, 0.5, 1.0, 1.0]), rtol=0, atol=1e-15)
    double = ppi.log_shift({**a, "ppi_pills_per_day": np.full(4, 2 * ref)})
    assert np.allclose(double, 2 * shift, rtol=0, atol=1e-15)


def test_hidden_prevalence_by_age_band_and_sex_or_logistic_in_age():
    pa, ag = KB.causes["pernicious_anaemia"], KB.causes["atrophic_gastritis"]
    a = {"age": np.array([40.0, 70.0, 70.0]), "sex": np.array([0, 0, 1])}
    assert np.array_equal(
        pa.prevalence(a),
        [pa.prevalence_under_60.value, pa.prevalence_60plus_female.value, pa.prevalence_60plus_male.value],
    )
    at50 = ag.prevalence({"age": np.array([50.0]), "sex": np.array([0])})
    assert at50[0] == pytest.approx(ag.prevalence_age_50.value, rel=1e-12)
    older = ag.prevalence({"age": np.array([60.0, 80.0]), "sex": np.array([0, 0])})
    assert older[0] < older[1]


def test_pregnancy_is_restricted_to_women_up_to_the_simulated_age():
    preg = KB.causes["pregnancy"]
    a = {"sex": np.array([0, 0, 1]), "age": np.array([30.0, preg.eligible.simulated_age.high + 1, 30.0])}
    assert list(preg.can_have(a)) == [True, False, False]
    assert KB.causes["hiv"].can_have(a) is True


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        ({"kind": "binary", "effect": None}, "column"),
        (
            {
                "kind": "categorical",
                "column": "x",
                "levels": ["a", "b"],
                "level_labels_en": ["a", "b"],
                "level_labels_ar": ["a", "b"],
                "effects": {"a": None},
            },
            "effects",
        ),
        (
            {"kind": "exposure", "years_column": "y", "years_label_en": "y", "years_label_ar": "y", "dose_column": "d"},
            "saturation",
        ),
        ({"kind": "hidden", "prevalence_age_50": None}, "prevalence"),
        ({"kind": "sometimes"}, "sometimes"),
    ],
)
def test_an_incomplete_cause_is_refused(entry, problem):
    q = {"value": -0.1, "unit": "log pmol/L", "source": "test"}
    data = {"mechanism": "intake", "label_en": "x", "label_ar": "x", "source": "test", "effect": q, **entry}
    data = {k: v for k, v in data.items() if v is not None}
    if entry["kind"] == "categorical":
        data["effects"] = {"a": q}  # no entry for level b
        del data["effect"]
    with pytest.raises(ValidationError, match=problem):
        CAUSE.validate_python(data)
