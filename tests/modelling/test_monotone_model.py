"""The model is monotone where medicine is, and it reads which way from the knowledge base:
each biomarker and each medicine in ``seeds/`` declares its ``direction``, training passes
them to the boosting as ``monotonic_cst``, and through ``predict()`` the risk never rises
with serum B12 or holoTC and never falls with MMA, homocysteine, eGFR or years of a
medicine, for random patients with everything else held fixed."""

import numpy as np
import pandas as pd
import pytest

from b12risk import predict
from b12risk.errors import KnowledgeError
from b12risk.knowledge import LEVELS, load
from b12risk.knowledge.schema import features, monotone_directions, to_model_frame
from b12risk.modelling.calibration import LevelCalibratedClassifier
from b12risk.modelling.training import mask_rows
from b12risk.simulation.cohort import simulate

#: What medicine says (BSH 2014, NICE NG239, Lam et al. 2013, Aroda et al. 2016); 0: no
#: direction holds for every patient (MCV and haemoglobin: iron deficiency and other anaemias).
#: eGFR rises: kidney impairment raises MMA and homocysteine by itself, so a low eGFR explains
#: part of a raised reading away, and without those labs it says nothing.
MEDICINE = {
    "serum_b12_pmol_l": -1,
    "holotc_pmol_l": -1,
    "mma_umol_l": 1,
    "hcy_umol_l": 1,
    "mcv_fl": 0,
    "hgb_g_dl": 0,
    "egfr_ml_min": 1,
    "ppi_years": 1,
    "ppi_pills_per_day": 1,
    "h2_blocker_years": 1,
    "metformin_years": 1,
    "metformin_mg_day": 1,
    "supplement_use": -1,
}

#: Each constrained field is swept over a grid spanning its training range.
GRIDS = {
    "serum_b12_pmol_l": np.geomspace(20.0, 1500.0, 40),
    "holotc_pmol_l": np.geomspace(3.0, 400.0, 40),
    "mma_umol_l": np.geomspace(0.05, 5.0, 40),
    "hcy_umol_l": np.geomspace(3.0, 80.0, 40),
    "ppi_years": np.linspace(0.25, 40.0, 40),
    "ppi_pills_per_day": np.linspace(0.25, 6.0, 24),
    "h2_blocker_years": np.linspace(0.25, 40.0, 40),
    "metformin_years": np.linspace(0.25, 40.0, 40),
    "metformin_mg_day": np.linspace(250.0, 3000.0, 23),
    "supplement_use": np.array([0.0, 1.0]),
    "egfr_ml_min": np.geomspace(40.0, 175.0, 30),
}

#: Exactness of the check: monotone trees, a positive affine map and expit keep the order exactly.
EXACT = 1e-12


# --------------------------------------------------------------------------- the knowledge base


def test_the_seeds_declare_what_medicine_says():
    directions = monotone_directions()
    assert list(directions) == list(features())
    assert {c: directions[c] for c in MEDICINE} == MEDICINE
    assert {c for c, d in directions.items() if d} == {c for c, d in MEDICINE.items() if d}
    assert set(GRIDS) == {c for c, d in MEDICINE.items() if d}


def test_every_biomarker_and_medicine_declares_its_direction_with_a_source():
    kb = load()
    declared = {name: b.direction for name, b in kb.biomarkers.items()}
    declared |= {name: c.direction for name, c in kb.causes.items() if c.kind == "exposure"}
    assert all(d is not None and len(d.source.strip()) >= 3 for d in declared.values()), declared


def test_a_cause_direction_agrees_with_its_effect_on_the_b12_level():
    """A cause that lowers the latent B12 level (effect < 0) raises the risk, and the reverse."""
    for name, cause in load().causes.items():
        direction = getattr(cause, "direction", None)
        if direction is not None and direction.value:
            assert direction.value == -np.sign(cause.effect.value), name


def _direction(value) -> dict:
    return {"direction": {"value": value, "source": "test"}}


