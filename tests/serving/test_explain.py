"""Specification of :mod:`b12risk.serving.explain` on the shipped model: exact SHAP values
of the log-odds at every information level, the fields not given as one contribution,
the trees compiled once per model, even when many threads ask at the same moment."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shap

import b12risk
from b12risk.knowledge import LEVELS
from b12risk.knowledge.schema import features, to_model_frame
from b12risk.modelling.calibration import LevelCalibratedClassifier, calibration_group
from b12risk.registry import load_model
from b12risk.serving import forest
from b12risk.serving.explain import shap_frame, shap_log_odds
from b12risk.serving.predict import predict
from b12risk.validation import information_level, validate

MODELS = Path(__file__).resolve().parents[2] / "models"
#: The module's documented bound on |base + sum(values) - log-odds|; TreeSHAP is exact, so
#: what is left is float64 rounding over a few hundred trees (about 1e-13).
EXACT = 1e-6
THREADS = 8


@pytest.fixture(scope="module")
def shipped():
    return load_model("latest", root=MODELS)


@pytest.fixture(scope="module")
def cohort() -> pd.DataFrame:
    """200 simulated patients with every lab measured, model columns only."""
    return b12risk.simulate(200, seed=42, labs="survey")[list(features())]


def at_level(frame: pd.DataFrame, level: str) -> pd.DataFrame:
    """``frame`` with every field above ``level`` not observed."""
    above = [name for name, f in features().items() if LEVELS.index(f.level) > LEVELS.index(level)]
    out = frame.copy()
    out[above] = np.nan
    return out


def patient(frame: pd.DataFrame, row: int) -> dict:
    """One row as a caller would send it: the observed fields only, as plain Python values."""
    values = frame.iloc[row]
    return {k: (v.item() if hasattr(v, "item") else v) for k, v in values.items() if pd.notna(v)}


# --------------------------------------------------------------------------- exactness


@pytest.mark.parametrize("level", LEVELS)
def test_shap_values_and_base_add_up_to_the_log_odds_of_every_row(shipped, cohort, level):
    frame = at_level(cohort, level)
    assert set(information_level(frame)) == {level}
    base, values = shap_log_odds(shipped.estimator, frame)
    assert base.shape == (len(frame),) and values.shape == (len(frame), len(features()))
    z = shipped.estimator.decision_function(to_model_frame(frame))  # through the pipeline's own preprocessing
    np.testing.assert_allclose(base + values.sum(axis=1), z, rtol=0, atol=EXACT)


def test_the_base_is_the_recalibrated_expected_log_odds_of_the_rows_group(shipped, cohort):
    model = shipped.estimator
    if not isinstance(model, LevelCalibratedClassifier):
        pytest.skip("the shipped model is not recalibrated per level")
    frame = pd.concat([at_level(cohort, level) for level in LEVELS], ignore_index=True)
    base, _ = shap_log_odds(model, frame)
    expected = float(np.asarray(shap.TreeExplainer(model.estimator[-1]).expected_value).reshape(-1)[-1])
    a, b = model.affine(frame)
    np.testing.assert_allclose(base, a * expected + b, rtol=0, atol=1e-12)
    groups = calibration_group(frame)
    for group in set(groups):
        assert np.unique(base[groups == group]).size == 1, group


def test_shap_frame_is_shap_log_odds_indexed_like_the_input(shipped, cohort):
    frame = cohort.iloc[:50].set_axis(range(1000, 1050))
    base, values = shap_frame(shipped.estimator, frame)
    raw_base, raw_values = shap_log_odds(shipped.estimator, frame)
    assert list(base.index) == list(values.index) == list(frame.index)
    assert list(values.columns) == list(features()) and base.name == "base_log_odds"
    np.testing.assert_array_equal(base.to_numpy(), raw_base)
    np.testing.assert_array_equal(values.to_numpy(), raw_values)


# --------------------------------------------------------------------------- fields not given


@pytest.mark.parametrize("level", LEVELS)
def test_fields_not_given_are_one_contribution_and_the_given_ones_their_own(shipped, cohort, level):
    frame = at_level(cohort, level)
    names = list(features())
    for row in (0, 1, 2):
        data = patient(frame, row)
        p = predict(data, model=shipped)
        checked = validate(data)
        given = set(checked.given[0])
        _, values = shap_log_odds(shipped.estimator, checked.frame)
        by_field = {c.field: c.log_odds for c in p.contributions}
        assert len(by_field) == len(p.contributions)  # one entry per field
        assert set(by_field) - {"(not given)"} == given
        for name in given:
            assert by_field[name] == values[0, names.index(name)], name
        rest = sum(values[0, names.index(n)] for n in names if n not in given)
        assert by_field.get("(not given)", 0.0) == pytest.approx(rest, rel=0, abs=1e-12)
        assert p.base_log_odds + sum(by_field.values()) == pytest.approx(p.log_odds, rel=0, abs=EXACT)


def test_a_patient_with_two_fields_gets_three_contributions(shipped):
    p = predict({"age": 67, "sex": "female"}, model=shipped)
    assert sorted(c.field for c in p.contributions) == ["(not given)", "age", "sex"]
    not_given = next(c for c in p.contributions if c.field == "(not given)")
    assert not_given.value is None and not_given.value_label == "" and not_given.unit is None
    assert not_given.direction == ("raises" if not_given.log_odds > 0 else "lowers")


# --------------------------------------------------------------------------- the trees compiled once per model


@pytest.fixture
def count_compiles(monkeypatch) -> list:
    """Record every compilation of a model's trees; each is slowed so that racing threads overlap."""
    built: list = []
    real = forest.compile_forest
    lock = threading.Lock()

    def counting(hgb):
        threading.Event().wait(0.05)
        with lock:
            built.append(hgb)
        return real(hgb)

    monkeypatch.setattr(forest, "compile_forest", counting)
    return built


