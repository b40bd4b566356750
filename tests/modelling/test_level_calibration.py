"""The per-level recalibration :class:`b12risk.modelling.calibration.LevelCalibratedClassifier`:
scikit-learn's common checks where they apply, and its contract on canonical frames."""

from __future__ import annotations

import functools
import pickle
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.frozen import FrozenEstimator
from sklearn.utils.estimator_checks import estimator_checks_generator

import b12risk.calibration
from b12risk.knowledge import LEVELS
from b12risk.knowledge.schema import to_model_frame
from b12risk.logodds import expit
from b12risk.modelling.calibration import GROUPS, LevelCalibratedClassifier, calibration_group
from b12risk.modelling.metrics import calibration_intercept_slope
from b12risk.modelling.training import build_pipeline, load_config, mask_rows
from b12risk.simulation.cohort import simulate

TINY = Path(__file__).parents[1] / "data" / "tiny.toml"

# --------------------------------------------------------------------------- scikit-learn contract

# The checks construct the estimator with its defaults, estimator=None, and feed numpy
# arrays. LevelCalibratedClassifier never fits its base (it recalibrates a fitted one)
# and reads each row's calibration group from which canonical feature columns it has,
# which an array has not. So every check that fits or predicts cannot apply, for one of
# the two reasons below; they are run only to see them fail as stated. Every other
# common check must pass. The contract on canonical frames is tested by hand below.
_NO_BASE = (
    "fits or predicts: needs a fitted base classifier (the default estimator=None has none) "
    "and a DataFrame of canonical feature columns, from which the calibration group is read"
)
_VALIDATION = (
    "asserts scikit-learn's own error for bad input (sparse, empty, NaN or inf, one class, continuous y): "
    "input validation is left to the base classifier, which the default lacks"
)
CANNOT_APPLY = {
    **dict.fromkeys(
        [
            "check_classifier_data_not_an_array",
            "check_classifiers_classes",
            "check_complex_data",
            "check_decision_proba_consistency",
            "check_dict_unchanged",
            "check_dont_overwrite_parameters",
            "check_dtype_object",
            "check_estimators_dtypes",
            "check_estimators_fit_returns_self",
            "check_estimators_overwrite_params",
            "check_estimators_pickle",
            "check_f_contiguous_array_estimator",
            "check_fit1d",
            "check_fit2d_1feature",
            "check_fit2d_1sample",
            "check_fit2d_predict1d",
            "check_fit_check_is_fitted",
            "check_fit_idempotent",
            "check_fit_score_takes_y",
            "check_methods_sample_order_invariance",
            "check_methods_subset_invariance",
            "check_n_features_in",
            "check_n_features_in_after_fitting",
            "check_pipeline_consistency",
            "check_readonly_memmap_input",
            "check_requires_y_none",
            "check_supervised_y_2d",
        ],
        _NO_BASE,
    ),
    **dict.fromkeys(
        [
            "check_classifiers_one_label",
            "check_classifiers_regression_target",
            "check_classifiers_train",
            "check_estimator_sparse_array",
            "check_estimator_sparse_matrix",
            "check_estimator_sparse_tag",
            "check_estimators_empty_data_messages",
            "check_estimators_nan_inf",
            "check_positive_only_tag_during_fit",
            "check_supervised_y_no_nan",
        ],
        _VALIDATION,
    ),
}


def _check_name(check) -> str:
    return (check.func if isinstance(check, functools.partial) else check).__name__


def _common_checks(applicable: bool) -> list:
    """scikit-learn's common checks of the default estimator: those that apply, or those that cannot."""
    return [
        pytest.param(checked, check, id=_check_name(check))
        for checked, check in estimator_checks_generator(LevelCalibratedClassifier(), legacy=True, mark=None)
        if (_check_name(check) not in CANNOT_APPLY) == applicable
    ]


@pytest.mark.parametrize(("estimator", "check"), _common_checks(applicable=True))
def test_sklearn_common_checks(estimator, check):
    check(estimator)


@pytest.mark.parametrize(("estimator", "check"), _common_checks(applicable=False))
def test_the_common_checks_left_out_fail_for_the_reason_given(estimator, check):
    if CANNOT_APPLY[_check_name(check)] == _NO_BASE:
        with pytest.raises(AttributeError, match="'NoneType' object has no attribute 'decision_function'"):
            check(estimator)
    else:
        with pytest.raises(AssertionError):
            check(estimator)


# --------------------------------------------------------------------------- on canonical frames


