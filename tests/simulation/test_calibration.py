"""The simulator reproduces the article's prevalences and the published odds ratios.

Targets are data (seeds/epidemiology.toml, seeds/literature.toml); each becomes a test.
"""

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from b12risk import simulate
from b12risk.knowledge import load

KB = load()
N_PREVALENCE = 200_000  # binomial s.e. at 20%: 0.0009, far inside every tolerance


@pytest.fixture(scope="module")
def survey_cohorts() -> dict[str, pd.DataFrame]:
    names = {t.scenario for t in KB.epidemiology.values()}
    return {s: simulate(N_PREVALENCE, scenario=s, seed=404, labs="survey") for s in sorted(names)}


@pytest.mark.parametrize("target", sorted(KB.epidemiology))
def test_measured_serum_b12_prevalence_matches_the_article(survey_cohorts, target):
    t = KB.epidemiology[target]
    df = survey_cohorts[t.scenario]
    sel = df[(df.age >= t.age[0]) & (df.age < t.age[1])]
    low, high = t.serum_b12_pmol_l
    share = ((sel.serum_b12_pmol_l >= low) & (sel.serum_b12_pmol_l < high)).mean()
    se = np.sqrt(share * (1 - share) / len(sel))
    # the whole 99% interval of the estimate must lie inside the target band
    assert t.target.low <= share - 2.58 * se and share + 2.58 * se <= t.target.high, (target, share)


def _design(df: pd.DataFrame) -> pd.DataFrame:
    """Indicators of every documented cause, adjusted for age and sex."""
    return pd.DataFrame(
        {
            "ppi_2y": df.ppi_years >= 2,
            "ppi_under_2y": (df.ppi_years > 0) & (df.ppi_years < 2),
            "h2_blocker_2y": df.h2_blocker_years >= 2,
            "h2_blocker_under_2y": (df.h2_blocker_years > 0) & (df.h2_blocker_years < 2),
            "metformin": df.metformin_years > 0,
            "vegetarian": df.diet == "vegetarian",
            "vegan": df.diet == "vegan",
            "malnutrition": df.malnutrition,
            "gastrectomy": df.gastrectomy != "none",
            "pernicious_anaemia": df.pernicious_anaemia_known,
            "chronic_pancreatitis": df.chronic_pancreatitis,
            "intestinal_parasites": df.intestinal_parasites,
            "genetic_disorder": df.genetic_disorder,
            "hiv": df.hiv,
            "shortened_rbc_lifespan": df.shortened_rbc_lifespan,
            "pregnant": df.pregnant,
            "supplement_use": df.supplement_use,
            "age_per_decade": (df.age - 50) / 10,
            "male": df.sex == "male",
        }
    ).astype(float)


@pytest.fixture(scope="module")
def odds_ratios() -> pd.DataFrame:
    df = simulate(1_000_000, scenario="us_uk", seed=505)
    fit = sm.Logit(df.true_deficient.astype(float), sm.add_constant(_design(df))).fit(disp=0)
    ci = np.exp(fit.conf_int())
    return pd.DataFrame({"or": np.exp(fit.params), "low": ci[0], "high": ci[1]})


CAUSES = ["ppi_2y", "h2_blocker_2y", "metformin", "vegetarian", "vegan", "malnutrition", "gastrectomy", "pernicious_anaemia",
          "chronic_pancreatitis", "intestinal_parasites", "genetic_disorder", "hiv", "shortened_rbc_lifespan", "pregnant"]  # fmt: skip


@pytest.mark.parametrize("cause", CAUSES)
def test_every_documented_cause_raises_the_odds(odds_ratios, cause):
    assert odds_ratios.loc[cause, "low"] > 1.0, odds_ratios.loc[cause]


def test_supplements_lower_the_odds(odds_ratios):
    assert odds_ratios.loc["supplement_use", "high"] < 1.0


@pytest.mark.parametrize("entry", [k for k, e in KB.literature.items() if e.test])
def test_odds_ratio_within_the_widened_published_interval(odds_ratios, entry):
    e = KB.literature[entry].estimate
    half = (e.high - e.low) / 2
    estimate = odds_ratios.loc[entry, "or"]
    assert e.low - half <= estimate <= e.high + half, (entry, estimate, (e.low - half, e.high + half))
