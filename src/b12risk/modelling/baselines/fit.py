"""Every rules-based baseline of the scorer table, fitted on one simulated cohort."""

from __future__ import annotations

import pandas as pd

from b12risk.modelling import scorers
from b12risk.modelling.baselines._base import _Baseline

__all__ = ["fit_baselines"]


def fit_baselines(train: pd.DataFrame) -> dict[str, _Baseline]:
    """The rules-based baselines fitted on a simulated cohort's true deficiency, by name.

    The baselines are the entries of the scorer table (``b12risk/modelling/scorers.toml``)
    that name an estimator, in the table's order; each is built by
    :func:`b12risk.modelling.scorers.estimator` with its default parameters.

    Parameters
    ----------
    train : pandas.DataFrame
        A cohort from :func:`b12risk.simulate` (with ``true_deficient``).

    Returns
    -------
    dict
        Baseline name (``guideline``, ``cb12``, ``risk_factor_score`` with the shipped
        table) to its fitted estimator.
    """
    y = train["true_deficient"].to_numpy()
    return {s.name: scorers.estimator(s.name).fit(train, y) for s in scorers.SCORERS.values() if s.is_baseline}
