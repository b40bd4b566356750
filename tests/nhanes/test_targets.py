"""The declared moments of real adults, measured the same way on NHANES and on a
simulated cohort; and the first, closed-form stage of the calibration."""

import math

import numpy as np
import pandas as pd
import pytest

from b12risk.knowledge import load
from b12risk.nhanes.adapter import load_adults
from b12risk.nhanes.calibrate import SEPARABILITY_RANGES, population_overrides, separability, simulated_moments
from b12risk.nhanes.targets import TARGETS, Target, compare, measure, pooled_weights


def test_every_target_has_one_tolerance_and_a_known_statistic():
    assert len(TARGETS) == 41
    for t in TARGETS.values():
        assert (t.relative is None) != (t.absolute is None), t.name


def test_tolerances_are_relative_or_absolute():
    rel = Target("x", "quantile", "c", relative=0.1)
    assert rel.within(100.0, 109.0) and not rel.within(100.0, 111.0)
    ab = Target("y", "corr_log", "c", absolute=0.05)
    assert ab.within(-0.27, -0.31) and not ab.within(-0.27, -0.33)
    assert not rel.within(100.0, math.nan)


def test_statistics_on_a_frame_counted_by_hand():
    # four adults; the second counts three times (weight 3)
    frame = pd.DataFrame(
        {
            "age": [25.0, 30.0, 65.0, 75.0],
            "serum_b12_pmol_l": [100.0, 200.0, 300.0, 400.0],
            "mma_umol_l": [0.5, 0.2, 0.15, 0.3],
            "egfr_ml_min": [90.0, 90.0, 50.0, 90.0],
            "supplement_use": [0.0, 1.0, 1.0, 0.0],
            "metformin_years": [0.0, 0.0, 2.0, 0.0],
            "ppi_years": [0.0, 0.0, 0.0, 0.0],
            "hcy_umol_l": [12.0, 8.0, 16.0, np.nan],  # not measured in the last adult
            "mcv_fl": [101.0, 90.0, 92.0, 88.0],
            "pregnant": [0.0, 1.0, 0.0, 0.0],
            "sex": pd.Categorical(["male", "female", "male", "female"], categories=["female", "male"]),
        }
    )
    w = np.array([1.0, 3.0, 1.0, 1.0])
    got = measure(frame, w)
    assert got["b12_below_148_20_39"] == pytest.approx(1 / 4)
    assert got["b12_148_221_20_39"] == pytest.approx(3 / 4)
    assert got["supplement_share"] == pytest.approx(4 / 6)
    assert got["mma_above_0271_egfr60"] == pytest.approx(2 / 5)  # the eGFR-50 adult is left out
    assert got["mma_median_egfr_below_60"] == 0.15  # only the eGFR-50 adult
    assert got["mma_median_70plus_egfr60"] == 0.3  # the 75-year-old; the 65-year-old is too young
    assert got["egfr_below_60_70plus"] == 0.0  # the adult with eGFR 50 is 65
    # raised MMA at eGFR >= 60: the adults reading 100 and 400; the one reading 200 (weight 3) is
    # not raised, below the case at 400 and above the case at 100: half the weighted pairs ordered
    assert got["auroc_b12_raised_mma_egfr60"] == pytest.approx(0.5)
    assert got["b12_median"] == 200.0  # weighted (inverted CDF): 4 of 6 weight at or below 200
    assert got["hcy_above_15_egfr60"] == 0.0  # the one above 15 has eGFR 50; the unmeasured adult is left out
    assert got["mcv_above_100"] == pytest.approx(1 / 6)
    assert got["b12_below_221_supplement_vs_not"] == pytest.approx((3 / 4) / (1 / 2))
    assert got["b12_below_148_pregnant_vs_not"] == 0.0  # the pregnant 30-year-old reads 200
    assert math.isnan(got["b12_below_148_metformin_vs_not_50plus"])  # no non-user aged 50+ is low: no ratio
    assert got["b12_below_221_women_20_44"] == 1.0  # the woman of 30 reads 200
    assert got["b12_below_221_men_20_44"] == 1.0  # the man of 25 reads 100; the man of 65 is too old
    # replete (serum >= 300) with eGFR >= 60: the woman of 75 only; the man of 65 has eGFR 50
    assert got["mma_median_women_replete_egfr60"] == 0.3
    assert math.isnan(got["mma_median_men_replete_egfr60"])


def test_pooled_weights_divide_by_the_number_of_cycles():
    frame = pd.DataFrame({"weight": [10.0, 20.0, 30.0], "cycle": ["a", "b", "b"]})
    assert np.array_equal(pooled_weights(frame), [5.0, 10.0, 15.0])


@pytest.fixture(scope="module")
def real():
    return load_adults()