@pytest.fixture(scope="module")
def data():
    """A base model fitted on one cohort, and a calibration cohort: canonical frames with
    every calibration group (survey rows give complete panels, clinical rows partial ones)."""

    def cohort(seed: int) -> tuple[pd.DataFrame, np.ndarray]:
        df = pd.concat(
            [simulate(4000, labs="survey", seed=seed), simulate(4000, labs="clinical", seed=seed + 1)],
            ignore_index=True,
        )
        level = np.random.default_rng(seed).integers(0, len(LEVELS), len(df))
        return to_model_frame(mask_rows(df, level)), df["true_deficient"].to_numpy()

    X_train, y_train = cohort(21)
    base = build_pipeline(load_config(TINY).model).fit(X_train, y_train)
    X, y = cohort(31)
    return base, X, y


@pytest.fixture(scope="module")
def fitted(data):
    base, X, y = data
    return LevelCalibratedClassifier(base).fit(X, y)


class ShiftedLogOdds:
    """A base whose log-odds are ``scale * base + shift``: as well ranked, differently calibrated."""

    def __init__(self, base, scale: float, shift: float):
        self.base, self.scale, self.shift = base, scale, shift

    def decision_function(self, X):
        return self.scale * self.base.decision_function(X) + self.shift


def test_every_calibration_group_is_present_in_the_calibration_cohort(data):
    _, X, _ = data
    counts = pd.Series(calibration_group(X)).value_counts()
    assert set(counts.index) == set(GROUPS) and counts.min() >= 200


def test_fit_returns_self_with_one_affine_map_per_group(data):
    base, X, y = data
    est = LevelCalibratedClassifier(base)
    assert est.fit(X, y) is est
    assert est.classes_.tolist() == [False, True]
    assert list(est.coef_) == list(GROUPS)
    assert all(a > 0 for a, _ in est.coef_.values())


def test_log_odds_are_the_base_log_odds_mapped_per_group(data, fitted):
    base, X, _ = data
    group = calibration_group(X)
    a = np.array([fitted.coef_[g][0] for g in group])
    b = np.array([fitted.coef_[g][1] for g in group])
    np.testing.assert_allclose(fitted.decision_function(X), a * base.decision_function(X) + b, rtol=1e-12)
    aa, bb = fitted.affine(X)
    np.testing.assert_array_equal(aa, a)
    np.testing.assert_array_equal(bb, b)


