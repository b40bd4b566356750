"""Estimated glomerular filtration rate from serum creatinine: CKD-EPI 2021 (race-free).

``eGFR = 142 * min(Scr/k, 1)**a * max(Scr/k, 1)**-1.200 * 0.9938**age * (1.012 if female)``,
with ``k`` = 0.7 (female) or 0.9 (male) and ``a`` = -0.241 (female) or -0.302 (male);
creatinine in mg/dL, result in mL/min/1.73 m2. Source: Inker LA et al. N Engl J Med
2021;385:1737-49 (coefficients as published by the National Kidney Foundation).

Examples
--------
>>> round(float(ckd_epi_2021(0.9, 55, "female")[0]), 1)
75.5
>>> round(float(ckd_epi_2021(1.0, 50, "male")[0]), 1)
91.7
"""

from __future__ import annotations

import numpy as np

__all__ = ["CKD_EPI_2021", "ckd_epi_2021"]

#: Coefficients per sex: (kappa, alpha, sex factor); shared: 142, -1.200, 0.9938.
CKD_EPI_2021: dict[str, tuple[float, float, float]] = {"female": (0.7, -0.241, 1.012), "male": (0.9, -0.302, 1.0)}


def ckd_epi_2021(creatinine_mg_dl, age, sex) -> np.ndarray:
    """eGFR (mL/min/1.73 m2) by CKD-EPI 2021; NaN where an input is missing or sex unknown.

    Parameters
    ----------
    creatinine_mg_dl : array-like of float
        Serum creatinine, mg/dL (IDMS-traceable or equivalent).
    age : array-like of float
        Years.
    sex : array-like of {"female", "male"}
    """
    scr = np.atleast_1d(np.asarray(creatinine_mg_dl, dtype=np.float64))
    years = np.broadcast_to(np.atleast_1d(np.asarray(age, dtype=np.float64)), scr.shape)
    s = np.broadcast_to(np.atleast_1d(np.asarray(sex, dtype=object)), scr.shape)
    out = np.full(scr.shape, np.nan)
    for name, (kappa, alpha, factor) in CKD_EPI_2021.items():
        rows = (s == name) & np.isfinite(scr) & (scr > 0) & np.isfinite(years)
        ratio = scr[rows] / kappa
        out[rows] = (
            142.0 * np.minimum(ratio, 1.0) ** alpha * np.maximum(ratio, 1.0) ** -1.200 * 0.9938 ** years[rows] * factor
        )
    return out
