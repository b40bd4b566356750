"""The structural model's equations, shared by the simulator and the oracle.

Parameters come from ``seeds/`` (compiled once per knowledge base into :class:`Model`).
Each equation is written once and used both to generate a cohort
(:mod:`b12risk.simulation.cohort`) and to compute its exact posterior
(:mod:`b12risk.simulation.oracle`), so the two cannot drift apart: the causes' shifts of
the latent level come from their classes (:mod:`b12risk.knowledge.causes`), each
measured marker's equation from its spec (:mod:`b12risk.simulation.biomarkers`), and
symptoms, the hidden gastric states and iron deficiency are here.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from b12risk.knowledge import Knowledge, load
from b12risk.knowledge.causes import BinaryCause, CategoricalCause, ExposureCause, HiddenCause
from b12risk.logodds import logit
from b12risk.simulation.biomarkers import Spec, specs

GASTRIC_STATES = ("none", "atrophic", "pernicious")


@dataclass(frozen=True)
class Model:
    """Structural-model parameters compiled from the knowledge base."""

    kb: Knowledge
    p: dict[str, float]  # every measurement.toml parameter as "<section>.<key>"
    categorical: tuple[CategoricalCause, ...]
    binary: tuple[BinaryCause, ...]
    exposures: tuple[ExposureCause, ...]
    pernicious: HiddenCause
    atrophic: HiddenCause
    region_log_median: np.ndarray
    regions: tuple[str, ...]
    symptoms: tuple[str, ...]
    sym_logit_bg: np.ndarray
    sym_severe: np.ndarray  # bool per symptom
    gastric_effect: np.ndarray  # per gastric state
    blocked: tuple[tuple[BinaryCause, ...], ...]  # per gastric state: observed causes whose effect it cancels
    specs: tuple[Spec, ...]  # the simulated biomarkers, in drawing order
    deficient_below: float  # pmol/L: a latent level below this is true deficiency (latent.deficient_below)
    log_deficient: float  # its natural log
    serum_deficient: float  # pmol/L: the measured serum B12 cut-off a clinician reads (biomarkers.toml)

    def spec(self, name: str) -> Spec:
        """The spec of biomarker ``name``."""
        return next(s for s in self.specs if s.name == name)

    def lab_depth(self, latent: np.ndarray, level_pmol_l: float) -> np.ndarray:
        """Depth of deficiency as the labs feel it: log units below ``level_pmol_l``,
        0 above it, saturating at ``labs.max_depth``."""
        return depth_below(latent, level_pmol_l, self.p["labs.max_depth"])


@lru_cache(maxsize=4)
def _compile(kb: Knowledge) -> Model:
    c = kb.causes
    p = {f"{sec}.{k}": q.value for sec, d in kb.measurement.items() for k, q in d.items()}
    pa, ag = c["pernicious_anaemia"], c["atrophic_gastritis"]
    regions = tuple(kb.demographics["region"].levels)
    sym = tuple(kb.symptoms)
    bg = np.array([kb.symptoms[s].background.value for s in sym])
    return Model(
        kb=kb,
        p=p,
        categorical=tuple(x for x in c.values() if x.kind == "categorical"),
        binary=tuple(x for x in c.values() if x.kind == "binary"),
        exposures=tuple(x for x in c.values() if x.kind == "exposure"),
        pernicious=pa,
        atrophic=ag,
        region_log_median=np.log([p[f"latent.region_median.{r}"] for r in regions]),
        regions=regions,
        symptoms=sym,
        sym_logit_bg=logit(bg),
        sym_severe=np.array([kb.symptoms[s].tier == "severe" for s in sym]),
        gastric_effect=np.array([0.0, ag.effect.value, pa.effect.value]),
        blocked=((), tuple(c[name] for name in ag.blocks), tuple(c[name] for name in pa.blocks)),
        specs=specs(kb),
        deficient_below=p["latent.deficient_below"],
        log_deficient=float(np.log(p["latent.deficient_below"])),
        serum_deficient=kb.biomarkers["serum_b12"].thresholds["deficient"].value,
    )


def model(kb: Knowledge | None) -> Model:
    return _compile(load() if kb is None else kb)


def observed_shift(m: Model, a: dict[str, np.ndarray]) -> np.ndarray:
    """Log-shift of the latent level from the observed causes and age: the region's median,
    the fall with age, then each observed cause (categorical, binary, exposure, in file order)."""
    age = a["age"]
    mu = m.region_log_median[a["region"]] + m.p["latent.age_slope"] * np.maximum(age - m.p["latent.reference_age"], 0.0)
    for cause in (*m.categorical, *m.binary, *m.exposures):
        mu = mu + cause.log_shift(a)
    return mu


def gastric_shift(m: Model, a: dict[str, np.ndarray]) -> np.ndarray:
    """Shift of the latent level in each gastric state, rows x (none, atrophic, pernicious):
    the state's effect, less the shifts of the observed causes the state cancels (``blocks``
    in causes.toml: a supplement's oral B12 needs intrinsic factor, which pernicious anaemia
    destroys). Added to :func:`observed_shift`, which counts every observed cause."""
    n = len(a["age"])
    out = np.broadcast_to(m.gastric_effect, (n, len(GASTRIC_STATES))).copy()
    for state, causes in enumerate(m.blocked):
        for cause in causes:
            out[:, state] -= cause.log_shift(a)
    return out


def latent_sd(m: Model, age: np.ndarray) -> np.ndarray:
    """Spread of the latent level left after the named causes, per row: ``latent.sd`` at
    ``reference_age``, scaled by ``exp(sd_age_slope * (age - reference_age))`` (real adults'
    serum B12 spreads more with age)."""
    p = m.p
    return p["latent.sd"] * np.exp(p["latent.sd_age_slope"] * (age - p["latent.reference_age"]))


def gastric_prevalence(m: Model, a: dict[str, np.ndarray]) -> np.ndarray:
    """P(gastric state) in the population, rows x (none, atrophic, pernicious): what the
    simulator draws from. Pernicious anaemia takes precedence over atrophic gastritis."""
    pa, ag = m.pernicious.prevalence(a), m.atrophic.prevalence(a)
    return np.stack([(1 - pa) * (1 - ag), (1 - pa) * ag, pa], axis=1)


def gastric_prior(m: Model, a: dict[str, np.ndarray]) -> np.ndarray:
    """P(gastric state | observed), rows x (none, atrophic, pernicious): the population
    prevalence updated by whether pernicious anaemia is known (diagnosed). A known
    diagnosis means pernicious anaemia; its absence lowers the odds of it, since a
    share ``known_share`` of cases is diagnosed."""
    prev = gastric_prevalence(m, a)
    k = m.pernicious.known_share.value
    prior = prev * np.array([1.0, 1.0, 1.0 - k])  # P(state, not diagnosed)
    prior /= prior.sum(axis=1, keepdims=True)
    known = a[m.pernicious.known_column] > 0.5
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


def symptom_logit(m: Model, latent: np.ndarray) -> np.ndarray:
    """Log-odds of each symptom given the latent level: (..., n_symptoms)."""
    p = m.p
    cap = p["symptoms.max_depth"]
    d_mod = np.clip(np.log(p["symptoms.moderate_onset"]) - latent, 0.0, cap)[..., None]
    d_sev = np.clip(np.log(p["symptoms.severe_onset"]) - latent, 0.0, cap)[..., None]
    extra = np.where(m.sym_severe, p["symptoms.severe_weight"] * d_sev, p["symptoms.moderate_weight"] * d_mod)
    return m.sym_logit_bg + extra