@pytest.mark.parametrize(
    ("file", "entry", "direction", "message"),
    [
        ("biomarkers", "mma", _direction(2), r"\[mma\.direction\.value\] Input should be -1, 0 or 1 \(got 2\)"),
        ("biomarkers", "serum_b12", _direction(-2), r"\[serum_b12\.direction\.value\] Input should be -1, 0 or 1"),
        ("biomarkers", "hcy", _direction("up"), r"\[hcy\.direction\.value\] .*a whole number\) \(got 'up'\)"),
        ("causes", "ppi", _direction(0.5), r"\[ppi\.direction\.value\] .*a whole number\) \(got 0\.5\)"),
        ("causes", "supplement_use", _direction(True), r"\[supplement_use\.direction\.value\] .*\(got True\)"),
        ("causes", "metformin", {"direction": {"value": 1}}, r"\[metformin\.direction\.source\] Field required"),
        ("causes", "diet", _direction(1), r"\[diet\.direction\] Extra inputs are not permitted"),
    ],
)
def test_a_wrong_direction_is_refused_naming_the_file_and_entry(file, entry, direction, message):
    with pytest.raises(KnowledgeError, match=rf"{file}\.toml: {message}"):
        load(overrides={file: {entry: direction}})


# --------------------------------------------------------------------------- the model


def _pipeline(model):
    est = model.estimator
    return est.estimator if isinstance(est, LevelCalibratedClassifier) else est


def test_the_fitted_boosting_carries_the_directions_of_the_seeds(tiny_model):
    pipe = _pipeline(tiny_model)
    directions = monotone_directions()
    names = list(pipe[0].get_feature_names_out())
    assert sorted(names) == sorted(directions)
    assert list(pipe[-1].monotonic_cst) == [directions[n] for n in names]
    if isinstance(tiny_model.estimator, LevelCalibratedClassifier):
        assert all(a > 0 for a, _ in tiny_model.estimator.coef_.values())


@pytest.fixture(scope="module")
def patients() -> pd.DataFrame:
    """Random simulated patients (fixed seeds), each shown at a random information level."""
    frame = pd.concat(
        [simulate(10, scenario=s, labs="survey", seed=11) for s in ("us_uk", "older_adults", "diabetes_clinic")],
        ignore_index=True,
    )
    level = np.random.default_rng(11).integers(0, len(LEVELS), len(frame))
    return mask_rows(frame, level)[list(features())]


def _partners() -> dict[str, tuple[str, float]]:
    """A medicine's other column and a value above 0 for it: years and dose are both 0 or both above 0."""
    out = {}
    for cause in load().causes.values():
        if cause.kind == "exposure" and cause.dose_column:
            out[cause.years_column] = (cause.dose_column, cause.reference_dose.value)
            out[cause.dose_column] = (cause.years_column, cause.saturation.value)
    return out


def _risk_along(model, frame: pd.DataFrame, column: str, values: np.ndarray) -> np.ndarray:
    """Patients x values: each patient's predicted risk with ``column`` set to each value in turn."""
    rows = frame.loc[frame.index.repeat(len(values))].reset_index(drop=True)
    rows[column] = np.tile(values, len(frame))
    partner = _partners().get(column)
    if partner is not None:
        other, fallback = partner
        rows[other] = rows[other].where(rows[other] > 0, fallback)
    out = predict(rows, model=model, explain=False)
    return out["probability"].to_numpy().reshape(len(frame), len(values))


@pytest.mark.parametrize("column", list(GRIDS))
def test_predicted_risk_moves_only_the_way_medicine_says(tiny_model, patients, column):
    direction = monotone_directions()[column]
    risk = _risk_along(tiny_model, patients, column, GRIDS[column])
    steps = np.diff(risk, axis=1) * direction  # >= 0 where the risk moves the declared way
    assert steps.min() >= -EXACT, f"{column}: risk moves against its direction by {steps.min():.3g}"
    if column in ("serum_b12_pmol_l", "holotc_pmol_l", "mma_umol_l", "hcy_umol_l"):
        assert steps.max() > 1e-6, f"{column}: the sweep never moves the risk (the check would be empty)"


class _ReversedBase:
    """A base whose log-odds rise with serum B12: anti-informative, so Platt's slope is negative."""

    def decision_function(self, X: pd.DataFrame) -> np.ndarray:
        return np.log(X["serum_b12_pmol_l"].to_numpy() / 200.0)


def test_the_recalibration_never_reverses_the_base_model():
    df = simulate(3000, scenario="older_adults", labs="survey", seed=12)
    X, y = to_model_frame(df), df["true_deficient"].to_numpy()
    est = LevelCalibratedClassifier(_ReversedBase()).fit(X, y)
    assert est.coef_["full_panel"] == (1.0, 0.0)
