"""The structural model's equations, shared by the simulator and the oracle.

Parameters come from ``seeds/`` (compiled once per knowledge base into :class:`Model`).
Each equation is written once here and used both to generate a cohort
(:mod:`b12risk.simulation.cohort`) and to compute its exact posterior (:mod:`b12risk.simulation.oracle`), so
the two cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from b12risk.knowledge import Knowledge, load
from b12risk.logodds import expit, logit

GASTRIC_STATES = ("none", "atrophic", "pernicious")


@dataclass(frozen=True)
class Model:
    """Structural-model parameters compiled from the knowledge base into plain floats."""

    kb: Knowledge
    p: dict[str, float]
    binary: tuple[tuple[str, float], ...]  # (column, effect)
    exposures: tuple[tuple[str, str | None, float, float, float], ...]  # years, dose, effect, ref, sat
    diet_effect: np.ndarray
    gastrectomy_effect: np.ndarray
    region_log_median: np.ndarray
    regions: tuple[str, ...]
    symptoms: tuple[str, ...]
    sym_logit_bg: np.ndarray
    sym_severe: np.ndarray  # bool per symptom
    gastric_effect: np.ndarray  # per gastric state
    deficient_below: (
        float  # pmol/L: a latent level below this is true deficiency (measurement.toml latent.deficient_below)
    )
    log_deficient: float  # its natural log
    serum_deficient: float  # pmol/L: the measured serum B12 cut-off a clinician reads (biomarkers.toml)


@lru_cache(maxsize=4)
def _compile(kb: Knowledge) -> Model:
    c = kb.causes
    p = {f"{sec}.{k}": q.value for sec, d in kb.measurement.items() for k, q in d.items()}
    pa, ag = c["pernicious_anaemia"], c["atrophic_gastritis"]
    p.update(
        {
            "pa.known_share": pa.known_share.value,
            "pa.under_60": pa.prevalence_under_60.value,
            "pa.60_female": pa.prevalence_60plus_female.value,
            "pa.60_male": pa.prevalence_60plus_male.value,
            "ag.p50": ag.prevalence_age_50.value,
            "ag.per_decade": ag.log_odds_per_decade.value,
        }
    )
    binary = tuple((x.column, x.effect.value) for x in c.values() if x.kind == "binary")
    exposures = tuple(
        (
            x.years_column,
            x.dose_column,
            x.effect.value,
            x.reference_dose.value if x.reference_dose else 1.0,
            x.saturation.value,
        )
        for x in c.values()
        if x.kind == "exposure"
    )
    regions = tuple(kb.demographics["region"].levels)
    sym = tuple(kb.symptoms)
    bg = np.array([kb.symptoms[s].background.value for s in sym])
    return Model(
        kb=kb,
        p=p,
        binary=binary,
        exposures=exposures,
        diet_effect=np.array([c["diet"].effects[lv].value for lv in c["diet"].levels]),
        gastrectomy_effect=np.array([c["gastrectomy"].effects[lv].value for lv in c["gastrectomy"].levels]),
        region_log_median=np.log([p[f"latent.region_median.{r}"] for r in regions]),
        regions=regions,
        symptoms=sym,
        sym_logit_bg=logit(bg),
        sym_severe=np.array([kb.symptoms[s].tier == "severe" for s in sym]),
        gastric_effect=np.array([0.0, ag.effect.value, pa.effect.value]),
        deficient_below=p["latent.deficient_below"],
        log_deficient=float(np.log(p["latent.deficient_below"])),
        serum_deficient=kb.biomarkers["serum_b12"].thresholds["deficient"].value,
    )


def model(kb: Knowledge | None) -> Model:
    return _compile(load() if kb is None else kb)


def observed_shift(m: Model, a: dict[str, np.ndarray]) -> np.ndarray:
    """Log-shift of the latent level from the observed causes and age."""
    age = a["age"]
    mu = m.region_log_median[a["region"]] + m.p["latent.age_slope"] * np.maximum(age - m.p["latent.reference_age"], 0.0)
    mu = mu + m.diet_effect[a["diet"]] + m.gastrectomy_effect[a["gastrectomy"]]
    for col, eff in m.binary:
        mu = mu + eff * a[col]
    for years, dose, eff, ref, sat in m.exposures:
        factor = np.minimum(a[years], sat) / sat
        if dose is not None:
            factor = factor * a[dose] / ref
        mu = mu + eff * factor
    return mu


def gastric_prevalence(m: Model, a: dict[str, np.ndarray]) -> np.ndarray:
    """P(gastric state) in the population, rows x (none, atrophic, pernicious): what the
    simulator draws from. Pernicious anaemia by age and sex; atrophic gastritis by age."""
    age, female = a["age"], a["sex"] == 0
    pa = np.where(age < 60, m.p["pa.under_60"], np.where(female, m.p["pa.60_female"], m.p["pa.60_male"]))
    ag = expit(logit(m.p["ag.p50"]) + m.p["ag.per_decade"] * (age - 50.0) / 10.0)
    return np.stack([(1 - pa) * (1 - ag), (1 - pa) * ag, pa], axis=1)


def gastric_prior(m: Model, a: dict[str, np.ndarray]) -> np.ndarray:
    """P(gastric state | observed), rows x (none, atrophic, pernicious): the population
    prevalence updated by whether pernicious anaemia is known (diagnosed). A known
    diagnosis means pernicious anaemia; its absence lowers the odds of it, since a
    share ``known_share`` of cases is diagnosed."""
    prev = gastric_prevalence(m, a)
    k = m.p["pa.known_share"]
    prior = prev * np.array([1.0, 1.0, 1.0 - k])  # P(state, not diagnosed)
    prior /= prior.sum(axis=1, keepdims=True)
    known = a["pernicious_anaemia_known"] > 0.5
    prior[known] = (0.0, 0.0, 1.0)
    return prior


def iron_prior(m: Model, a: dict[str, np.ndarray]) -> np.ndarray:
    """P(hidden iron deficiency | observed) per row."""
    female = a["sex"] == 0
    return np.where(
        a["pregnant"] > 0.5,
        m.p["iron_deficiency.pregnant"],
        np.where(female, m.p["iron_deficiency.female"], m.p["iron_deficiency.male"]),
    )


def depth_below(latent: np.ndarray, level_pmol_l: float, cap: float = np.inf) -> np.ndarray:
    """How far the latent level lies below ``level_pmol_l``, in log units: 0 above it,
    at most ``cap``."""
    return np.clip(np.log(level_pmol_l) - latent, 0.0, cap)


def lab_depth(m: Model, latent: np.ndarray, level_pmol_l: float) -> np.ndarray:
    """Depth of deficiency as the labs feel it (saturating at ``labs.max_depth``)."""
    return depth_below(latent, level_pmol_l, m.p["labs.max_depth"])


def marker_base(m: Model, name: str, a: dict[str, np.ndarray]) -> np.ndarray:
    """Mean log level of MMA or homocysteine in a replete patient (per row)."""
    p = m.p
    base = (
        np.log(p[f"{name}.median"])
        + p[f"{name}.age_slope"] * (a["age"] - p["latent.reference_age"])
        + p[f"{name}.egfr_slope"] * (np.log(a["egfr_ml_min"]) - np.log(90.0))
    )
    if name == "hcy":
        base = base + p["hcy.male_shift"] * (a["sex"] == 1)
    return base


def marker_rise(m: Model, name: str, latent: np.ndarray) -> np.ndarray:
    """Rise of log MMA or homocysteine caused by deficiency, as a function of the latent level."""
    return m.p[f"{name}.deficiency_slope"] * lab_depth(m, latent, m.p[f"{name}.deficiency_onset"])


def holotc_offset(m: Model, a: dict[str, np.ndarray]) -> np.ndarray:
    """log holoTC = latent + this offset + noise."""
    return np.log(m.p["holotc.fraction"]) + m.p["holotc.pregnancy_shift"] * a["pregnant"]


def serum_offset(m: Model, a: dict[str, np.ndarray]) -> np.ndarray:
    """log measured serum B12 = latent + this offset + noise (unless falsely normal)."""
    return m.p["serum_assay.pregnancy_shift"] * a["pregnant"]


def mcv_mean(m: Model, iron: np.ndarray | int, latent: np.ndarray) -> np.ndarray:
    """Mean MCV given iron deficiency (0/1) and the latent level."""
    p = m.p
    keep = np.where(iron, p["mcv.iron_deficiency_masking"], 1.0)
    return (
        p["mcv.mean"]
        + p["mcv.iron_deficiency_shift"] * iron
        + p["mcv.macrocytosis_slope"] * keep * lab_depth(m, latent, m.deficient_below)
    )


def symptom_logit(m: Model, latent: np.ndarray) -> np.ndarray:
    """Log-odds of each symptom given the latent level: (..., n_symptoms)."""
    p = m.p
    cap = p["symptoms.max_depth"]
    d_mod = np.clip(np.log(p["symptoms.moderate_onset"]) - latent, 0.0, cap)[..., None]
    d_sev = np.clip(np.log(p["symptoms.severe_onset"]) - latent, 0.0, cap)[..., None]
    extra = np.where(m.sym_severe, p["symptoms.severe_weight"] * d_sev, p["symptoms.moderate_weight"] * d_mod)
    return m.sym_logit_bg + extra


def hgb_fall(m: Model, latent: np.ndarray) -> np.ndarray:
    """Fall of haemoglobin caused by deficiency (negative), as a function of the latent level."""
    return m.p["hgb.deficiency_slope"] * lab_depth(m, latent, m.deficient_below)


def hgb_mean(m: Model, a: dict[str, np.ndarray]) -> np.ndarray:
    """Mean haemoglobin of a replete, iron-replete patient (per row)."""
    p = m.p
    female = a["sex"] == 0
    mean = np.where(
        a["pregnant"] > 0.5, p["hgb.pregnant_mean"], np.where(female, p["hgb.female_mean"], p["hgb.male_mean"])
    )
    return mean + p["hgb.shortened_rbc_shift"] * a["shortened_rbc_lifespan"]