def test_the_trees_are_compiled_once_per_model(count_compiles, cohort):
    first = load_model("latest", root=MODELS)  # a model object no test explained before
    pipe = first.estimator.estimator if isinstance(first.estimator, LevelCalibratedClassifier) else first.estimator
    one = shap_log_odds(first.estimator, cohort.iloc[:20])
    two = shap_log_odds(first.estimator, cohort.iloc[:20])
    predict(patient(cohort, 0), model=first)
    assert len(count_compiles) == 1 and count_compiles[0] is pipe[-1]
    assert forest.forest_for(pipe[-1]) is forest.forest_for(pipe[-1])
    assert len(count_compiles) == 1
    np.testing.assert_array_equal(one[1], two[1])

    second = load_model("latest", root=MODELS)  # the same version loaded again is another model
    other = second.estimator.estimator if isinstance(second.estimator, LevelCalibratedClassifier) else second.estimator
    shap_log_odds(second.estimator, cohort.iloc[:20])
    assert len(count_compiles) == 2 and forest.forest_for(other[-1]) is not forest.forest_for(pipe[-1])


def test_threads_asking_at_once_share_one_compilation_and_get_the_serial_answer(count_compiles, cohort):
    model = load_model("latest", root=MODELS).estimator  # not explained yet: every thread finds no compiled trees
    frame = cohort.iloc[:40]
    start = threading.Barrier(THREADS)
    results: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    errors: list[BaseException] = []

    def worker(k: int) -> None:
        try:
            start.wait(timeout=60)
            results[k] = shap_log_odds(model, frame)
        except BaseException as exc:  # reported below, in the test's own thread
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors and len(results) == THREADS
    assert len(count_compiles) == 1
    serial = shap_log_odds(model, frame)
    for k in range(THREADS):
        np.testing.assert_array_equal(results[k][0], serial[0])
        np.testing.assert_array_equal(results[k][1], serial[1])
