"""What raises MMA at a given serum B12, in real and in simulated adults: a diagnostic of the world.

    python scripts/raised_mma_given_serum.py

Among adults aged 20 and over with eGFR >= 60 and both labs measured, a logistic
regression of raised MMA (> 0.271 umol/L) on log serum B12, age, sex, supplement use,
log eGFR, metformin and a PPI, fitted on each real cycle group (survey-weighted, the
assays of the two eras apart) and on simulated us_uk adults. The model, shown serum B12
and these fields, ranks raised MMA well only where the world's coefficients are close to
the real ones: the NHANES part of the release gate (criterion (a)) fails where they are not.
The coefficients are descriptive, not causal: the point is whether the world matches.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression

from b12risk.knowledge import load
from b12risk.nhanes.adapter import load_adults
from b12risk.nhanes.calibrate import simulated_adults

GROUPS = {"NHANES 2001-2004": ["2001-2002", "2003-2004"], "NHANES 2011-2012": ["2011-2012"]}


def _design(frame: pd.DataFrame) -> pd.DataFrame:
    """The regression's terms, with the outcome in ``_y`` and normalised survey weights in ``_w``."""
    rows = frame[frame["mma_umol_l"].notna() & frame["serum_b12_pmol_l"].notna() & (frame["egfr_ml_min"] >= 60)]
    rows = rows[rows["supplement_use"].notna()]
    male = rows["sex"].astype(str).eq("male") if rows["sex"].dtype != np.float64 else rows["sex"].eq(1.0)
    X = pd.DataFrame(
        {
            "log serum B12": np.log(rows["serum_b12_pmol_l"].astype(float)),
            "age (per 10 y)": rows["age"].astype(float) / 10.0,
            "male": male.astype(float),
            "supplement": rows["supplement_use"].astype(float),
            "log(eGFR / 90)": np.log(rows["egfr_ml_min"].astype(float) / 90.0),
            "metformin": (rows["metformin_years"].fillna(0) > 0).astype(float),
            "PPI": (rows["ppi_years"].fillna(0) > 0).astype(float),
        }
    )
    weight = rows["weight"].to_numpy(dtype=float) if "weight" in rows else np.ones(len(rows))
    return X.assign(_y=(rows["mma_umol_l"] > 0.271).to_numpy(), _w=weight / weight.mean())


def _fit(X: pd.DataFrame) -> pd.Series:
    cols = [c for c in X.columns if not c.startswith("_")]
    model = LogisticRegression(C=1e6, max_iter=2000).fit(X[cols], X["_y"], sample_weight=X["_w"])
    return pd.Series(model.coef_[0], index=cols)


def main() -> None:
    table = {}
    real = load_adults()
    for name, cycles in GROUPS.items():
        X = _design(real[real["cycle"].isin(cycles)])
        table[f"{name} (n {len(X):,})"] = _fit(X)
    X = _design(simulated_adults(load(), n=150_000))
    table[f"world (n {len(X):,})"] = _fit(X)
    with pd.option_context("display.width", 200):
        print("log-odds of MMA > 0.271 umol/L, adults >= 20 with eGFR >= 60, each term adjusted for the others")
        print(pd.DataFrame(table).to_string(float_format=lambda v: f"{v:.3f}"))


if __name__ == "__main__":
    main()