def test_the_real_figures_are_those_measured_before(real):
    # shared/nhanes/README.md and REAL_WORLD.md: about 2% of US adults below 148 pmol/L, median
    # near 350, raised MMA in about 6%
    got = measure(real, pooled_weights(real))
    assert 0.015 < got["b12_below_148_40_59"] < 0.025
    assert 330 < got["b12_median"] < 380
    assert 0.04 < got["mma_above_0271_egfr60"] < 0.08
    assert -0.35 < got["corr_log_b12_log_mma"] < -0.2


def test_the_first_stage_reproduces_who_takes_what(real):
    kb = load(overrides=population_overrides(real, load()))
    table = compare(measure(real, pooled_weights(real)), simulated_moments(kb, n=200_000))
    taking = table[table["target"].isin(["supplement_share", "metformin_share", "ppi_share"])]
    assert taking["within"].all(), taking


@pytest.fixture(scope="module")
def real_and_simulated(real):
    # 200,000 simulated rows: the binomial s.e. of a 2% share among ~70,000 adults of an age band
    # is about 0.0005, a twentieth of the 20% tolerance; the real side is fixed data.
    return measure(real, pooled_weights(real)), simulated_moments(load(), n=200_000, seed=31)


@pytest.mark.parametrize("name", list(TARGETS))
def test_the_simulated_us_uk_adults_match_real_adults(real_and_simulated, name):
    real_values, simulated = real_and_simulated
    assert TARGETS[name].within(real_values[name], simulated[name]), (name, real_values[name], simulated[name])


@pytest.fixture(scope="module")
def separable():
    # a fresh seed, not the fit's: with ~3,000 truly deficient adults among 150,000 the s.e. of an
    # AUROC is about 0.004, and the fit aims 0.01 inside each range
    return separability(n=150_000, seed=20261299)


@pytest.mark.parametrize("name", list(SEPARABILITY_RANGES))
def test_deficiency_is_as_separable_as_published_figures_say(separable, name):
    low, high = SEPARABILITY_RANGES[name]
    assert low <= separable[name] <= high, (name, separable[name])


def test_a_held_parameter_must_be_a_free_one():
    from b12risk.errors import ConfigError
    from b12risk.nhanes.calibrate import fit, parameter_names

    assert "scenarios.us_uk.diet" in parameter_names()
    assert len(parameter_names()) == len(set(parameter_names()))
    with pytest.raises(ConfigError, match=r"hold names unknown parameters \['latent.sd'\]"):
        fit(pd.DataFrame(), hold=["latent.sd"])  # refused before any data is read


def test_the_first_stage_recovers_the_kidney_function_it_is_shown():
    # A population with a known eGFR law: median 100 up to 40, falling 1.5% a year after; a log
    # spread of 0.15 at 40 growing 1.2% a year; survey weights unrelated to eGFR. With 20,000
    # adults (NHANES has about 15,000) the standard errors are about 0.25% for the median, 1e-4
    # for its slope, 1.5% for a band's spread and 5e-4 for the spread's slope: 4 of each.
    rng = np.random.default_rng(11)
    n = 20_000
    age = rng.uniform(20, 90, n)
    sd = 0.15 * np.exp(0.012 * (age - 40))
    log_egfr = np.log(100.0) - 0.015 * np.maximum(age - 40, 0) + sd * rng.standard_normal(n)
    real = pd.DataFrame({"age": age, "sex": "female", "weight": rng.uniform(0.5, 1.5, n), "cycle": "x"})
    for name in ("supplement_use", "metformin_years", "ppi_years", "h2_blocker_years"):
        real[name] = (rng.random(n) < 0.2).astype(float)
    kb = load()

    def fitted(log_values):
        law = population_overrides(real.assign(egfr_ml_min=np.exp(log_values)), kb)["measurement"]["egfr"]
        return {k: v["value"] for k, v in law.items()}

    got = fitted(log_egfr)
    assert got["median"] == pytest.approx(100.0, rel=0.01)
    assert got["age_slope"] == pytest.approx(-0.015, abs=0.0004)
    assert got["sd"] == pytest.approx(0.15, rel=0.06)
    assert got["sd_age_slope"] == pytest.approx(0.012, abs=0.002)

    # Kidney disease gives real eGFR a long lower tail. Put 5% of the adults in one (an
    # exponential fall of mean 0.6 on the log): the median line moves by about 0.05 x 0.5 / the
    # density at the median, 0.9%, where a least-squares line would move by the tail's mean
    # share, 0.05 x 0.6 = 3%.
    tail = rng.random(n) < 0.05
    sick = log_egfr.copy()
    sick[tail] -= rng.exponential(0.6, tail.sum())
    moved = fitted(sick)
    assert 0.0 < 1.0 - moved["median"] / got["median"] < 0.015
    design = np.column_stack([np.ones(n), np.maximum(age - 40, 0)])
    least_squares = [np.linalg.lstsq(design, v, rcond=None)[0][0] for v in (log_egfr, sick)]
    assert least_squares[0] - least_squares[1] > 0.025