def test_probabilities_and_labels_follow_the_log_odds(data, fitted):
    _, X, _ = data
    proba = fitted.predict_proba(X)
    assert proba.shape == (len(X), 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_allclose(proba[:, 1], expit(fitted.decision_function(X)), rtol=1e-12)
    np.testing.assert_array_equal(fitted.predict(X), proba[:, 1] >= 0.5)


def test_each_group_is_calibrated_in_sample(data):
    """Platt scaling is a maximum-likelihood logistic fit, so on the rows it was fitted on
    the recalibrated log-odds have calibration intercept 0 and slope 1, up to the solver's
    tolerance, whatever the base's calibration (here log-odds doubled and shifted)."""
    base, X, y = data
    est = LevelCalibratedClassifier(ShiftedLogOdds(base, 2.0, -1.0)).fit(X, y)
    p = est.predict_proba(X)[:, 1]
    group = calibration_group(X)
    for g in GROUPS:
        intercept, slope = calibration_intercept_slope(y[group == g], p[group == g])
        assert abs(intercept) < 1e-3 and abs(slope - 1) < 1e-3, (g, intercept, slope)


def test_an_affine_change_of_the_base_log_odds_changes_nothing(data, fitted):
    """The maximum-likelihood map absorbs it: a' = a / 2, b' = b + a / 2. The fits stop at
    lbfgs's tolerance, not at the exact optimum, hence 0.01 on the log-odds (1% on the odds)."""
    base, X, y = data
    est = LevelCalibratedClassifier(ShiftedLogOdds(base, 2.0, -1.0)).fit(X, y)
    np.testing.assert_allclose(est.decision_function(X), fitted.decision_function(X), atol=0.01)
    for g in GROUPS:
        a, b = fitted.coef_[g]
        assert est.coef_[g] == pytest.approx((a / 2, b + a / 2), abs=0.01)


def test_levels_limits_the_recalibration_to_the_groups_named(data, fitted):
    base, X, y = data
    est = LevelCalibratedClassifier(base, levels=("serum_b12",)).fit(X, y)
    assert est.coef_["serum_b12"] == fitted.coef_["serum_b12"]
    assert all(est.coef_[g] == (1.0, 0.0) for g in GROUPS if g != "serum_b12")
    others = calibration_group(X) != "serum_b12"
    np.testing.assert_array_equal(est.decision_function(X)[others], base.decision_function(X)[others])


def test_a_group_with_fewer_than_200_rows_keeps_the_base_log_odds(data):
    base, X, y = data
    group = calibration_group(X)
    keep = (group != "symptoms") | (np.cumsum(group == "symptoms") <= 199)
    est = LevelCalibratedClassifier(base).fit(X[keep], y[keep])
    assert est.coef_["symptoms"] == (1.0, 0.0)
    assert est.coef_["serum_b12"] != (1.0, 0.0)


def test_not_fitted_error_before_fit(data):
    base, X, _ = data
    for method in ("decision_function", "affine", "predict_proba", "predict"):
        with pytest.raises(NotFittedError):
            getattr(LevelCalibratedClassifier(base), method)(X)


def test_pickle_round_trip(data, fitted):
    _, X, _ = data
    copy = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(copy.predict_proba(X), fitted.predict_proba(X))


def test_a_frozen_base_survives_clone(data, fitted):
    """clone() would refit-ready a plain base (an unfitted copy); a FrozenEstimator base stays fitted."""
    base, X, y = data
    again = clone(LevelCalibratedClassifier(FrozenEstimator(base))).fit(X, y)
    assert again.coef_ == fitted.coef_


def test_the_1_0_0_import_path_is_the_same_class():
    assert b12risk.calibration.LevelCalibratedClassifier is LevelCalibratedClassifier


# --------------------------------------------------------------------------- split by region


@pytest.fixture(scope="module")
def two_regions():
    """A calibration cohort from two regions whose prevalences differ several-fold."""
    df = pd.concat(
        [
            simulate(6000, scenario="us_uk", labs="survey", seed=41),
            simulate(6000, scenario="latin_america", labs="survey", seed=42),
        ],
        ignore_index=True,
    )
    level = np.random.default_rng(43).integers(0, len(LEVELS), len(df))
    return to_model_frame(mask_rows(df, level)), df["true_deficient"].to_numpy()


def test_split_groups_name_the_level_and_the_region(two_regions):
    X, _ = two_regions
    split = calibration_group(X, "region")
    assert {g.split("/")[1] for g in split} == {"us_uk", "latin_america"}
    np.testing.assert_array_equal([g.split("/")[0] for g in split], calibration_group(X))
    unknown = calibration_group(X.assign(region=np.nan), "region")
    assert all(g.endswith("/unknown") for g in unknown)
    with pytest.raises(ValueError, match="by must be None or one of region; got 'sex'"):
        calibration_group(X, "sex")


def test_by_region_calibrates_each_level_in_each_region_in_sample(data, two_regions):
    """Doubled and shifted base log-odds: every level x region map undoes it on its own rows."""
    base, _, _ = data
    X, y = two_regions
    est = LevelCalibratedClassifier(ShiftedLogOdds(base, 2.0, -1.0), by="region").fit(X, y)
    split = calibration_group(X, "region")
    p = est.predict_proba(X)[:, 1]
    for g in set(split):
        sel = split == g
        if sel.sum() >= 200 and 0 < y[sel].sum() < sel.sum():
            intercept, slope = calibration_intercept_slope(y[sel], p[sel])
            assert abs(intercept) < 1e-3 and abs(slope - 1) < 1e-3, (g, intercept, slope)
    assert set(GROUPS) <= set(est.coef_) and set(split) <= set(est.coef_)


def test_a_region_without_a_map_of_its_own_takes_its_levels_map(data, two_regions):
    base, _, _ = data
    X, y = two_regions
    est = LevelCalibratedClassifier(base, by="region").fit(X, y)
    nowhere = X.assign(region=np.nan)
    a, b = est.affine(nowhere)
    level = calibration_group(nowhere)
    np.testing.assert_array_equal(a, [est.coef_[g][0] for g in level])
    np.testing.assert_array_equal(b, [est.coef_[g][1] for g in level])
    # and a region's map differs from the pooled level's where the regions differ
    assert est.coef_["symptoms/latin_america"] != est.coef_["symptoms"]


def test_a_model_saved_before_by_existed_keeps_one_map_per_level(data, fitted):
    _, X, _ = data
    state = fitted.__getstate__()
    del state["by"]  # what 1.0.0's file holds
    old = LevelCalibratedClassifier.__new__(LevelCalibratedClassifier)
    old.__setstate__(state)
    assert old.get_params()["by"] is None
    np.testing.assert_array_equal(old.decision_function(X), fitted.decision_function(X))
