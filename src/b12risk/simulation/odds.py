"""Odds ratios of true deficiency for every documented cause in a cohort, as the published
studies report them: one logistic regression of true deficiency on indicators of all the
causes, adjusted for age and sex.

The calibration tests hold these against ``seeds/literature.toml``, and the world's fit
(:mod:`b12risk.nhanes.calibrate`) solves the exposure effects whose published odds ratio
is a target on the same design, so the two measure alike.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["cause_design", "odds_ratios"]


def cause_design(df: pd.DataFrame) -> pd.DataFrame:
    """Indicators of every documented cause (medicines split at the 2 years' supply of
    Lam et al. 2013), age per decade from 50 and male sex, as floats."""
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


def odds_ratios(df: pd.DataFrame) -> pd.DataFrame:
    """Adjusted odds ratio of true deficiency for each column of :func:`cause_design`.

    Parameters
    ----------
    df : pandas.DataFrame
        A simulated cohort (:func:`b12risk.simulate`), with ``true_deficient``.

    Returns
    -------
    pandas.DataFrame
        Indexed by design column: ``or``, and the 95% interval ``low`` and ``high``.
    """
    import statsmodels.api as sm  # heavy: loaded only when measuring

    fit = sm.Logit(df.true_deficient.astype(float), sm.add_constant(cause_design(df))).fit(disp=0)
    ci = np.exp(fit.conf_int())
    return pd.DataFrame({"or": np.exp(fit.params), "low": ci[0], "high": ci[1]})
