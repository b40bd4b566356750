"""The simulator reproduces the article's prevalences where they drive it, and the
published odds ratios.

Targets are data (seeds/epidemiology.toml, seeds/literature.toml); each becomes a test.
An article figure that a primary source or real data overrules is marked ``drives = false``
and names its entry of seeds/disagreements.toml; it is not tested here (the us_uk world is
fitted to NHANES instead: src/b12risk/nhanes/targets.toml, tests/nhanes/test_targets.py).
"""

import numpy as np
import pandas as pd
import pytest

from b12risk import simulate
from b12risk.knowledge import load
from b12risk.simulation.odds import odds_ratios as cause_odds_ratios

KB = load()
#: The prevalence targets that drive the simulator.
DRIVING = sorted(k for k, t in KB.epidemiology.items() if t.drives)
N_PREVALENCE = 200_000  # binomial s.e. at 20%: 0.0009, far inside every tolerance


@pytest.fixture(scope="module")
def survey_cohorts() -> dict[str, pd.DataFrame]:
    names = {KB.epidemiology[k].scenario for k in DRIVING}
    return {s: simulate(N_PREVALENCE, scenario=s, seed=404, labs="survey") for s in sorted(names)}


@pytest.mark.parametrize("target", DRIVING)
def test_measured_serum_b12_prevalence_matches_the_article(survey_cohorts, target):
    t = KB.epidemiology[target]
    df = survey_cohorts[t.scenario]
    sel = df[(df.age >= t.age[0]) & (df.age < t.age[1])]
    low, high = t.serum_b12_pmol_l
    share = ((sel.serum_b12_pmol_l >= low) & (sel.serum_b12_pmol_l < high)).mean()
    se = np.sqrt(share * (1 - share) / len(sel))
    # the whole 99% interval of the estimate must lie inside the target band
    assert t.target.low <= share - 2.58 * se and share + 2.58 * se <= t.target.high, (target, share)


@pytest.fixture(scope="module")
def odds_ratios() -> pd.DataFrame:
    return cause_odds_ratios(simulate(1_000_000, scenario="us_uk", seed=505))


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
