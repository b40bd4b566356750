"""Training rows with risk factors an application may not know: hidden completely at random,
never age, sex or region, and only when the config asks for it."""

import numpy as np
import pytest

from b12risk import simulate
from b12risk.knowledge import LEVELS
from b12risk.knowledge.schema import features
from b12risk.modelling.training.cohorts import ALWAYS_KNOWN, hide_risk_factors

N = 40_000
SHARE = 0.3


@pytest.fixture(scope="module")
def cohort():
    return simulate(N, scenario="us_uk", seed=3, labs="survey")


@pytest.fixture(scope="module")
def hidden(cohort):
    return hide_risk_factors(cohort, SHARE, np.random.default_rng(0))


def optional():
    return [f.name for f in features().values() if f.level == LEVELS[0] and f.name not in ALWAYS_KNOWN]


def test_who_the_patient_is_and_everything_else_but_risk_factors_stays(cohort, hidden):
    for name in [*ALWAYS_KNOWN, "serum_b12_pmol_l", "fatigue", "true_deficient"]:
        assert hidden[name].equals(cohort[name]), name


def test_each_other_risk_factor_is_hidden_in_half_of_the_chosen_rows(hidden):
    expected = SHARE / 2
    tolerance = 4 * np.sqrt(expected * (1 - expected) / N)  # 4 binomial standard errors
    for name in optional():
        assert abs(hidden[name].isna().mean() - expected) < tolerance, name
    any_hidden = hidden[optional()].isna().any(axis=1).mean()
    assert abs(any_hidden - SHARE) < 4 * np.sqrt(SHARE * (1 - SHARE) / N)


def test_what_is_not_hidden_keeps_its_value(cohort, hidden):
    for name in optional():
        kept = hidden[name].notna()
        was, now = cohort.loc[kept, name], hidden.loc[kept, name]
        if features()[name].kind == "binary":
            was, now = was.astype(float), now.astype(float)
        assert (now == was).all(), name


def test_nothing_is_hidden_at_share_zero(cohort):
    assert not hide_risk_factors(cohort, 0.0, np.random.default_rng(0))[optional()].isna().any().any()
