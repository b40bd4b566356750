"""Training shows its progress: the boosting's iterations and validation loss as a bar, the
time of each stage in the summary; and showing it changes nothing in the model."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import b12risk
from b12risk.knowledge.schema import to_model_frame
from b12risk.modelling.training import build_pipeline
from b12risk.modelling.training.config import ModelParams
from b12risk.modelling.training.progress import fit_with_progress

PARAMS = {
    "learning_rate": 0.3, "max_iter": 200, "max_leaf_nodes": 15, "min_samples_leaf": 20, "l2_regularization": 1.0,
    "max_bins": 255, "early_stopping": True, "validation_fraction": 0.2, "n_iter_no_change": 5, "random_state": 7,
}  # fmt: skip


@pytest.fixture(scope="module")
def data() -> tuple[pd.DataFrame, np.ndarray]:
    frame = b12risk.simulate(6000, scenario="older_adults", seed=2)
    return to_model_frame(frame), frame["true_deficient"].to_numpy()


def test_the_bar_changes_nothing_in_the_model(data, capsys):
    X, y = data
    quiet = build_pipeline(ModelParams(**PARAMS)).fit(X, y)
    shown = fit_with_progress(build_pipeline(ModelParams(**PARAMS)), X, y, progress=True)
    assert shown[-1].n_iter_ == quiet[-1].n_iter_ < PARAMS["max_iter"]  # early stopping stopped both at once
    assert shown[-1].get_params() == quiet[-1].get_params()  # verbose is put back
    np.testing.assert_array_equal(shown.decision_function(X), quiet.decision_function(X))
    np.testing.assert_array_equal(shown[-1].validation_score_, quiet[-1].validation_score_)


def test_the_bar_shows_each_iteration_and_the_validation_loss(data, capsys):
    X, y = data
    pipe = fit_with_progress(build_pipeline(ModelParams(**PARAMS)), X, y, progress=True)
    err = capsys.readouterr()
    n = pipe[-1].n_iter_
    last = err.err.replace("\r", "\n").strip().splitlines()[-1]
    assert f"{n}/{n}" in last  # ends full, at the iteration early stopping chose
    val = -pipe[-1].validation_score_[-1]  # scores are negative losses
    assert f"val loss {val:.5f}" in last and "train loss" in last
    assert "[1/" not in err.out  # scikit-learn's lines went to the bar, not to the screen


def test_without_progress_it_is_a_plain_fit(data, capsys):
    X, y = data
    fit_with_progress(build_pipeline(ModelParams(**PARAMS)), X, y, progress=False)
    assert capsys.readouterr().err == ""


@pytest.mark.slow
def test_train_reports_the_time_of_each_stage(tmp_path, capsys):
    import time
    from pathlib import Path

    from b12risk.modelling.training import train

    tiny = Path(__file__).resolve().parents[1] / "data" / "tiny.toml"
    started = time.perf_counter()
    result = train(tiny, root=tmp_path, version="0.2.0", force=True, progress=True)
    wall = time.perf_counter() - started
    stages = result.metadata["training"]["stage_seconds"]
    assert (
        list(stages)[:4]
        == [
            "simulate training cohort",
            "fit and calibration check",
            "fit baselines",
            "evaluate against oracle and baselines",
        ]
        and list(stages)[-1] == "export"
    )
    assert all(seconds >= 0 for seconds in stages.values())
    assert sum(stages.values()) <= wall + 0.1 * len(stages)  # each rounded to 0.1 s
    assert "fit gradient boosting" in capsys.readouterr().err
