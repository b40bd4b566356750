"""Specification of b12risk.modelling.metrics: hand-computed cases, agreement with scikit-learn and
statsmodels, behaviour on calibrated and miscalibrated simulations, and error messages."""

from __future__ import annotations

import doctest
import math
import re

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import average_precision_score, brier_score_loss, log_loss, roc_auc_score

from b12risk.errors import ConfigError
from b12risk.modelling import metrics
from b12risk.modelling.metrics import (
    SUMMARY_KEYS,
    bootstrap,
    bootstrap_ci,
    calibration,
    calibration_intercept_slope,
    decision,
    decision_curve,
    discrimination,
    engine,
    expected_calibration_error,
    integrated_calibration_index,
    net_benefit,
    paired_auroc_difference,
    smoothed_calibration_curve,
    subgroup_table,
    summary,
)


def simulate(n: int, seed: int, *, mean: float = -1.5, sd: float = 1.2) -> tuple[np.ndarray, np.ndarray]:
    """Outcomes drawn from their own probabilities, so ``p`` is perfectly calibrated."""
    rng = np.random.default_rng(seed)
    p = 1.0 / (1.0 + np.exp(-rng.normal(mean, sd, n)))
    return (rng.random(n) < p).astype(np.int64), p


def logit(p: np.ndarray) -> np.ndarray:
    return np.log(p) - np.log1p(-p)


