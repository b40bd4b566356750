"""Specification of the compiled trees (:mod:`b12risk.serving.forest`, :mod:`b12risk.serving.trees`):
scikit-learn's predictions to 1e-12 and shap's exact TreeSHAP values to 1e-6, on cohorts of
every scenario and information level, on NaN inputs, single rows, a model trained here, and
through ``predict()`` with and without the per-level recalibration; models the compiled path
cannot reproduce are refused by name."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shap
from threadpoolctl import threadpool_limits

import b12risk
from b12risk.errors import ConfigError, ModelIntegrityError
from b12risk.knowledge import LEVELS, load
from b12risk.knowledge.schema import features, mask_to_level, to_model_frame
from b12risk.modelling.calibration import LevelCalibratedClassifier
from b12risk.registry import load_model
from b12risk.serving import trees
from b12risk.serving.explain import _parts, shap_log_odds, transform
from b12risk.serving.forest import MASK_BITS, compile_forest, forest_for
from b12risk.serving.predict import predict

MODELS = Path(__file__).resolve().parents[2] / "models"
SCENARIOS = list(load().scenarios)
PER_CELL = 150
PREDICTION = 1e-12  # the compiled sums are scikit-learn's additions in its order: equal, in practice to the bit
SHAP = 1e-6  # the bound; float64 rounding over a few hundred trees leaves about 1e-13


@pytest.fixture(scope="module")
def shipped():
    return load_model("latest", root=MODELS)


def cohort(scenario: str, level: str, n: int, seed: int = 11) -> pd.DataFrame:
    """``n`` simulated patients of ``scenario`` (every lab measured), masked to ``level``; model columns only."""
    frame = b12risk.simulate(n, scenario=scenario, seed=seed, labs="survey")
    return mask_to_level(frame, level)[list(features())]


@pytest.fixture(scope="module")
def every_cell() -> pd.DataFrame:
    """150 patients of each scenario at each level (4,800 rows, about half the values missing)."""
    return pd.concat([cohort(s, level, PER_CELL) for s in SCENARIOS for level in LEVELS], ignore_index=True)


def level_of_cells() -> np.ndarray:
    """The level of each row of ``every_cell``."""
    return np.tile(np.repeat(LEVELS, PER_CELL), len(SCENARIOS))


def hgb_and_matrix(model, frame: pd.DataFrame):
    pipe, _ = _parts(model)
    return pipe[-1], pipe[:-1].transform(to_model_frame(frame))


def reference_shap(hgb, Xt: np.ndarray) -> tuple[float, np.ndarray]:
    explainer = shap.TreeExplainer(hgb)
    values = np.asarray(explainer.shap_values(Xt, check_additivity=False), dtype=np.float64)
    return float(np.asarray(explainer.expected_value).reshape(-1)[-1]), values.reshape(len(Xt), -1)


def tiny_pipeline(seed: int = 0, **params):
    """A bare pipeline fitted in seconds on 6,000 simulated patients at mixed levels."""
    from b12risk.modelling.training import build_pipeline
    from b12risk.modelling.training.config import ModelParams

    frame = pd.concat(
        [
            mask_to_level(b12risk.simulate(1500, scenario=s, seed=seed + i), LEVELS[i])
            for i, s in enumerate(SCENARIOS[:4])
        ],
        ignore_index=True,
    )
    settings = {
        "learning_rate": 0.2,
        "max_iter": 25,
        "max_leaf_nodes": 15,
        "min_samples_leaf": 20,
        "l2_regularization": 0.0,
        "max_bins": 255,
        "early_stopping": False,
        "validation_fraction": 0.1,
        "n_iter_no_change": 5,
        "random_state": seed,
        **params,
    }
    pipe = build_pipeline(ModelParams(**settings))
    return pipe.fit(to_model_frame(frame), frame["true_deficient"].to_numpy()), frame


# --------------------------------------------------------------------------- predictions


def test_log_odds_equal_scikit_learns_on_every_scenario_and_level(shipped, every_cell):
    hgb, Xt = hgb_and_matrix(shipped.estimator, every_cell)
    assert np.isnan(Xt).mean() > 0.2  # missing values take their own branches
    f = forest_for(hgb)
    expected = hgb.decision_function(Xt)
    for threads in (1, 2):
        np.testing.assert_allclose(trees.raw_predict(f, Xt, threads=threads), expected, rtol=0, atol=PREDICTION)
    np.testing.assert_allclose(trees.raw_predict(f, Xt, walk=True), expected, rtol=0, atol=PREDICTION)


def test_single_rows_and_odd_block_sizes_give_the_same_log_odds(shipped, every_cell):
    hgb, Xt = hgb_and_matrix(shipped.estimator, every_cell.iloc[::97])
    f = forest_for(hgb)
    expected = hgb.decision_function(Xt)
    one_by_one = [trees.raw_predict(f, Xt[i : i + 1])[0] for i in range(len(Xt))]
    np.testing.assert_allclose(one_by_one, expected, rtol=0, atol=PREDICTION)
    for n in (1, 2, 31, 33):  # fewer rows than the loops' lanes, and a last block part-filled
        np.testing.assert_allclose(trees.raw_predict(f, Xt[:n]), expected[:n], rtol=0, atol=PREDICTION)


@pytest.mark.parametrize("level", LEVELS)
def test_predict_gives_the_models_own_probabilities_at_every_level(shipped, every_cell, level):
    """predict() (compiled trees, and the recalibration's affine map where the model has one)
    against the estimator's own predict_proba through its own preprocessing."""
    frame = every_cell[level_of_cells() == level]
    assert len(frame) == PER_CELL * len(SCENARIOS)
    out = predict(frame, model=shipped, explain=False)
    expected = shipped.estimator.predict_proba(to_model_frame(frame))[:, 1]
    np.testing.assert_allclose(out["probability"].to_numpy(), expected, rtol=0, atol=PREDICTION)


def _recalibrated(base, by):
    """``base`` recalibrated in every group (per level, or per level and ``by``) on its own cohort."""
    parts = []
    for k, s in enumerate(SCENARIOS):
        frame = b12risk.simulate(600, scenario=s, seed=50 + k, labs="survey")
        level = np.random.default_rng(k).integers(0, len(LEVELS), len(frame))
        parts.append(pd.concat([mask_to_level(frame[level == i], lv) for i, lv in enumerate(LEVELS)]))
    cal = pd.concat(parts, ignore_index=True)
    return LevelCalibratedClassifier(base, by=by).fit(to_model_frame(cal), cal["true_deficient"].to_numpy())


@pytest.mark.parametrize("by", [None, "region"])
def test_predict_equals_predict_proba_with_and_without_the_recalibration(tiny_model, every_cell, by):
    base, _ = _parts(tiny_model.estimator)
    model = _recalibrated(base, by)
    assert any(k != (1.0, 0.0) for k in model.coef_.values())
    if by:  # a map of its own in some level x region group
        assert any("/" in g and ab != model.coef_[g.split("/")[0]] for g, ab in model.coef_.items())
    frame = every_cell.iloc[::3]
    for estimator in (model, base):
        loaded = b12risk.registry.LoadedModel(
            estimator=estimator, metadata=tiny_model.metadata, version="x", path=tiny_model.path, released=False
        )
        np.testing.assert_allclose(
            predict(frame, model=loaded, explain=False)["probability"].to_numpy(),
            estimator.predict_proba(to_model_frame(frame))[:, 1],
            rtol=0,
            atol=PREDICTION,
        )


# --------------------------------------------------------------------------- SHAP values


@pytest.mark.parametrize("level", LEVELS)
def test_shap_values_equal_shaps_on_every_scenario_at_each_level(shipped, level):
    frame = pd.concat([cohort(s, level, 40, seed=5) for s in SCENARIOS], ignore_index=True)
    hgb, Xt = hgb_and_matrix(shipped.estimator, frame)
    expected_base, expected = reference_shap(hgb, Xt)
    f = forest_for(hgb)
    assert f.expected == pytest.approx(expected_base, rel=0, abs=SHAP)
    for threads in (1, 2):
        values = trees.shap_values(f, Xt, threads=threads)
        np.testing.assert_allclose(values, expected, rtol=0, atol=SHAP)
    np.testing.assert_allclose(f.expected + values.sum(axis=1), hgb.decision_function(Xt), rtol=0, atol=SHAP)


def test_shap_values_of_single_rows_and_small_batches(shipped, every_cell):
    """One row at a time and the vector loops (more rows than the one-by-one limit) agree with shap."""
    hgb, Xt = hgb_and_matrix(shipped.estimator, every_cell.iloc[::211])
    _, expected = reference_shap(hgb, Xt)
    f = forest_for(hgb)
    for i in range(len(Xt)):
        np.testing.assert_allclose(trees.shap_values(f, Xt[i : i + 1])[0], expected[i], rtol=0, atol=SHAP)
    n = trees._ONE_BY_ONE_ROWS + 3
    np.testing.assert_allclose(trees.shap_values(f, Xt[:n]), expected[:n], rtol=0, atol=SHAP)


def test_a_row_with_nothing_given_gets_the_values_of_its_missing_branches(shipped):
    hgb, _ = hgb_and_matrix(shipped.estimator, cohort("us_uk", "risk_factors", 1))
    Xt = np.full((1, hgb.n_features_in_), np.nan)
    _, expected = reference_shap(hgb, Xt)
    f = forest_for(hgb)
    np.testing.assert_allclose(trees.shap_values(f, Xt), expected, rtol=0, atol=SHAP)
    np.testing.assert_allclose(trees.raw_predict(f, Xt), hgb.decision_function(Xt), rtol=0, atol=PREDICTION)


# --------------------------------------------------------------------------- models trained here


def test_a_model_trained_here_is_reproduced(every_cell):
    pipe, _ = tiny_pipeline(seed=3)
    hgb = pipe[-1]
    Xt = pipe[:-1].transform(to_model_frame(every_cell.iloc[::5]))
    f = compile_forest(hgb)
    np.testing.assert_allclose(trees.raw_predict(f, Xt), hgb.decision_function(Xt), rtol=0, atol=PREDICTION)
    expected_base, expected = reference_shap(hgb, Xt)
    assert f.expected == pytest.approx(expected_base, rel=0, abs=SHAP)
    np.testing.assert_allclose(trees.shap_values(f, Xt), expected, rtol=0, atol=SHAP)


def test_trees_with_more_leaves_than_a_mask_holds_are_walked(every_cell):
    pipe, _ = tiny_pipeline(seed=4, max_iter=4, max_leaf_nodes=MASK_BITS + 40, min_samples_leaf=5)
    hgb = pipe[-1]
    f = compile_forest(hgb)
    assert f.max_leaves > MASK_BITS  # so raw_predict must walk
    Xt = pipe[:-1].transform(to_model_frame(every_cell.iloc[::7]))
    np.testing.assert_allclose(trees.raw_predict(f, Xt), hgb.decision_function(Xt), rtol=0, atol=PREDICTION)
    _, expected = reference_shap(hgb, Xt)
    np.testing.assert_allclose(trees.shap_values(f, Xt), expected, rtol=0, atol=SHAP)


def test_shap_log_odds_through_the_pipeline_add_up_to_the_recalibrated_log_odds(tiny_model, every_cell):
    frame = every_cell.iloc[::9]
    base, values = shap_log_odds(tiny_model.estimator, frame)
    z = tiny_model.estimator.decision_function(to_model_frame(frame))
    np.testing.assert_allclose(base + values.sum(axis=1), z, rtol=0, atol=SHAP)


# --------------------------------------------------------------------------- refused models


def test_a_model_with_categorical_splits_is_refused_by_name():
    from sklearn.ensemble import HistGradientBoostingClassifier

    rng = np.random.default_rng(0)
    X = pd.DataFrame({"a": pd.Categorical(rng.choice(["x", "y", "z"], 400)), "b": rng.normal(size=400)})
    y = (X["a"] == "y").to_numpy() ^ (rng.random(400) < 0.1)
    hgb = HistGradientBoostingClassifier(max_iter=5, categorical_features="from_dtype").fit(X, y)
    with pytest.raises(ModelIntegrityError, match="categorical"):
        compile_forest(hgb)


@pytest.mark.parametrize(
    ("model", "message"),
    [
        ("not a model", "not a HistGradientBoostingClassifier"),
        ("unfitted", "not fitted"),
        ("three classes", "3 trees per iteration"),
    ],
)
def test_other_models_are_refused_by_name(model, message):
    from sklearn.ensemble import HistGradientBoostingClassifier

    rng = np.random.default_rng(1)
    X = rng.normal(size=(300, 2))
    made = {
        "not a model": lambda: object(),
        "unfitted": lambda: HistGradientBoostingClassifier(),
        "three classes": lambda: HistGradientBoostingClassifier(max_iter=3).fit(X, rng.integers(0, 3, 300)),
    }[model]()
    with pytest.raises(ModelIntegrityError, match=message):
        compile_forest(made)


def test_a_matrix_of_the_wrong_width_is_refused(shipped):
    hgb, Xt = hgb_and_matrix(shipped.estimator, cohort("us_uk", "serum_b12", 3))
    with pytest.raises(ConfigError, match=f"{hgb.n_features_in_} preprocessed columns"):
        trees.raw_predict(forest_for(hgb), Xt[:, :-1])


# --------------------------------------------------------------------------- threads and preprocessing


def test_thread_count_follows_the_row_threshold_and_the_limits_in_force(monkeypatch):
    monkeypatch.delenv("NUMBA_NUM_THREADS", raising=False)
    assert trees.thread_count(10, threaded_rows=2000) == 1
    cores = len(os.sched_getaffinity(0))
    big = 100 * trees._CHUNK_ROWS
    assert trees.thread_count(big, threaded_rows=2000) == min(cores, trees._openmp_limit() or cores)
    with threadpool_limits(limits=1, user_api="openmp"):
        if trees._openmp_limit() is not None:  # an OpenMP library is loaded (scikit-learn's)
            assert trees.thread_count(big, threaded_rows=2000) == 1
    monkeypatch.setenv("NUMBA_NUM_THREADS", "1")
    assert trees.thread_count(big, threaded_rows=2000) == 1
    monkeypatch.delenv("NUMBA_NUM_THREADS")
    assert trees.thread_count(trees._MIN_CHUNK_ROWS + 1, threaded_rows=2) <= 2  # a chunk per thread at least


def test_the_fast_preprocessing_equals_the_pipelines_for_the_shipped_model(shipped, every_cell):
    pipe, _ = _parts(shipped.estimator)
    frame = every_cell.iloc[::13]
    np.testing.assert_array_equal(transform(shipped.estimator, frame), pipe[:-1].transform(to_model_frame(frame)))


def test_numba_loads_only_when_trees_are_first_evaluated():
    import subprocess
    import sys

    code = (
        "import sys, b12risk, b12risk.serving.predict, b12risk.serving.trees; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'numba', 'shap', 'llvmlite'}))"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "[]"


def test_the_preprocessing_of_validated_input_equals_the_frames(shipped, every_cell, tiny_model):
    from b12risk.serving.explain import transform_validated
    from b12risk.validation import validate

    v = validate(every_cell.iloc[::7].reset_index(drop=True))
    for model in (shipped.estimator, tiny_model.estimator):
        np.testing.assert_array_equal(transform_validated(model, v), transform(model, v.frame))
