"""simulate(): the observed columns, the truth, reproducibility and clinical realism."""

import re

import numpy as np
import pandas as pd
import pytest

from b12risk import ConfigError, simulate
from b12risk.knowledge import LEVELS, load
from b12risk.knowledge.schema import features, level_columns, truth_columns
from b12risk.simulation.cohort import BLOCK_ROWS, iter_blocks, mask_to_level

KB = load()


@pytest.fixture(scope="module")
def survey() -> pd.DataFrame:
    return simulate(120_000, scenario="us_uk", seed=11, labs="survey")


def test_columns_are_the_feature_contract_then_the_truth(survey):
    assert list(survey.columns) == [*features(), *truth_columns()]
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", c) for c in survey.columns)
    for name in (
        "age",
        "serum_b12_pmol_l",
        "mma_umol_l",
        "hcy_umol_l",
        "holotc_pmol_l",
        "mcv_fl",
        "hgb_g_dl",
        "egfr_ml_min",
        "ppi_years",
        "metformin_years",
    ):
        assert name in survey.columns


def test_truth_is_the_latent_level_below_148(survey):
    assert (survey.true_deficient == (survey.true_b12_pmol_l < 148)).all()
    tiers = survey.groupby("true_severity", observed=True).true_b12_pmol_l.agg(["min", "max"])
    assert tiers.loc["mild", "min"] >= 100 and tiers.loc["mild", "max"] < 148
    assert tiers.loc["moderate", "max"] < 100 and tiers.loc["severe", "max"] < 60
    assert not any(c.startswith("true_") for c in features())


def test_simulated_egfr_stays_inside_the_plausible_range_so_every_row_is_valid_input():
    """A log-normal eGFR passes the knowledge base's limit (250) about once in ten million
    draws, and validation refuses such a row: the simulator keeps it at the limit. A world
    with a far wider spread makes the tail common enough to see."""
    from b12risk.validation import validate

    wide = load(overrides={"measurement": {"egfr": {"sd": {"value": 0.6, "unit": "log mL/min", "source": "test"}}}})
    cohort = simulate(20_000, scenario="antenatal", seed=8, labs="survey", kb=wide)
    limits = KB.biomarkers["egfr"].plausible
    egfr = cohort["egfr_ml_min"]
    assert egfr.between(limits.low, limits.high).all()
    assert (egfr == limits.high).sum() > 10  # the tail reached the limit and was held there
    validate(cohort.drop(columns=list(truth_columns())))  # raises if any row is refused


def test_same_seed_same_cohort_other_seed_other_cohort():
    a, b = simulate(5000, seed=3), simulate(5000, seed=3)
    pd.testing.assert_frame_equal(a, b)
    assert not simulate(5000, seed=4)["age"].equals(a["age"])


def test_cohort_made_in_blocks_equals_cohort_made_at_once():
    n = 2 * BLOCK_ROWS + 123
    whole = simulate(n, scenario="gastro_clinic", seed=5)
    blocks = list(iter_blocks(n, scenario="gastro_clinic", seed=5))
    assert [len(b) for b in blocks] == [BLOCK_ROWS, BLOCK_ROWS, 123]
    pd.testing.assert_frame_equal(pd.concat(blocks), whole)
    resumed = list(iter_blocks(n, scenario="gastro_clinic", seed=5, start=2))
    pd.testing.assert_frame_equal(resumed[0], whole.iloc[2 * BLOCK_ROWS :])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"n": 0},
            "The 'n' parameter of simulate must be an int in the range [1, 9223372036854775807]. Got 0 instead.",
        ),
        ({"n": -5}, "Got -5 instead."),
        ({"n": 2.5}, "Got 2.5 instead."),
        ({"n": True}, "Got True instead."),
        (
            {"n": 10, "scenario": "mars"},
            "The 'scenario' parameter of simulate must be one of africa_asia_high, antenatal,",
        ),
        (
            {"n": 10, "seed": -1},
            "The 'seed' parameter of simulate must be an int in the range [0, inf). Got -1 instead.",
        ),
        (
            {"n": 10, "labs": "all"},
            "The 'labs' parameter of simulate must be one of clinical, survey. Got 'all' instead.",
        ),
    ],
)
def test_bad_arguments_are_named(kwargs, message):
    n = kwargs.pop("n")
    with pytest.raises(ConfigError, match=re.escape(message)):
        simulate(n, **kwargs)


