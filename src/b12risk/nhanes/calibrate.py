"""Fit the us_uk world's free parameters to real US adults (NHANES), by moment matching.

Why moments and not maximum marginal likelihood: the targets the world must meet are
themselves moments (:mod:`b12risk.nhanes.targets`), several fields the likelihood would
need are not in NHANES (diet, gastrectomy, symptoms), and the survey design enters a
weighted moment directly. The fit has two stages:

1. **Closed form, from NHANES alone** (survey-weighted): the adults' sex and age
   structure; the share taking a supplement, metformin, a PPI and an H2 blocker, as a
   logistic curve in age (the share at 50 and its log-odds per decade); eGFR's median,
   fall with age and spread.
2. **Simulated moments** with common random numbers (one fixed seed, so the objective is
   a deterministic function of the parameters), minimised by Nelder-Mead on the log
   ratio of simulated to real moments, each scaled by its tolerance:

   - serum B12: the latent median, its fall with age, its spread, the supplement effect
     and the assay noise, against the shares below 148 and 148-221 pmol/L by age band,
     the median, 5th and 95th percentiles and the sd of the log;
   - MMA: its median, age and kidney terms, its rise with deficiency and its noise,
     against the medians at 20-39 and 70+, the share above 0.271 umol/L with eGFR >= 60
     and the correlation of log MMA with log serum B12.

:func:`fit` returns the fitted values as seed overrides (see
:func:`b12risk.knowledge.load`), each with NHANES as its source.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from b12risk.knowledge import Knowledge, load
from b12risk.nhanes import stats
from b12risk.nhanes.targets import TARGETS, measure, pooled_weights
from b12risk.simulation.cohort import simulate

__all__ = ["SEPARABILITY_RANGES", "Fit", "fit", "population_overrides", "separability", "simulated_moments"]

SCENARIO = "us_uk"
SOURCE = "NHANES 2001-2004 and 2011-2012, survey-weighted, adults >= 20 (b12risk.nhanes.calibrate)"
#: Medicines and supplements whose share is taken from NHANES: cause -> NHANES field.
TAKING = {
    "supplement_use": "supplement_use",
    "metformin": "metformin_years",
    "ppi": "ppi_years",
    "h2_blocker": "h2_blocker_years",
}


def _q(value: float, unit: str, source: str = SOURCE, **extra: float) -> dict[str, Any]:
    return {"value": float(value), "unit": unit, "source": source, **{k: float(v) for k, v in extra.items()}}


def _weighted_logistic(y: np.ndarray, x: np.ndarray, w: np.ndarray) -> tuple[float, float]:
    """Intercept and slope of a survey-weighted logistic regression of ``y`` on ``x``."""
    import statsmodels.api as sm  # heavy: loaded only when fitting

    model = sm.GLM(y, sm.add_constant(x), family=sm.families.Binomial(), var_weights=w / w.mean())
    b0, b1 = model.fit().params
    return float(b0), float(b1)


def population_overrides(real: pd.DataFrame, kb: Knowledge) -> dict[str, Any]:
    """Stage 1: who the adults are and what they take, and their kidney function, from NHANES."""
    w = pooled_weights(real)
    age = real["age"].to_numpy(dtype=np.float64)
    female = (real["sex"].astype(str) == "female").to_numpy()
    bands = np.array(kb.scenarios[SCENARIO].age_bands.value)
    shares = []
    for i, (low, high, _) in enumerate(bands):
        lo = 20.0 if i == 0 else low  # NHANES examines adults from 20
        hi = np.inf if i == len(bands) - 1 else high
        shares.append(stats.weighted_share((age >= lo) & (age < hi), w))
    shares = np.round(np.array(shares) / np.sum(shares), 4)
    shares[-1] = round(1.0 - shares[:-1].sum(), 4)
    scenario: dict[str, Any] = {
        "female": _q(stats.weighted_share(female, w), "fraction"),
        "age_bands": {
            "value": [[float(lo), float(hi), float(s)] for (lo, hi, _), s in zip(bands, shares, strict=True)],
            "unit": "years (low, high, share)",
            "source": SOURCE,
        },
        "prevalence": {},
    }
    decades = (age - 50.0) / 10.0
    for cause, column in TAKING.items():
        v = real[column].astype("float64").to_numpy()
        ok = np.isfinite(v)
        b0, b1 = _weighted_logistic((v[ok] > 0).astype(float), decades[ok], w[ok])
        scenario["prevalence"][cause] = _q(1.0 / (1.0 + math.exp(-b0)), "fraction", per_decade=b1)
    egfr = real["egfr_ml_min"].to_numpy(dtype=np.float64)
    ok = np.isfinite(egfr) & (egfr > 0)
    ref = kb.param("latent", "reference_age")
    X = np.column_stack([np.ones(ok.sum()), np.maximum(age[ok] - ref, 0.0)])
    sw = np.sqrt(w[ok])
    beta = np.linalg.lstsq(X * sw[:, None], np.log(egfr[ok]) * sw, rcond=None)[0]
    resid = np.log(egfr[ok]) - X @ beta
    measurement = {
        "egfr": {
            "median": _q(math.exp(beta[0]), "mL/min/1.73m2"),
            "age_slope": _q(beta[1], "log mL/min per year above reference_age"),
            "sd": _q(math.sqrt(np.average(resid**2, weights=w[ok])), "log mL/min"),
        }
    }
    return {"scenarios": {SCENARIO: scenario}, "measurement": measurement}


def simulated_moments(kb: Knowledge, n: int = 200_000, seed: int = 20261202) -> dict[str, float]:
    """Every target's statistic on simulated us_uk adults (survey labs, age >= 20)."""
    sim = simulate(n, scenario=SCENARIO, labs="survey", seed=seed, kb=kb)
    return measure(sim[sim["age"] >= 20])


