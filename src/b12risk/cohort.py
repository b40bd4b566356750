"""Synthetic cohorts from the structural model, and the exact posterior (the oracle).

The model (parameters in ``seeds/``)::

    scenario -> causes (observed and hidden) -> latent true B12 level L (log pmol/L)
                                              -> labs and symptoms, each independent given
                                                 L and the named causes

A patient is truly deficient when ``exp(L) < 148 pmol/L``. Because every observation
depends on the patient only through ``L`` and named causes, the posterior of ``L``
given any subset of observations is a one-dimensional integral times a sum over the
hidden causes (undiagnosed pernicious anaemia, atrophic gastritis, iron deficiency);
:func:`oracle_probability` evaluates it on a fine grid.

Cohorts are generated in fixed blocks of :data:`BLOCK_ROWS` rows, block ``i`` from the
child seed ``SeedSequence(seed, spawn_key=(i,))``, so a cohort made block by block
(in chunks, or on a cluster) equals one made at once.

Examples
--------
>>> from b12risk.cohort import simulate, oracle_probability
>>> df = simulate(1000, scenario="us_uk", seed=1)
>>> p = oracle_probability(df, level="serum_b12")
>>> bool(((p >= 0) & (p <= 1)).all())
True
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from numbers import Integral
from pathlib import Path

import numpy as np
import pandas as pd

from b12risk.errors import ConfigError
from b12risk.knowledge import LEVELS, Knowledge, load
from b12risk.schema import check_level, features, level_columns

__all__ = ["BLOCK_ROWS", "LAB_MODES", "iter_blocks", "mask_to_level", "oracle_probability", "simulate"]

#: Rows per generation block; part of the cohort's definition (changing it changes cohorts).
BLOCK_ROWS = 65_536
LAB_MODES = ("clinical", "survey")
LOG148 = float(np.log(148.0))
_GASTRIC = ("none", "atrophic", "pernicious")


def _logit(p: np.ndarray | float) -> np.ndarray | float:
    return np.log(p) - np.log1p(-p)


def _expit(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


@dataclass(frozen=True)
class _Model:
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


@lru_cache(maxsize=4)
def _compile(kb: Knowledge) -> _Model:
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
    return _Model(
        kb=kb,
        p=p,
        binary=binary,
        exposures=exposures,
        diet_effect=np.array([c["diet"].effects[lv].value for lv in c["diet"].levels]),
        gastrectomy_effect=np.array([c["gastrectomy"].effects[lv].value for lv in c["gastrectomy"].levels]),
        region_log_median=np.log([p[f"latent.region_median.{r}"] for r in regions]),
        regions=regions,
        symptoms=sym,
        sym_logit_bg=_logit(bg),
        sym_severe=np.array([kb.symptoms[s].tier == "severe" for s in sym]),
        gastric_effect=np.array([0.0, ag.effect.value, pa.effect.value]),
    )


def _model(kb: Knowledge | None) -> _Model:
    return _compile(load() if kb is None else kb)


# --------------------------------------------------------------------------- shared pieces
# Each function below is used both to generate a cohort and to compute its posterior,
# so the two cannot drift apart.


def _observed_shift(m: _Model, a: dict[str, np.ndarray]) -> np.ndarray:
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


def _gastric_prior(m: _Model, a: dict[str, np.ndarray]) -> np.ndarray:
    """P(gastric state | observed), rows x (none, atrophic, pernicious)."""
    age, female = a["age"], a["sex"] == 0
    pa = np.where(age < 60, m.p["pa.under_60"], np.where(female, m.p["pa.60_female"], m.p["pa.60_male"]))
    ag = _expit(_logit(m.p["ag.p50"]) + m.p["ag.per_decade"] * (age - 50.0) / 10.0)
    k = m.p["pa.known_share"]
    pa_unknown = pa * (1 - k) / (1 - pa * k)  # P(PA | not diagnosed)
    known = a["pernicious_anaemia_known"] > 0.5
    prior = np.stack([(1 - pa_unknown) * (1 - ag), (1 - pa_unknown) * ag, pa_unknown], axis=1)
    prior[known] = (0.0, 0.0, 1.0)
    return prior


def _iron_prior(m: _Model, a: dict[str, np.ndarray]) -> np.ndarray:
    female = a["sex"] == 0
    return np.where(
        a["pregnant"] > 0.5,
        m.p["iron_deficiency.pregnant"],
        np.where(female, m.p["iron_deficiency.female"], m.p["iron_deficiency.male"]),
    )


def _mma_mean(m: _Model, a: dict[str, np.ndarray], latent: np.ndarray) -> np.ndarray:
    return _marker_mean(m, "mma", a, latent)


def _marker_mean(m: _Model, name: str, a: dict[str, np.ndarray], latent: np.ndarray) -> np.ndarray:
    """Mean log level of MMA or homocysteine; ``latent`` broadcasts (rows x grid)."""
    p = m.p
    base = (
        np.log(p[f"{name}.median"])
        + p[f"{name}.age_slope"] * (a["age"] - p["latent.reference_age"])
        + p[f"{name}.egfr_slope"] * (np.log(a["egfr_ml_min"]) - np.log(90.0))
    )
    if name == "hcy":
        base = base + p["hcy.male_shift"] * (a["sex"] == 1)
    depth = np.maximum(np.log(p[f"{name}.deficiency_onset"]) - latent, 0.0)
    return (
        base[:, None] + p[f"{name}.deficiency_slope"] * depth
        if np.ndim(latent) == 2
        else base + p[f"{name}.deficiency_slope"] * depth
    )


def _symptom_logit(m: _Model, latent: np.ndarray) -> np.ndarray:
    """Log-odds of each symptom given the latent level: (..., n_symptoms)."""
    p = m.p
    cap = p["symptoms.max_depth"]
    d_mod = np.clip(np.log(p["symptoms.moderate_onset"]) - latent, 0.0, cap)[..., None]
    d_sev = np.clip(np.log(p["symptoms.severe_onset"]) - latent, 0.0, cap)[..., None]
    extra = np.where(m.sym_severe, p["symptoms.severe_weight"] * d_sev, p["symptoms.moderate_weight"] * d_mod)
    return m.sym_logit_bg + extra


def _hgb_mean(m: _Model, a: dict[str, np.ndarray]) -> np.ndarray:
    p = m.p
    female = a["sex"] == 0
    mean = np.where(
        a["pregnant"] > 0.5, p["hgb.pregnant_mean"], np.where(female, p["hgb.female_mean"], p["hgb.male_mean"])
    )
    return mean + p["hgb.shortened_rbc_shift"] * a["shortened_rbc_lifespan"]


# --------------------------------------------------------------------------- simulation


def _check_args(n: object, scenario: object, seed: object, labs: object, kb: Knowledge) -> None:
    if isinstance(n, bool) or not isinstance(n, Integral) or n < 1:
        raise ConfigError(f"The 'n' parameter of simulate must be an int in the range [1, inf). Got {n!r} instead.")
    if scenario not in kb.scenarios:
        raise ConfigError(
            f"The 'scenario' parameter of simulate must be one of {', '.join(sorted(kb.scenarios))}. Got {scenario!r} instead."
        )
    if isinstance(seed, bool) or not isinstance(seed, Integral) or seed < 0:
        raise ConfigError(
            f"The 'seed' parameter of simulate must be an int in the range [0, inf). Got {seed!r} instead."
        )
    if labs not in LAB_MODES:
        raise ConfigError(
            f"The 'labs' parameter of simulate must be one of {', '.join(LAB_MODES)}. Got {labs!r} instead."
        )


def _choice(rng: np.random.Generator, weights: np.ndarray, n: int) -> np.ndarray:
    return np.searchsorted(np.cumsum(weights), rng.random(n) * np.sum(weights), side="right").clip(0, len(weights) - 1)


def _block(m: _Model, scenario: str, n: int, seed: int, index: int, labs: str) -> pd.DataFrame:
    """Generate block ``index`` of a cohort: ``n`` rows from its own child seed."""
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(index,)))
    sc = m.kb.scenarios[scenario]
    p = m.p
    a: dict[str, np.ndarray] = {}

    bands = np.array(sc.age_bands.value)
    band = _choice(rng, bands[:, 2], n)
    a["age"] = np.floor(bands[band, 0] + rng.random(n) * (bands[band, 1] - bands[band, 0]))
    a["sex"] = (rng.random(n) >= sc.female.value).astype(np.int8)  # 0 female, 1 male
    a["region"] = np.full(n, m.regions.index(sc.region), dtype=np.int8)
    fertile = (a["sex"] == 0) & (a["age"] <= 45)
    a["pregnant"] = (fertile & (rng.random(n) < sc.pregnant.value)).astype(np.float64)
    diets = m.kb.causes["diet"].levels
    a["diet"] = _choice(rng, np.array([sc.diet[d].value for d in diets]), n).astype(np.int8)
    gas = m.kb.causes["gastrectomy"].levels
    a["gastrectomy"] = _choice(rng, np.array([sc.gastrectomy[g].value for g in gas]), n).astype(np.int8)

    decades = (a["age"] - 50.0) / 10.0

    def prevalent(name: str) -> np.ndarray:
        q = sc.prevalence[name]
        return rng.random(n) < _expit(_logit(q.value) + q.per_decade * decades)

    for name, cause in m.kb.causes.items():
        if cause.kind == "binary" and cause.column != "pregnant":
            a[cause.column] = prevalent(name).astype(np.float64)
        elif cause.kind == "exposure":
            user = prevalent(name)
            g = sc.exposure[cause.years_column]
            a[cause.years_column] = np.where(user, np.round(rng.gamma(g.shape, g.scale, n), 1), 0.0)
            if cause.dose_column:
                d = sc.exposure[cause.dose_column]
                a[cause.dose_column] = np.where(user, np.array(d.choices)[_choice(rng, np.array(d.weights), n)], 0.0)
    # Hidden causes, drawn as the oracle's prior describes them.
    gastric_prior = _gastric_prior(m, {**a, "pernicious_anaemia_known": np.zeros(n)})
    gastric = _choice_rows(rng, gastric_prior)
    pa = gastric == 2
    a["pernicious_anaemia_known"] = (pa & (rng.random(n) < p["pa.known_share"])).astype(np.float64)
    iron = rng.random(n) < _iron_prior(m, a)
    a["egfr_ml_min"] = np.exp(
        np.log(p["egfr.median"])
        + p["egfr.age_slope"] * np.maximum(a["age"] - p["latent.reference_age"], 0.0)
        + p["egfr.sd"] * rng.standard_normal(n)
    )

    latent = _observed_shift(m, a) + m.gastric_effect[gastric] + p["latent.sd"] * rng.standard_normal(n)

    sym_p = _expit(_symptom_logit(m, latent))
    sym = rng.random((n, len(m.symptoms))) < sym_p

    false_normal = rng.random(n) < np.where(
        pa, p["serum_assay.falsely_normal_pa"], p["serum_assay.falsely_normal_other"]
    )
    serum = np.where(
        false_normal,
        np.log(p["serum_assay.falsely_normal_median"]) + p["serum_assay.falsely_normal_sd"] * rng.standard_normal(n),
        latent + p["serum_assay.pregnancy_shift"] * a["pregnant"] + p["serum_assay.sd"] * rng.standard_normal(n),
    )
    mma = _marker_mean(m, "mma", a, latent) + p["mma.sd"] * rng.standard_normal(n)
    hcy = _marker_mean(m, "hcy", a, latent) + p["hcy.sd"] * rng.standard_normal(n)
    holotc = (
        latent
        + np.log(p["holotc.fraction"])
        + p["holotc.pregnancy_shift"] * a["pregnant"]
        + p["holotc.sd"] * rng.standard_normal(n)
    )
    depth148 = np.maximum(LOG148 - latent, 0.0)
    keep = np.where(iron, p["mcv.iron_deficiency_masking"], 1.0)
    mcv = p["mcv.mean"] + p["mcv.macrocytosis_slope"] * depth148 * keep + p["mcv.iron_deficiency_shift"] * iron
    mcv = mcv + p["mcv.sd"] * rng.standard_normal(n)
    hgb = _hgb_mean(m, a) + p["hgb.deficiency_slope"] * depth148 + p["hgb.iron_deficiency_shift"] * iron
    hgb = hgb + p["hgb.sd"] * rng.standard_normal(n)

    labs_out = {
        "serum_b12_pmol_l": np.exp(serum),
        "mma_umol_l": np.exp(mma),
        "hcy_umol_l": np.exp(hcy),
        "holotc_pmol_l": np.exp(holotc),
        "mcv_fl": mcv,
        "hgb_g_dl": hgb,
    }
    if labs == "clinical":
        _order_labs(m, rng, a, sym, labs_out)

    frame = _to_frame(m, a, sym, labs_out)
    frame["true_b12_pmol_l"] = np.exp(latent)
    frame["true_deficient"] = latent < LOG148
    tiers = np.array(["none", "mild", "moderate", "severe"])
    cut = np.log([p["severity.severe_below"], p["severity.moderate_below"], p["severity.mild_below"]])
    frame["true_severity"] = pd.Categorical(tiers[3 - np.searchsorted(cut, latent, side="right")], categories=tiers)
    return frame


def _choice_rows(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """One categorical draw per row from a rows x k probability table."""
    u = rng.random(probs.shape[0])[:, None]
    return (u >= np.cumsum(probs, axis=1)[:, :-1]).sum(axis=1)


def _order_labs(m: _Model, rng: np.random.Generator, a: dict, sym: np.ndarray, labs: dict[str, np.ndarray]) -> None:
    """Clinical mode: blank the labs nobody ordered. Depends on observed fields only."""
    p = m.p
    n = len(a["age"])
    decades = (a["age"] - 50.0) / 10.0
    n_sym = sym.sum(axis=1)
    risk = (
        (a["diet"] > 0)
        | (a["gastrectomy"] > 0)
        | (a["pernicious_anaemia_known"] > 0)
        | (a["ppi_years"] > 0)
        | (a["h2_blocker_years"] > 0)
        | (a["metformin_years"] > 0)
    )
    for col, _ in m.binary:
        if col != "supplement_use":
            risk |= a[col] > 0
    mm = "missingness."
    b12 = rng.random(n) < _expit(
        p[mm + "b12_intercept"]
        + p[mm + "b12_per_decade"] * decades
        + p[mm + "b12_per_symptom"] * n_sym
        + p[mm + "b12_risk_factor"] * risk
    )
    fbc = rng.random(n) < _expit(
        p[mm + "fbc_intercept"] + p[mm + "fbc_per_decade"] * decades + p[mm + "fbc_per_symptom"] * n_sym
    )
    serum = labs["serum_b12_pmol_l"]
    borderline = (serum >= 148.0) & (serum < p[mm + "reflex_upper"])
    mma = b12 & (rng.random(n) < np.where(borderline, p[mm + "mma_reflex_borderline"], p[mm + "mma_other"]))
    hcy = b12 & (rng.random(n) < p[mm + "hcy_given_b12"])
    holotc = b12 & (rng.random(n) < p[mm + "holotc_given_b12"])
    for col, ordered in (
        ("serum_b12_pmol_l", b12),
        ("mma_umol_l", mma),
        ("hcy_umol_l", hcy),
        ("holotc_pmol_l", holotc),
        ("mcv_fl", fbc),
        ("hgb_g_dl", fbc),
    ):
        labs[col] = np.where(ordered, labs[col], np.nan)


def _to_frame(m: _Model, a: dict, sym: np.ndarray, labs: dict[str, np.ndarray]) -> pd.DataFrame:
    data: dict[str, object] = {}
    for f in features(m.kb).values():
        if f.group == "symptoms":
            data[f.name] = sym[:, m.symptoms.index(f.name)]
        elif f.name in labs:
            data[f.name] = labs[f.name]
        elif f.kind == "categorical":
            data[f.name] = pd.Categorical.from_codes(a[f.name], categories=list(f.categories))
        elif f.kind == "binary":
            data[f.name] = a[f.name] > 0.5
        else:
            data[f.name] = a[f.name]
    return pd.DataFrame(data)


def iter_blocks(
    n: int,
    *,
    scenario: str = "us_uk",
    seed: int = 0,
    labs: str = "clinical",
    kb: Knowledge | None = None,
    start: int = 0,
) -> Iterator[pd.DataFrame]:
    """Yield a cohort block by block (each :data:`BLOCK_ROWS` rows, the last shorter).

    Concatenating the blocks gives exactly ``simulate(n, ...)``. ``start`` skips the
    first ``start`` blocks, for resuming.
    """
    kb = load() if kb is None else kb
    _check_args(n, scenario, seed, labs, kb)
    m = _model(kb)
    n_blocks = -(-n // BLOCK_ROWS)
    for i in range(start, n_blocks):
        rows = min(BLOCK_ROWS, n - i * BLOCK_ROWS)
        block = _block(m, scenario, rows, seed, i, labs)
        block.index = pd.RangeIndex(i * BLOCK_ROWS, i * BLOCK_ROWS + rows)
        yield block


def simulate(
    n: int, *, scenario: str = "us_uk", seed: int = 0, labs: str = "clinical", kb: Knowledge | None = None
) -> pd.DataFrame:
    """Simulate a synthetic cohort whose true B12 status is known.

    Parameters
    ----------
    n : int
        Number of patients, at least 1.
    scenario : str, default "us_uk"
        Population, one of the scenarios in ``seeds/scenarios.toml``.
    seed : int, default 0
        Seed of the cohort; the same seed gives the same cohort.
    labs : {"clinical", "survey"}, default "clinical"
        ``"clinical"``: labs are ordered more often for older, symptomatic and at-risk
        patients and are NaN where not ordered; ``"survey"``: every lab for everyone.
    kb : Knowledge, optional
        Knowledge base; the shipped one by default.

    Returns
    -------
    pandas.DataFrame
        One row per patient: the observed columns of :func:`b12risk.schema.features`
        then ``true_b12_pmol_l``, ``true_deficient`` and ``true_severity``.

    Raises
    ------
    ConfigError
        If an argument is invalid; the message names it and what is allowed.

    Examples
    --------
    >>> from b12risk import simulate
    >>> df = simulate(500, scenario="older_adults", seed=3, labs="survey")
    >>> df["age"].min() >= 65
    True
    """
    blocks = list(iter_blocks(n, scenario=scenario, seed=seed, labs=labs, kb=kb))
    return blocks[0] if len(blocks) == 1 else pd.concat(blocks)


# --------------------------------------------------------------------------- masking


def mask_to_level(frame: pd.DataFrame, level: str) -> pd.DataFrame:
    """Copy of ``frame`` with every feature not observed at ``level`` set to missing.

    Masked binary columns become float (1.0 / 0.0 / NaN); masked numeric columns NaN.
    Truth columns and unknown columns are kept as they are.
    """
    keep = set(level_columns(check_level(level)))
    out = frame.copy()
    for name in features():
        if name in out.columns and name not in keep:
            out[name] = np.nan
    return out


# --------------------------------------------------------------------------- oracle


@lru_cache(maxsize=1)
def _grid() -> tuple[np.ndarray, float, int]:
    """Midpoints of a fixed latent grid, its width and how many cells lie below 148 pmol/L."""
    width = 0.02
    below = int(np.ceil((LOG148 - np.log(2.0)) / width))
    above = int(np.ceil((np.log(6000.0) - LOG148) / width))
    edges = LOG148 + width * np.arange(-below, above + 1)
    return (edges[:-1] + edges[1:]) / 2, width, below


def _column(frame: pd.DataFrame, name: str) -> np.ndarray:
    col = frame[name]
    if isinstance(col.dtype, pd.CategoricalDtype):
        cats = features()[name].categories
        codes = pd.Categorical(col, categories=cats).codes.astype(np.float64)
        codes[codes < 0] = np.nan
        return codes
    return col.to_numpy(dtype=np.float64, na_value=np.nan)


def _norm_logpdf(x: np.ndarray, mean: np.ndarray, sd: float) -> np.ndarray:
    z = (x - mean) / sd
    return -0.5 * z * z - np.log(sd)


def oracle_probability(
    frame: pd.DataFrame, level: str | None = None, *, chunk_rows: int = 2048, kb: Knowledge | None = None
) -> np.ndarray:
    """Exact posterior P(true deficient | observed) for each row.

    Parameters
    ----------
    frame : pandas.DataFrame
        Observed columns as :func:`simulate` returns them. Symptoms and labs that are
        NaN are treated as unobserved; risk-factor columns must all be present.
    level : str, optional
        If given, first mask the frame to this information level.
    chunk_rows : int
        Rows evaluated at once (memory: about ``chunk_rows * 600 * 8 * 10`` bytes).

    Returns
    -------
    numpy.ndarray
        Probabilities in [0, 1], one per row.
    """
    m = _model(kb)
    if level is not None:
        frame = mask_to_level(frame, level)
    feats = features(m.kb)
    required = [f for f in level_columns("risk_factors", m.kb)]
    a: dict[str, np.ndarray] = {}
    for name in required:
        if name not in frame.columns:
            raise ConfigError(f"oracle_probability needs column {name!r}; it is missing")
        a[name] = _column(frame, name)
        bad = np.isnan(a[name])
        if bad.any():
            raise ConfigError(
                f"oracle_probability needs {name!r} observed in every row; {int(bad.sum())} row(s) are missing it"
            )
    for name in ("sex", "region", "diet", "gastrectomy"):
        a[name] = a[name].astype(np.int64)
    labs = {
        name: (
            frame[name].to_numpy(dtype=np.float64, na_value=np.nan)
            if name in frame.columns
            else np.full(len(frame), np.nan)
        )
        for name in ("serum_b12_pmol_l", "mma_umol_l", "hcy_umol_l", "holotc_pmol_l", "mcv_fl", "hgb_g_dl")
    }
    sym = (
        np.column_stack(
            [
                frame[s].to_numpy(dtype=np.float64, na_value=np.nan)
                if s in frame.columns
                else np.full(len(frame), np.nan)
                for s in m.symptoms
            ]
        )
        if len(frame)
        else np.zeros((0, len(m.symptoms)))
    )
    _ = feats
    out = np.empty(len(frame))
    for start in range(0, len(frame), chunk_rows):
        sl = slice(start, start + chunk_rows)
        out[sl] = _posterior(m, {k: v[sl] for k, v in a.items()}, {k: v[sl] for k, v in labs.items()}, sym[sl])
    return out


def _posterior(m: _Model, a: dict[str, np.ndarray], labs: dict[str, np.ndarray], sym: np.ndarray) -> np.ndarray:
    p = m.p
    grid, _, below = _grid()
    n = len(a["age"])
    if n == 0:
        return np.empty(0)
    L = grid[None, :]

    # Common log-likelihood: labs that depend on L only, and symptoms.
    common = np.zeros((n, grid.size))

    def add_lab(values: np.ndarray, mean: np.ndarray, sd: float) -> None:
        obs = ~np.isnan(values)
        if obs.any():
            common[obs] += _norm_logpdf(values[obs, None], mean[obs] if np.ndim(mean) == 2 else mean, sd)

    add_lab(np.log(labs["mma_umol_l"]), _marker_mean(m, "mma", a, np.broadcast_to(L, (n, grid.size))), p["mma.sd"])
    add_lab(np.log(labs["hcy_umol_l"]), _marker_mean(m, "hcy", a, np.broadcast_to(L, (n, grid.size))), p["hcy.sd"])
    holo_mean = L + np.log(p["holotc.fraction"]) + (p["holotc.pregnancy_shift"] * a["pregnant"])[:, None]
    add_lab(np.log(labs["holotc_pmol_l"]), holo_mean, p["holotc.sd"])

    sym_obs = ~np.isnan(sym)
    if sym_obs.any():
        logit = _symptom_logit(m, grid)  # grid x S
        log1m = -np.logaddexp(0.0, logit)  # log(1 - p)
        y = np.where(sym_obs, np.nan_to_num(sym), 0.0)
        common += y @ logit.T + sym_obs.astype(np.float64) @ log1m.T

    # Hidden gastric state: shifts the prior and the serum false-normal rate.
    mu = _observed_shift(m, a)
    g_prior = _gastric_prior(m, a)
    serum = np.log(labs["serum_b12_pmol_l"])
    s_obs = ~np.isnan(serum)
    if s_obs.any():
        assay_mean = L + (p["serum_assay.pregnancy_shift"] * a["pregnant"])[:, None]
        true_part = _norm_logpdf(np.where(s_obs, serum, 0.0)[:, None], assay_mean, p["serum_assay.sd"])
        false_part = _norm_logpdf(
            np.where(s_obs, serum, 0.0),
            np.log(p["serum_assay.falsely_normal_median"]),
            p["serum_assay.falsely_normal_sd"],
        )[:, None]
    sd = p["latent.sd"]
    gastric_terms = []
    for g in range(3):
        w = g_prior[:, g]
        if not (w > 0).any():
            continue
        z = (L - (mu + m.gastric_effect[g])[:, None]) / sd
        term = -0.5 * z * z
        term -= np.log(np.sum(np.exp(term), axis=1, keepdims=True))  # normalise the prior on the grid
        if s_obs.any():
            q = p["serum_assay.falsely_normal_pa"] if g == 2 else p["serum_assay.falsely_normal_other"]
            serum_ll = np.logaddexp(np.log1p(-q) + true_part, np.log(q) + false_part)
            term = term + np.where(s_obs[:, None], serum_ll, 0.0)
        with np.errstate(divide="ignore"):
            gastric_terms.append(np.log(w)[:, None] + term)
    gastric_ll = np.logaddexp.reduce(np.stack(gastric_terms), axis=0) if len(gastric_terms) > 1 else gastric_terms[0]

    # Hidden iron deficiency: shifts MCV and haemoglobin.
    mcv, hgb = labs["mcv_fl"], labs["hgb_g_dl"]
    blood_obs = ~np.isnan(mcv) | ~np.isnan(hgb)
    if blood_obs.any():
        depth = np.maximum(LOG148 - L, 0.0)
        iron_p = _iron_prior(m, a)
        iron_terms = []
        for iron in (0, 1):
            keep = p["mcv.iron_deficiency_masking"] if iron else 1.0
            t = np.zeros((n, grid.size))
            ok = ~np.isnan(mcv)
            if ok.any():
                mean = (
                    p["mcv.mean"] + p["mcv.macrocytosis_slope"] * depth * keep + p["mcv.iron_deficiency_shift"] * iron
                )
                t[ok] += _norm_logpdf(mcv[ok, None], mean, p["mcv.sd"])
            ok = ~np.isnan(hgb)
            if ok.any():
                mean = (
                    _hgb_mean(m, a)[ok, None]
                    + p["hgb.deficiency_slope"] * depth
                    + p["hgb.iron_deficiency_shift"] * iron
                )
                t[ok] += _norm_logpdf(hgb[ok, None], mean, p["hgb.sd"])
            iron_terms.append(np.log(iron_p if iron else 1 - iron_p)[:, None] + t)
        common += np.logaddexp(iron_terms[0], iron_terms[1])

    total = gastric_ll + common
    total -= total.max(axis=1, keepdims=True)
    mass = np.exp(total)
    return mass[:, :below].sum(axis=1) / mass.sum(axis=1)


def _levels() -> tuple[str, ...]:
    return LEVELS


# --------------------------------------------------------------------------- writing


def write_cohort(
    path: str | Path,
    n: int,
    *,
    scenario: str = "us_uk",
    seed: int = 0,
    labs: str = "clinical",
    progress: bool = True,
) -> int:
    """Write ``simulate(n, ...)`` to Parquet or CSV block by block, in bounded memory.

    The file appears only when complete (written to a temporary name, then renamed).
    Returns the number of rows written.
    """
    import os

    from tqdm.auto import tqdm

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".parquet", ".csv"):
        raise ConfigError(f"The output file must end in .parquet or .csv. Got {str(path)!r} instead.")
    kb = load()
    _check_args(n, scenario, seed, labs, kb)
    if not path.parent.is_dir():
        raise ConfigError(f"The output folder {str(path.parent)!r} does not exist.")
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    rows = 0
    writer = None
    try:
        with tqdm(total=n, unit="rows", unit_scale=True, desc=f"simulate {scenario}", disable=not progress) as bar:
            for block in iter_blocks(n, scenario=scenario, seed=seed, labs=labs, kb=kb):
                if suffix == ".parquet":
                    import pyarrow as pa
                    import pyarrow.parquet as pq

                    table = pa.Table.from_pandas(block, preserve_index=False)
                    if writer is None:
                        writer = pq.ParquetWriter(tmp, table.schema, compression="zstd")
                    writer.write_table(table)
                else:
                    block.to_csv(tmp, mode="a", header=rows == 0, index=False)
                rows += len(block)
                bar.update(len(block))
        if writer is not None:
            writer.close()
            writer = None
        os.replace(tmp, path)
    finally:
        if writer is not None:
            writer.close()
        tmp.unlink(missing_ok=True)
    return rows
