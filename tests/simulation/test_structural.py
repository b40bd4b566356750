"""The structural model's shared equations: the latent level's shift from the causes,
the hidden gastric states, and the biomarker specs the simulator and the oracle share."""

import numpy as np
import pytest

from b12risk.knowledge import load
from b12risk.simulation.biomarkers import SerumSkewed
from b12risk.simulation.structural import gastric_prevalence, gastric_prior, model, observed_shift

M = model(None)


def _patient(n=1, **over):
    a = {
        c: np.zeros(n)
        for c in (
            "pregnant",
            "malnutrition",
            "supplement_use",
            "chronic_pancreatitis",
            "intestinal_parasites",
            "genetic_disorder",
            "hiv",
            "shortened_rbc_lifespan",
            "ppi_years",
            "ppi_pills_per_day",
            "h2_blocker_years",
            "metformin_years",
            "metformin_mg_day",
            "pernicious_anaemia_known",
        )
    }
    a.update(
        age=np.full(n, 40.0),
        sex=np.zeros(n, dtype=np.int64),
        region=np.zeros(n, dtype=np.int64),
        diet=np.zeros(n, dtype=np.int64),
        gastrectomy=np.zeros(n, dtype=np.int64),
        egfr_ml_min=np.full(n, 90.0),
    )
    a.update({k: np.asarray(v) for k, v in over.items()})
    return a


def test_a_replete_adult_at_the_reference_age_sits_at_the_regions_median():
    mu = observed_shift(M, _patient())
    assert np.exp(mu[0]) == pytest.approx(M.p["latent.region_median.us_uk"], rel=1e-12)


def test_each_cause_adds_its_own_shift():
    kb = load()
    base = observed_shift(M, _patient())[0]
    vegan = observed_shift(M, _patient(diet=np.array([2])))[0]
    assert vegan - base == pytest.approx(kb.causes["diet"].effects["vegan"].value, abs=1e-12)
    both = observed_shift(M, _patient(diet=np.array([2]), hiv=np.array([1.0])))[0]
    assert both - vegan == pytest.approx(kb.causes["hiv"].effect.value, abs=1e-12)
    older = observed_shift(M, _patient(age=np.array([60.0])))[0]
    assert older - base == pytest.approx(20 * M.p["latent.age_slope"], abs=1e-12)


def test_gastric_states_are_a_distribution_and_a_diagnosis_is_certain():
    a = _patient(3, age=np.array([30.0, 70.0, 70.0]), pernicious_anaemia_known=np.array([0.0, 0.0, 1.0]))
    prev = gastric_prevalence(M, a)
    assert np.allclose(prev.sum(axis=1), 1.0, rtol=0, atol=1e-15)
    prior = gastric_prior(M, a)
    assert np.array_equal(prior[2], [0.0, 0.0, 1.0])
    # no diagnosis lowers the odds of pernicious anaemia below its prevalence
    assert prior[1, 2] < prev[1, 2]


def test_the_specs_follow_biomarkers_toml_and_its_equations():
    kb = load()
    assert [s.name for s in M.specs] == [n for n, b in kb.biomarkers.items() if b.simulated]
    assert isinstance(M.spec("serum_b12"), SerumSkewed)
    assert {s.hidden for s in M.specs} == {None, "iron"}


def test_serum_b12_reads_high_by_an_exponential_excess_never_low():
    # Gaussian error plus an exponential excess: mean excess_mean above the true level, variance
    # sd^2 + excess_mean^2, and a skewed reading (third central moment 2 excess_mean^3).
    spec = M.spec("serum_b12")
    n = 200_000
    a = _patient(n)
    latent = np.full(n, np.log(200.0))
    # the patient is a woman of 40: she reads lower by the assay's female shift, a man not at all
    assert spec.base(M, a)[0] == M.p["serum_assay.female_shift"] < 0
    assert spec.base(M, _patient(sex=np.ones(1, dtype=np.int64)))[0] == 0.0
    assert spec.base(M, _patient(age=np.array([45.0])))[0] == 0.0
    x = spec.draw(M, np.random.default_rng(1), a, latent, {}) - latent - spec.base(M, a)
    sd, excess = spec.sd(M), spec.par(M, "excess_mean")
    total = np.sqrt(sd**2 + excess**2)
    assert abs(x.mean() - excess) < 4 * total / np.sqrt(n)
    assert abs(x.var() / total**2 - 1) < 0.02  # s.e. of a variance ratio at n = 200,000: under 0.005
    assert abs(((x - x.mean()) ** 3).mean() / (2 * excess**3) - 1) < 0.1


@pytest.mark.parametrize("name", ["mma", "hcy"])
def test_a_metabolite_rises_only_below_its_onset_and_saturates(name):
    spec = M.spec(name)
    onset = np.log(spec.par(M, "deficiency_onset"))
    latent = np.array([onset + 1.0, onset, onset - 0.5, onset - 5.0, onset - 50.0])
    rise = spec.response(M, latent)
    assert rise[0] == rise[1] == 0.0
    assert rise[2] == pytest.approx(0.5 * spec.par(M, "deficiency_slope"), rel=1e-12)
    assert rise[3] == rise[4] == pytest.approx(M.p["labs.max_depth"] * spec.par(M, "deficiency_slope"), rel=1e-12)


def test_draws_scatter_around_the_spec_mean_with_its_sd():
    spec = M.spec("hcy")
    n = 40_000
    a = _patient(n)
    latent = np.full(n, np.log(100.0))
    x = spec.draw(M, np.random.default_rng(0), a, latent, {})
    mean = spec.mean(M, a, latent)[0]
    assert abs(x.mean() - mean) < 4 * spec.sd(M) / np.sqrt(n)
    assert abs(x.std() / spec.sd(M) - 1) < 4 / np.sqrt(2 * n)