def test_survey_measures_every_lab_and_clinical_mode_orders_them_selectively():
    labs = [c for c in level_columns("full_panel") if c not in level_columns("symptoms")]
    survey = simulate(40_000, seed=8, labs="survey")
    assert survey[labs].notna().all().all()
    clinical = simulate(40_000, seed=8, labs="clinical")
    measured = clinical["serum_b12_pmol_l"].notna()
    assert 0.1 < measured.mean() < 0.6
    n_sym = clinical[list(KB.symptoms)].sum(axis=1)
    # ordered more for older and for symptomatic patients
    assert measured[clinical.age >= 65].mean() > measured[clinical.age < 40].mean() + 0.1
    assert measured[n_sym >= 3].mean() > measured[n_sym == 0].mean() + 0.1
    # MMA mostly as a reflex test on borderline serum B12
    borderline = clinical.serum_b12_pmol_l.between(148, 300, inclusive="left")
    assert (
        clinical.mma_umol_l[borderline].notna().mean() > 3 * clinical.mma_umol_l[measured & ~borderline].notna().mean()
    )
    assert clinical.mma_umol_l[~measured].isna().all()


def test_adults_only_and_scenarios_shape_the_population():
    older = simulate(20_000, scenario="older_adults", seed=1)
    assert older.age.min() >= 65
    antenatal = simulate(5000, scenario="antenatal", seed=1)
    assert (antenatal.sex == "female").all() and antenatal.pregnant.all() and antenatal.age.max() <= 45
    us = simulate(50_000, seed=1)
    assert us.age.min() >= 18
    assert not us.pregnant[us.sex == "male"].any()
    vegan = simulate(20_000, scenario="vegan_community", seed=1)
    assert (vegan.diet == "vegan").mean() > 0.5 > (us.diet == "vegan").mean()
    diabetes = simulate(20_000, scenario="diabetes_clinic", seed=1)
    assert (diabetes.metformin_years > 0).mean() > 0.6
    # exposure columns carry duration and dose together
    users = us.ppi_years > 0
    assert (us.ppi_pills_per_day[users] > 0).all() and (us.ppi_pills_per_day[~users] == 0).all()


def test_symptoms_are_weak_and_common_severe_signs_need_severe_deficiency(survey):
    replete = survey[~survey.true_deficient]
    for name in ("fatigue", "headache", "anxiety"):
        bg = KB.symptoms[name].background.value
        se = np.sqrt(bg * (1 - bg) / len(replete))
        assert abs(replete[name].mean() - bg) < 5 * se + 0.002, name
    by_tier = survey.groupby("true_severity", observed=True)[
        ["fatigue", "paresthesia", "unsteady_gait", "psychosis"]
    ].mean()
    assert by_tier.loc["mild", "fatigue"] < 0.35  # mild deficiency: few symptoms
    assert by_tier.loc["moderate", "fatigue"] > by_tier.loc["none", "fatigue"] + 0.1
    assert by_tier.loc["severe", "unsteady_gait"] > 4 * by_tier.loc["moderate", "unsteady_gait"]


def test_macrocytosis_often_but_not_always(survey):
    deficient = survey[survey.true_severity.isin(["moderate", "severe"])]
    macro = (deficient.mcv_fl > 100).mean()
    assert 0.2 < macro < 0.9
    assert (survey[~survey.true_deficient].mcv_fl > 100).mean() < 0.05