def expit(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def glm_fit(y: np.ndarray, p: np.ndarray, *, offset: bool):
    """The reference fits, straight from statsmodels (for standard errors and equality checks)."""
    import statsmodels.api as sm

    x = logit(np.clip(p, 1e-10, 1 - 1e-10))
    if offset:
        return sm.GLM(y, np.ones((y.size, 1)), family=sm.families.Binomial(), offset=x).fit()
    return sm.GLM(y, sm.add_constant(x), family=sm.families.Binomial()).fit()


@pytest.mark.parametrize("module", [metrics, calibration, engine, bootstrap, decision])
def test_docstring_examples_run(module):
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0


# ----------------------------------------------------------------------------- discrimination


def test_auroc_of_two_positives_and_three_negatives_by_hand():
    # Positive 0.8 beats all three negatives (3); positive 0.4 beats 0.1, ties 0.4, loses to 0.6 (1.5).
    y = [1, 1, 0, 0, 0]
    score = [0.8, 0.4, 0.1, 0.4, 0.6]
    assert summary(y, [0.5] * 5, threshold=0.5, score=score)["auroc"] == pytest.approx(4.5 / 6)
    assert discrimination._auroc(np.array(y, float), np.array(score)) == pytest.approx(0.75)


@pytest.mark.parametrize("distinct", [3, 50, None])
def test_fast_auroc_and_average_precision_equal_sklearn(distinct):
    rng = np.random.default_rng(7)
    y = (rng.random(3000) < 0.3).astype(int)
    score = rng.normal(size=3000) + y
    if distinct is not None:  # force many ties
        score = np.round(score * distinct / 8) / distinct
    s = summary(y, np.full(3000, 0.3), threshold=0.5, score=score)
    assert s["auroc"] == pytest.approx(roc_auc_score(y, score), abs=1e-12)
    assert s["auprc"] == pytest.approx(average_precision_score(y, score), abs=1e-12)


def test_weighted_metrics_of_a_resample_equal_the_metrics_of_the_resampled_rows(monkeypatch):
    monkeypatch.setattr(engine, "_CAL_BINS", 10**9)  # exact calibration fits for this comparison
    y, p = simulate(4000, seed=11)
    score = p + np.random.default_rng(1).normal(0, 0.1, p.size)
    idx = np.random.default_rng(2).integers(0, y.size, y.size)
    counts = np.bincount(idx, minlength=y.size).astype(float)[None, :]
    m = engine._Engine(y.astype(float), p, score, 0.2).metrics(counts)
    yr, pr, sr = y[idx], p[idx], score[idx]
    assert m["auroc"][0] == pytest.approx(roc_auc_score(yr, sr), abs=1e-12)
    assert m["auprc"][0] == pytest.approx(average_precision_score(yr, sr), abs=1e-12)
    assert m["brier"][0] == pytest.approx(brier_score_loss(yr, pr), abs=1e-12)
    assert m["log_loss"][0] == pytest.approx(log_loss(yr, pr), abs=1e-12)
    assert m["ece"][0] == pytest.approx(expected_calibration_error(yr, pr), abs=1e-12)
    intercept, slope = calibration_intercept_slope(yr, pr)
    assert m["cal_intercept"][0] == pytest.approx(intercept, abs=1e-6)
    assert m["cal_slope"][0] == pytest.approx(slope, abs=1e-6)


def test_summary_agrees_with_sklearn_and_counts_by_hand():
    y, p = simulate(5000, seed=3)
    s = summary(y, p, threshold=0.25)
    assert list(s) == list(SUMMARY_KEYS)
    assert s["n"] == 5000
    assert s["prevalence"] == pytest.approx(y.mean())
    assert s["auroc"] == pytest.approx(roc_auc_score(y, p), abs=1e-12)
    assert s["auprc"] == pytest.approx(average_precision_score(y, p), abs=1e-12)
    assert s["brier"] == pytest.approx(brier_score_loss(y, p), abs=1e-12)
    assert s["log_loss"] == pytest.approx(log_loss(y, p), abs=1e-12)
    called = p >= 0.25
    assert s["sensitivity"] == pytest.approx(called[y == 1].mean())
    assert s["specificity"] == pytest.approx((~called)[y == 0].mean())


def test_summary_accepts_lists_booleans_and_series():
    y, p = simulate(500, seed=4)
    expected = summary(y, p, threshold=0.3)
    assert summary(list(y.astype(bool)), list(p), threshold=0.3) == expected
    index = pd.RangeIndex(1000, 1500)
    assert summary(pd.Series(y, index=index), pd.Series(p, index=index[::-1]), threshold=0.3) == expected


@pytest.mark.parametrize("label", [0, 1])
def test_single_class_gives_nan_not_an_error(label):
    y = np.full(50, label)
    p = np.linspace(0.1, 0.9, 50)
    s = summary(y, p, threshold=0.5)
    for key in ("auroc", "auprc", "cal_intercept", "cal_slope"):
        assert math.isnan(s[key]), key
    assert math.isnan(s["sensitivity"] if label == 0 else s["specificity"])
    assert s["brier"] == pytest.approx(np.mean((p - label) ** 2))
    ci = bootstrap_ci(y, p, threshold=0.5, n_boot=20)
    assert all(math.isnan(v) for v in ci["auroc"])
    assert ci["brier"][0] <= s["brier"] <= ci["brier"][1]


def test_paired_auroc_difference_uses_the_same_resamples():
    y, p = simulate(3000, seed=5)
    noisy = p + np.random.default_rng(6).normal(0, 0.3, p.size)
    d = paired_auroc_difference(y, p, noisy)
    assert d["diff"] == pytest.approx(roc_auc_score(y, p) - roc_auc_score(y, noisy), abs=1e-12)
    assert 0 < d["lo"] < d["diff"] < d["hi"]
    same = paired_auroc_difference(y, p, p * 2 + 1)  # same ranking: every resample differs by exactly 0
    assert (same["diff"], same["lo"], same["hi"]) == (0.0, 0.0, 0.0)


# ----------------------------------------------------------------------------- calibration


def test_calibration_of_perfectly_calibrated_probabilities_is_ideal_within_sampling_error():
    y, p = simulate(50_000, seed=20)
    intercept, slope = calibration_intercept_slope(y, p)
    se_intercept = glm_fit(y, p, offset=True).bse[0]
    se_slope = glm_fit(y, p, offset=False).bse[1]
    assert abs(intercept) < 4 * se_intercept
    assert abs(slope - 1) < 4 * se_slope
    assert se_slope < 0.03  # so the check above has teeth


def test_calibration_detects_overconfidence_and_a_shift():
    y, p = simulate(50_000, seed=21)
    too_extreme = expit(2 * logit(p))  # logit scaled by 2: the true slope is 1/2
    _, slope = calibration_intercept_slope(y, too_extreme)
    assert abs(slope - 0.5) < 4 * glm_fit(y, too_extreme, offset=False).bse[1]
    too_high = expit(logit(p) + 0.5)  # risks overstated by 0.5 on the log-odds scale
    intercept, slope = calibration_intercept_slope(y, too_high)
    assert abs(intercept + 0.5) < 4 * glm_fit(y, too_high, offset=True).bse[0]
    assert abs(slope - 1) < 0.05


@pytest.mark.parametrize("warp", ["identity", "too_extreme", "noise"])
def test_newton_fits_equal_statsmodels(warp, monkeypatch):
    monkeypatch.setattr(engine, "_CAL_BINS", 10**9)  # the exact fit, not the binned one resamples use
    y, p = simulate(3000, seed=22)
    if warp == "too_extreme":
        p = expit(3 * logit(p))
    elif warp == "noise":
        p = np.random.default_rng(0).uniform(0.01, 0.99, p.size)
    eng = engine._Engine(y.astype(float), p, None, 0.5)
    cold = eng.metrics(np.ones((1, y.size)))  # first fit: Newton from the null model
    assert cold["cal_intercept"][0] == pytest.approx(glm_fit(y, p, offset=True).params[0], abs=1e-6)
    assert cold["cal_slope"][0] == pytest.approx(glm_fit(y, p, offset=False).params[1], abs=1e-6)


def test_intercept_survives_a_certain_prediction_that_turns_out_wrong():
    """An oracle can be certain of a row (p = 1 to machine precision) that turns out not
    deficient. IRLS reported 3.9e15 as the intercept of such a cell (africa_asia_high,
    serum B12); the maximum-likelihood intercept is finite and is found here by a grid on
    the log-likelihood, independently of the bracketing root the metric uses."""
    rng = np.random.default_rng(0)
    p = np.r_[np.ones(9000), rng.uniform(0.2, 0.8, 1000)]
    y = np.r_[np.ones(8999), 0, rng.random(1000) < p[9000:]].astype(int)
    intercept, _ = calibration_intercept_slope(y, p)
    x = logit(np.clip(p, 1e-10, 1 - 1e-10))
    grid = np.linspace(-1.0, 1.0, 20001)
    loglik = [np.sum(y * (a + x) - np.logaddexp(0.0, a + x)) for a in grid]
    assert intercept == pytest.approx(grid[int(np.argmax(loglik))], abs=1e-4)


def test_separated_classes_give_nan_slope():
    intercept, slope = calibration_intercept_slope([0, 0, 1, 1], [0.1, 0.2, 0.3, 0.4])
    assert math.isfinite(intercept)
    assert math.isnan(slope)


def test_expected_calibration_error_by_hand():
    # Bins {0.1, 0.2, 0.3} and {0.7, 0.8, 0.9}: |0.2 - 1/3| and |0.8 - 2/3|, each weighing 1/2.
    y = [0, 0, 1, 1, 1, 0]
    p = [0.1, 0.2, 0.3, 0.7, 0.8, 0.9]
    assert expected_calibration_error(y, p, n_bins=2) == pytest.approx(2 / 15)
    # One bin: |mean p - mean y|.
    assert expected_calibration_error(y, p, n_bins=1) == pytest.approx(abs(np.mean(p) - 0.5))
    # Tied predictions share a bin: four rows at 0.3 and two at 0.6, two bins.
    y2, p2 = [1, 0, 0, 0, 1, 1], [0.3, 0.3, 0.3, 0.3, 0.6, 0.6]
    assert expected_calibration_error(y2, p2, n_bins=2) == pytest.approx((4 * 0.05 + 2 * 0.4) / 6)
    assert expected_calibration_error(y2, list(reversed(p2)), n_bins=2) != pytest.approx(0.0)


def test_expected_calibration_error_uses_equal_frequency_bins():
    rng = np.random.default_rng(8)
    p = rng.uniform(0, 1, 1000)  # distinct values, 1000 rows: ten bins of 100 sorted rows
    y = (rng.random(1000) < p**1.5).astype(int)
    order = np.argsort(p)
    bins = np.array_split(order, 10)
    expected = sum(abs(p[b].mean() - y[b].mean()) * b.size for b in bins) / 1000
    assert expected_calibration_error(y, p) == pytest.approx(expected, abs=1e-12)


def test_integrated_calibration_index_is_small_when_calibrated_and_large_when_not():
    y, p = simulate(20_000, seed=23)
    good = integrated_calibration_index(y, p)
    bad = integrated_calibration_index(y, expit(logit(p) + 1.0))
    assert set(good) == {"ici", "e50", "e90"}
    assert good["ici"] < 0.01
    assert good["e50"] <= good["e90"]
    assert bad["ici"] > 5 * good["ici"]


def test_smoothed_calibration_curve_follows_the_diagonal():
    y, p = simulate(20_000, seed=24)
    grid, observed = smoothed_calibration_curve(y, p)
    assert grid.shape == observed.shape == (101,)
    assert np.max(np.abs(observed - grid)) < 0.05
    assert 0.0 < p.min() and p.max() < 1.0
    _, obs = smoothed_calibration_curve(y, p, grid=[0.0, 0.2, 1.0])
    assert math.isnan(obs[0]) and math.isnan(obs[2])  # outside the observed range
    assert obs[1] == pytest.approx(0.2, abs=0.03)


# ----------------------------------------------------------------------------- bootstrap


def test_bootstrap_intervals_contain_the_estimates_and_are_reproducible():
    y, p = simulate(3000, seed=30)
    point = summary(y, p, threshold=0.2)
    ci = bootstrap_ci(y, p, threshold=0.2, seed=4)
    assert list(ci) == list(SUMMARY_KEYS)
    assert ci["n"] == (3000, 3000)
    for key in SUMMARY_KEYS:
        lo, hi = ci[key]
        assert lo <= point[key] <= hi, key
    assert bootstrap_ci(y, p, threshold=0.2, seed=4) == ci
    assert bootstrap_ci(y, p, threshold=0.2, seed=5) != ci


def test_bootstrap_never_touches_the_global_rng():
    y, p = simulate(500, seed=31)
    np.random.seed(1)  # noqa: NPY002 - the legacy global RNG is what this test watches
    state = np.random.get_state()[1].copy()  # noqa: NPY002
    first = bootstrap_ci(y, p, threshold=0.2, n_boot=30)
    assert np.array_equal(np.random.get_state()[1], state)  # noqa: NPY002
    np.random.seed(2)  # noqa: NPY002
    assert bootstrap_ci(y, p, threshold=0.2, n_boot=30) == first


def test_bootstrap_intervals_narrow_as_one_over_root_n():
    y, p = simulate(8000, seed=32)
    wide = bootstrap_ci(y[:2000], p[:2000], threshold=0.2)
    narrow = bootstrap_ci(y, p, threshold=0.2)
    for key in ("auroc", "brier", "cal_slope"):
        ratio = (wide[key][1] - wide[key][0]) / (narrow[key][1] - narrow[key][0])
        assert 1.5 < ratio < 2.7, (key, ratio)  # sqrt(8000 / 2000) = 2


def test_net_benefit_by_hand():
    y = [1, 1, 0, 0, 1]
    p = [0.9, 0.4, 0.35, 0.8, 0.1]
    # t = 0.3: tested rows 0.9 (event), 0.4 (event), 0.35, 0.8 -> TP 2, FP 2.
    # t = 0.5: tested rows 0.9 (event), 0.8 -> TP 1, FP 1.
    expected = [2 / 5 - 2 / 5 * 0.3 / 0.7, 1 / 5 - 1 / 5 * 0.5 / 0.5]
    np.testing.assert_allclose(net_benefit(y, p, [0.3, 0.5]), expected)
    np.testing.assert_allclose(net_benefit(y, p, 0.3), expected[:1])


def test_decision_curve_has_test_all_and_test_none():
    y, p = simulate(2000, seed=40)
    t = np.linspace(0.01, 0.6, 60)
    dc = decision_curve(y, {"model": p, "baseline": np.full(p.size, y.mean())})
    assert list(dc.columns) == ["strategy", "threshold", "net_benefit"]
    assert list(dc["strategy"].unique()) == ["model", "baseline", "test all", "test none"]
    prev = y.mean()
    test_all = dc[dc["strategy"] == "test all"]
    np.testing.assert_allclose(test_all["threshold"], t)
    np.testing.assert_allclose(test_all["net_benefit"], prev - (1 - prev) * t / (1 - t))
    assert (dc.loc[dc["strategy"] == "test none", "net_benefit"] == 0).all()
    model = dc[dc["strategy"] == "model"]["net_benefit"].to_numpy()
    np.testing.assert_allclose(model, net_benefit(y, p, t))
    assert (model >= test_all["net_benefit"].to_numpy() - 0.01).all()  # a calibrated model is not worse


# ----------------------------------------------------------------------------- subgroups


@pytest.fixture(scope="module")
def cohort() -> pd.DataFrame:
    y, p = simulate(12_000, seed=50, mean=-1.2, sd=1.4)
    rng = np.random.default_rng(51)
    site = np.repeat(["A", "B", "C", "D"], 3000)
    p = p.copy()
    p[site == "C"] = rng.uniform(0.01, 0.99, 3000)  # site C's predictions are noise
    p[site == "D"] = expit(logit(p[site == "D"]) + 1.0)  # site D's risks are overstated
    band = pd.cut(p, [0, 0.1, 0.2, 1.0], labels=["low", "mid", "high"])
    tiny = np.where(np.arange(12_000) < 150, "rare", "common")
    return pd.DataFrame({"y": y, "p": p, "site": site, "band": band, "tiny": tiny})


@pytest.fixture(scope="module")
def table(cohort) -> pd.DataFrame:
    groups = {"site": cohort["site"], "band": cohort["band"], "tiny": cohort["tiny"].to_numpy()}
    return subgroup_table(cohort["y"], cohort["p"], groups, threshold=0.2, n_boot=100)


def test_subgroup_table_layout(table):
    assert list(table[["grouping", "level"]].itertuples(index=False, name=None)) == [
        ("overall", "all"),
        ("site", "A"),
        ("site", "B"),
        ("site", "C"),
        ("site", "D"),
        ("band", "low"),
        ("band", "mid"),
        ("band", "high"),
        ("tiny", "common"),
        ("tiny", "rare"),
    ]
    assert table["n"].tolist()[:5] == [12_000, 3000, 3000, 3000, 3000]
    assert table["flag"].dtype == bool
    for key in ("auroc", "cal_intercept", "cal_slope"):
        ok = table[key].notna()
        assert (table.loc[ok, f"{key}_lo"] <= table.loc[ok, key]).all()
        assert (table.loc[ok, key] <= table.loc[ok, f"{key}_hi"]).all()


def test_subgroup_with_noise_predictions_is_flagged_and_healthy_ones_are_not(table):
    by_site = table[table["grouping"] == "site"].set_index("level")
    assert by_site.loc["C", "flag"]
    assert "AUROC" in by_site.loc["C", "flag_reason"]
    assert "calibration slope" in by_site.loc["C", "flag_reason"]
    assert not by_site.loc["A", "flag"] and not by_site.loc["B", "flag"]
    assert by_site.loc["A", "flag_reason"] == ""


def test_subgroup_with_overstated_risks_is_flagged_for_its_intercept(table):
    d = table[(table["grouping"] == "site") & (table["level"] == "D")].iloc[0]
    assert d["flag"]
    assert d["flag_reason"].startswith("calibration intercept")
    assert d["cal_intercept_hi"] < -metrics.INTERCEPT_TOLERANCE


def test_narrow_risk_band_is_not_flagged_for_a_lower_auroc_its_case_mix_explains(cohort):
    # Sites A and B only: the predictions there are right, but within a band of similar
    # risks the AUROC is far below the cohort's. The bar also uses the expected AUROC.
    keep = cohort["site"].isin(["A", "B"]).to_numpy()
    c = cohort[keep]
    t = subgroup_table(c["y"], c["p"], {"band": c["band"]}, threshold=0.2, n_boot=100)
    overall, mid = t.iloc[0], t[t["level"] == "mid"].iloc[0]
    assert mid["auroc_hi"] < overall["auroc"]
    assert mid["auroc_expected"] == pytest.approx(mid["auroc"], abs=0.05)
    assert not mid["flag"]


def test_overall_row_is_judged_by_the_calibration_rules(table):
    overall = table.iloc[0]  # sites C and D drag the whole cohort's calibration down
    assert overall["flag"]
    assert "calibration slope" in overall["flag_reason"] and "AUROC" not in overall["flag_reason"]


def test_small_and_single_class_subgroups_are_reported_not_judged(table):
    rare = table[table["level"] == "rare"].iloc[0]
    assert rare["n"] == 150
    assert not rare["flag"] and rare["flag_reason"] == "too few"
    assert math.isnan(rare["auroc"]) and math.isnan(rare["cal_slope"])
    t = subgroup_table([0] * 300 + [1, 0] * 150, [0.2] * 600, {"g": ["x"] * 300 + ["z"] * 300}, threshold=0.5)
    x = t[t["level"] == "x"].iloc[0]
    assert (x["flag"], x["flag_reason"], x["prevalence"]) == (False, "one outcome class", 0.0)


# ----------------------------------------------------------------------------- errors

Y = [0, 1, 0, 1, 1, 0]
P = [0.1, 0.8, 0.3, 0.6, 0.9, 0.2]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: summary(Y, P[:5], threshold=0.5), "p must have one value per element of y; got 5 values, y has 6"),
        (lambda: summary(Y, [*P[:5], 1.3], threshold=0.5), "p must lie in [0, 1]; got 1.3 at index 5"),
        (lambda: summary(Y, [*P[:2], np.nan, *P[3:]], threshold=0.5), "p must lie in [0, 1]; got nan at index 2"),
        (lambda: summary([0, 2, 0, 1, 1, 0], P, threshold=0.5), "y must contain only 0 and 1; got 2.0 at index 1"),
        (lambda: summary([], [], threshold=0.5), "y must not be empty"),
        (
            lambda: summary(Y, P, threshold=1.5),
            "The 'threshold' parameter of summary must be a float in the range [0, 1]. Got 1.5 instead.",
        ),
        (
            lambda: summary(Y, P, threshold=0.5, score=[1, 2, np.inf, 4, 5, 6]),
            "score must be finite real numbers; got inf at index 2",
        ),
        (
            lambda: summary(Y, P, threshold=0.5, score=[1, 2]),
            "score must have one value per element of y; got 2 values, y has 6",
        ),
        (lambda: summary(Y, [["a"]] * 6, threshold=0.5), "p must be an array of numbers"),
        (
            lambda: calibration_intercept_slope(Y, [[0.5, 0.5]] * 6),
            "p must be one-dimensional; got an array of shape (6, 2)",
        ),
        (
            lambda: bootstrap_ci(Y, P, threshold=0.5, n_boot=0),
            "The 'n_boot' parameter of bootstrap_ci must be an int in the range [1, inf). Got 0 instead.",
        ),
        (
            lambda: bootstrap_ci(Y, P, threshold=0.5, level=1),
            "The 'level' parameter of bootstrap_ci must be a float in the range (0, 1). Got 1 instead.",
        ),
        (
            lambda: bootstrap_ci(Y, P, threshold=0.5, seed=-1),
            "The 'seed' parameter of bootstrap_ci must be an int in the range [0, inf). Got -1 instead.",
        ),
        (
            lambda: expected_calibration_error(Y, P, n_bins=2.5),
            "The 'n_bins' parameter of expected_calibration_error must be an int in the range [1, inf). Got 2.5 instead.",
        ),
        (lambda: net_benefit(Y, P, [0.2, 1.0]), "thresholds must lie in [0, 1); got 1.0 at index 1"),
        (
            lambda: paired_auroc_difference(Y, P, P[:3]),
            "score_b must have one value per element of y; got 3 values, y has 6",
        ),
        (
            lambda: decision_curve(Y, {"model": [*P[:5], -0.1]}),
            "scores['model'] must lie in [0, 1]; got -0.1 at index 5",
        ),
        (
            lambda: decision_curve(Y, {"test all": P}),
            "scores must not use the reserved strategy name 'test all'; rename it",
        ),
        (lambda: smoothed_calibration_curve(Y, P, grid=[0.5, 2]), "grid must lie in [0, 1]; got 2.0 at index 1"),
        (
            lambda: subgroup_table(Y, P, {"sex": ["f", "m"]}, threshold=0.5),
            "groups['sex'] must have one value per element of y; got 2 values, y has 6",
        ),
        (
            lambda: subgroup_table(Y, P, {}, threshold=0.5, min_n=0),
            "The 'min_n' parameter of subgroup_table must be an int in the range [1, inf). Got 0 instead.",
        ),
    ],
)
def test_invalid_input_is_named_with_its_value_and_expectation(call, message):
    with pytest.raises(ConfigError, match=re.escape(message)):
        call()


def test_missing_values_in_pandas_input_are_reported():
    y = pd.Series([0, 1, None, 1], dtype="Int64")
    with pytest.raises(ConfigError, match=re.escape("y must contain only 0 and 1; got nan at index 2")):
        summary(y, [0.1, 0.2, 0.3, 0.4], threshold=0.5)


def test_input_errors_are_value_errors():
    with pytest.raises(ValueError, match="p must lie in"):
        net_benefit(Y, [2] * 6, 0.1)


def test_binned_resample_calibration_fits_stay_close_to_the_exact_ones():
    """Resamples fit calibration on 2,000 groups of logit(p): the difference from the
    exact fit is far below the intervals' width."""
    y, p = simulate(20_000, seed=23)
    eng = engine._Engine(y.astype(float), p, None, 0.5)
    binned = eng.metrics(np.ones((1, y.size)))
    assert binned["cal_slope"][0] == pytest.approx(glm_fit(y, p, offset=False).params[1], abs=2e-3)
    assert binned["cal_intercept"][0] == pytest.approx(glm_fit(y, p, offset=True).params[0], abs=2e-3)