@dataclass(frozen=True)
class _Parameter:
    """A free parameter: where it lives in the seeds and how the optimiser sees it."""

    path: tuple[str, ...]  # seed file, then keys
    unit: str
    log: bool = False  # optimised on the log scale (positive parameters)


SERUM = (
    _Parameter(("measurement", "latent", "region_median", "us_uk"), "pmol/L", log=True),
    _Parameter(("measurement", "latent", "age_slope"), "log pmol/L per year above reference_age"),
    _Parameter(("measurement", "latent", "sd"), "log pmol/L", log=True),
    _Parameter(("causes", "supplement_use", "effect"), "log pmol/L"),
    _Parameter(("measurement", "serum_assay", "sd"), "log pmol/L", log=True),
)
SERUM_TARGETS = (
    "b12_below_148_20_39",
    "b12_below_148_40_59",
    "b12_below_148_60plus",
    "b12_148_221_20_39",
    "b12_148_221_40_59",
    "b12_148_221_60plus",
    "b12_median",
    "b12_p5",
    "b12_p95",
    "b12_sd_log",
)
MMA = (
    _Parameter(("measurement", "mma", "median"), "umol/L", log=True),
    _Parameter(("measurement", "mma", "age_slope"), "log umol/L per year above reference_age"),
    _Parameter(("measurement", "mma", "egfr_slope"), "log umol/L per log(eGFR/90)"),
    _Parameter(("measurement", "mma", "deficiency_slope"), "log umol/L per log pmol/L below onset", log=True),
    _Parameter(("measurement", "mma", "sd"), "log umol/L", log=True),
)
MMA_TARGETS = ("mma_median_20_39", "mma_median_70plus", "mma_above_0271_egfr60", "corr_log_b12_log_mma")


def _current(kb: Knowledge, p: _Parameter) -> float:
    if p.path[0] == "measurement":
        section, *key = p.path[1:]
        return kb.param(section, ".".join(key))
    cause = kb.causes[p.path[1]]
    return getattr(cause, p.path[2]).value