def test_serum_b12_reads_falsely_normal_in_about_half_of_the_deficient_and_rarely_falsely_low():
    # Solomon 2005: serum B12 normal before treatment in 20 of 37 confirmed cases (54%, exact 95%
    # interval 37-71%); the world's right-skewed assay error gives falsely normal readings, and a
    # reading below 148 pmol/L is then mostly true deficiency.
    adults = simulate(300_000, scenario="us_uk", seed=2, labs="survey")
    deficient = adults[adults.true_deficient]
    assert 0.37 <= (deficient.serum_b12_pmol_l >= 148).mean() <= 0.71
    low = adults[adults.serum_b12_pmol_l < 148]
    assert low.true_deficient.mean() > 0.8


def test_mma_rises_with_deficiency_kidney_function_and_age(survey):
    deficient = survey[survey.true_severity.isin(["moderate", "severe"])]
    assert (deficient.mma_umol_l > 0.28).mean() > 0.7
    replete = survey[survey.true_b12_pmol_l > 300]
    low_egfr = replete.egfr_ml_min < 60
    assert replete.mma_umol_l[low_egfr].median() > 1.1 * replete.mma_umol_l[~low_egfr].median()
    assert replete.mma_umol_l[replete.age >= 70].median() > replete.mma_umol_l[replete.age < 40].median()


def test_mask_to_level_hides_what_a_level_does_not_observe(survey):
    for level in LEVELS:
        masked = mask_to_level(survey.head(100), level)
        shown = set(level_columns(level))
        for name in features():
            assert masked[name].notna().any() == (name in shown), (level, name)
        pd.testing.assert_series_equal(masked.true_deficient, survey.head(100).true_deficient)
    with pytest.raises(
        ConfigError, match="level must be one of risk_factors, symptoms, serum_b12, full_panel; got 'labs'"
    ):
        mask_to_level(survey, "labs")


def test_a_supplement_raises_the_level_except_in_pernicious_anaemia():
    # Diagnosed pernicious anaemia is the one hidden gastric state the cohort shows. Supplement use is
    # drawn independently of it, so the difference in mean log true level between users and non-users
    # is the supplement's effect: zero with pernicious anaemia (seeds: pernicious_anaemia.blocks),
    # the seeds' effect without it. Tolerance: 4 standard errors of the difference, from the data.
    kb = load()
    cohort = simulate(400_000, scenario="older_adults", labs="clinical", seed=5)
    level = np.log(cohort["true_b12_pmol_l"].to_numpy())
    supp = cohort["supplement_use"].to_numpy() > 0.5
    pa = cohort["pernicious_anaemia_known"].to_numpy() > 0.5
    # compare like with like: no other observed cause
    others = [c for c in ("metformin_years", "ppi_years", "h2_blocker_years", "malnutrition", "hiv") if c in cohort]
    plain = np.all([cohort[c].to_numpy() == 0 for c in others], axis=0) & (cohort["diet"] == "omnivore").to_numpy()
    plain &= (cohort["gastrectomy"] == "none").to_numpy()

    def difference(rows):
        a, b = level[rows & supp], level[rows & ~supp]
        return a.mean() - b.mean(), np.sqrt(a.var() / a.size + b.var() / b.size), min(a.size, b.size)

    d_pa, se_pa, n_pa = difference(plain & pa)
    assert n_pa > 300
    assert abs(d_pa) < 4 * se_pa, (d_pa, se_pa)
    # without it (atrophic gastritis among them, which supplements do reach) the shift is the
    # effect, diluted only by the undiagnosed pernicious anaemia left in the group: at most its
    # highest prevalence (women 60+), times the share undiagnosed
    d, se, _ = difference(plain & ~pa)
    effect = kb.causes["supplement_use"].effect.value
    hidden = kb.causes["pernicious_anaemia"]
    dilution = hidden.prevalence_60plus_female.value * (1 - hidden.known_share.value)
    assert (1 - dilution) * effect - 4 * se < d < effect + 4 * se, (d, se, effect, dilution)