def _nest(overrides: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    node = overrides
    for key in path[:-1]:
        node = node.setdefault(key, {})
    node[path[-1]] = value


def _merged(base: dict[str, Any], params: Sequence[_Parameter], x: np.ndarray) -> dict[str, Any]:
    import copy

    out = copy.deepcopy(base)
    for p, v in zip(params, x, strict=True):
        _nest(out, p.path, _q(math.exp(v) if p.log else v, p.unit))
    return out


def _loss(real: dict[str, float], sim: dict[str, float], names: Sequence[str]) -> float:
    total = 0.0
    for name in names:
        t = TARGETS[name]
        if t.absolute is not None:
            total += ((sim[name] - real[name]) / t.absolute) ** 2
        else:
            total += (math.log(max(sim[name], 1e-12) / real[name]) / t.relative) ** 2
    return total


@dataclass
class Fit:
    """Result of :func:`fit`: the seed overrides and the moments before and after."""

    overrides: dict[str, Any]
    real: dict[str, float]
    before: dict[str, float]
    after: dict[str, float]
    evaluations: int


def fit(
    real: pd.DataFrame,
    *,
    n: int = 200_000,
    seed: int = 20261202,
    max_evaluations: int = 400,
    progress: Callable[[str], None] | None = None,
) -> Fit:
    """Fit the us_uk world to ``real`` (:func:`b12risk.nhanes.adapter.load_adults`).

    Parameters
    ----------
    real : pandas.DataFrame
        NHANES adults with ``weight`` and ``cycle``.
    n, seed : int
        Size and seed of the simulated cohort each evaluation draws (common random numbers).
    max_evaluations : int
        Budget of Nelder-Mead evaluations per stage.
    progress : callable, optional
        Called with a line of text after each stage.

    Returns
    -------
    Fit
    """
    from scipy.optimize import minimize  # heavy: loaded only when fitting

    kb0 = load()
    target = measure(real, pooled_weights(real))
    before = simulated_moments(kb0, n, seed)
    overrides = population_overrides(real, kb0)
    evaluations = 0
    for params, names in ((SERUM, SERUM_TARGETS), (MMA, MMA_TARGETS)):
        kb_now = load(overrides=overrides)
        x0 = np.array([math.log(_current(kb_now, p)) if p.log else _current(kb_now, p) for p in params])

        def objective(x: np.ndarray, params=params, names=names, base=overrides) -> float:
            kb = load(overrides=_merged(base, params, x))
            return _loss(target, simulated_moments(kb, n, seed), names)

        result = minimize(
            objective,
            x0,
            method="Nelder-Mead",
            options={"maxfev": max_evaluations, "xatol": 1e-3, "fatol": 1e-3, "initial_simplex": _simplex(x0)},
        )
        evaluations += result.nfev
        overrides = _merged(overrides, params, result.x)
        if progress is not None:
            progress(f"{names[0].split('_')[0]} stage: loss {result.fun:.3g} after {result.nfev} evaluations")
    after = simulated_moments(load(overrides=overrides), n, seed)
    return Fit(overrides=overrides, real=target, before=before, after=after, evaluations=evaluations)


def _simplex(x0: np.ndarray) -> np.ndarray:
    """A starting simplex with steps that matter on each parameter's scale."""
    steps = np.where(np.abs(x0) > 0.05, 0.15 * np.abs(x0), 0.1)
    return np.vstack([x0, x0 + np.diag(steps)])


#: Published ranges the simulated world's separability must fall in (issue [3/5]):
#: single-marker AUROCs against true deficiency, and the oracle's from risk factors alone.
SEPARABILITY_RANGES: dict[str, tuple[float, float]] = {
    "oracle_risk_factors": (0.60, 0.80),
    "serum_b12": (0.82, 0.93),
    "mma": (0.82, 0.95),
    "hcy": (0.65, 0.85),
    "mcv": (0.50, 0.65),
    "normal_mcv_share_deficient": (0.40, 1.0),
}


def separability(kb: Knowledge | None = None, n: int = 100_000, seed: int = 20261203) -> dict[str, float]:
    """How separable true deficiency is in simulated us_uk adults (survey labs, age >= 20):
    the oracle's AUROC from risk factors alone, each marker's AUROC (low serum B12, high
    MMA, homocysteine and MCV point to deficiency) and the share of the truly deficient
    whose MCV is normal (80-100 fL)."""
    from b12risk.simulation.oracle import oracle_probability

    sim = simulate(n, scenario=SCENARIO, labs="survey", seed=seed, kb=kb)
    sim = sim[sim["age"] >= 20]
    y = sim["true_deficient"].to_numpy()
    ones = np.ones(len(y))

    def auroc(score: np.ndarray) -> float:
        return stats.weighted_auroc(y, score, ones)

    deficient_mcv = sim.loc[y, "mcv_fl"]
    return {
        "oracle_risk_factors": auroc(oracle_probability(sim, level="risk_factors", kb=kb)),
        "serum_b12": auroc(-sim["serum_b12_pmol_l"].to_numpy()),
        "mma": auroc(sim["mma_umol_l"].to_numpy()),
        "hcy": auroc(sim["hcy_umol_l"].to_numpy()),
        "mcv": auroc(sim["mcv_fl"].to_numpy()),
        "normal_mcv_share_deficient": float(deficient_mcv.between(80.0, 100.0).mean()),
        "true_deficient_share": float(y.mean()),
    }
