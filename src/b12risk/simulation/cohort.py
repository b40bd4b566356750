"""Synthetic cohorts from the structural model.

The model (parameters in ``seeds/``, equations in :mod:`b12risk.simulation.structural`)::

    scenario -> causes (observed and hidden) -> latent true B12 level L (log pmol/L)
                                              -> labs and symptoms, each independent given
                                                 L and the named causes

A patient is truly deficient when ``exp(L)`` is below ``latent.deficient_below`` (148 pmol/L). Because every observation
depends on the patient only through ``L`` and named causes, the posterior of ``L``
given any subset of observations is a one-dimensional integral times a sum over the
hidden causes (undiagnosed pernicious anaemia, atrophic gastritis, iron deficiency);
:func:`oracle_probability` (from :mod:`b12risk.simulation.oracle`) evaluates it on a grid.

Cohorts are generated in fixed blocks of :data:`BLOCK_ROWS` rows, block ``i`` from the
child seed ``SeedSequence(seed, spawn_key=(i,))``, so a cohort made block by block
(in chunks, or on a cluster) equals one made at once.

Examples
--------
>>> from b12risk.simulation.cohort import simulate, oracle_probability
>>> df = simulate(1000, scenario="us_uk", seed=1)
>>> p = oracle_probability(df, level="serum_b12")
>>> bool(((p >= 0) & (p <= 1)).all())
True
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from b12risk.errors import ConfigError
from b12risk.knowledge import Knowledge, load
from b12risk.knowledge.schema import features, mask_to_level
from b12risk.logodds import expit, logit
from b12risk.simulation.oracle import oracle_probability
from b12risk.simulation.structural import (
    Model,
    gastric_prevalence,
    hgb_fall,
    hgb_mean,
    holotc_offset,
    iron_prior,
    marker_base,
    marker_rise,
    mcv_mean,
    model,
    observed_shift,
    serum_offset,
    symptom_logit,
)

__all__ = ["BLOCK_ROWS", "LAB_MODES", "iter_blocks", "mask_to_level", "oracle_probability", "simulate"]

#: Rows per generation block; part of the cohort's definition (changing it changes cohorts).
BLOCK_ROWS = 65_536
LAB_MODES = ("clinical", "survey")
#: Most rows a cohort may have: row numbers (the index) are 64-bit integers.
MAX_ROWS = 2**63 - 1


# --------------------------------------------------------------------------- simulation


def _check_args(n: object, scenario: object, seed: object, labs: object, kb: Knowledge) -> None:
    from b12risk.validation import _is_whole, _show

    if not _is_whole(n) or n < 1:
        raise ConfigError(
            f"The 'n' parameter of simulate must be an int in the range [1, inf). Got {_show(n)} instead."
        )
    if n > MAX_ROWS:
        raise ConfigError(
            f"The 'n' parameter of simulate must be at most {MAX_ROWS} (rows are numbered with 64-bit integers). "
            f"Got {_show(n)} instead."
        )
    if not isinstance(scenario, str) or scenario not in kb.scenarios:
        raise ConfigError(
            f"The 'scenario' parameter of simulate must be one of {', '.join(sorted(kb.scenarios))}. Got {_show(scenario)} instead."
        )
    if not _is_whole(seed) or seed < 0:
        raise ConfigError(
            f"The 'seed' parameter of simulate must be an int in the range [0, inf). Got {_show(seed)} instead."
        )
    if not isinstance(labs, str) or labs not in LAB_MODES:
        raise ConfigError(
            f"The 'labs' parameter of simulate must be one of {', '.join(LAB_MODES)}. Got {_show(labs)} instead."
        )


def _choice(rng: np.random.Generator, weights: np.ndarray, n: int) -> np.ndarray:
    return np.searchsorted(np.cumsum(weights), rng.random(n) * np.sum(weights), side="right").clip(0, len(weights) - 1)


def _block(m: Model, scenario: str, n: int, seed: int, index: int, labs: str) -> pd.DataFrame:
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
        return rng.random(n) < expit(logit(q.value) + q.per_decade * decades)

    for name, cause in m.kb.causes.items():
        if cause.kind == "binary" and cause.column != "pregnant":
            a[cause.column] = prevalent(name).astype(np.float64)
        elif cause.kind == "exposure":
            user = prevalent(name)
            g = sc.exposure[cause.years_column]
            a[cause.years_column] = np.where(user, np.maximum(np.round(rng.gamma(g.shape, g.scale, n), 1), 0.1), 0.0)
            if cause.dose_column:
                d = sc.exposure[cause.dose_column]
                a[cause.dose_column] = np.where(user, np.array(d.choices)[_choice(rng, np.array(d.weights), n)], 0.0)
    # Hidden causes, drawn as the oracle's prior describes them.
    gastric = _choice_rows(rng, gastric_prevalence(m, a))
    pa = gastric == 2
    a["pernicious_anaemia_known"] = (pa & (rng.random(n) < p["pa.known_share"])).astype(np.float64)
    iron = rng.random(n) < iron_prior(m, a)
    a["egfr_ml_min"] = np.exp(
        np.log(p["egfr.median"])
        + p["egfr.age_slope"] * np.maximum(a["age"] - p["latent.reference_age"], 0.0)
        + p["egfr.sd"] * rng.standard_normal(n)
    )

    latent = observed_shift(m, a) + m.gastric_effect[gastric] + p["latent.sd"] * rng.standard_normal(n)

    sym_p = expit(symptom_logit(m, latent))
    sym = rng.random((n, len(m.symptoms))) < sym_p

    false_normal = rng.random(n) < np.where(
        pa, p["serum_assay.falsely_normal_pa"], p["serum_assay.falsely_normal_other"]
    )
    serum = np.where(
        false_normal,
        np.log(p["serum_assay.falsely_normal_median"]) + p["serum_assay.falsely_normal_sd"] * rng.standard_normal(n),
        latent + serum_offset(m, a) + p["serum_assay.sd"] * rng.standard_normal(n),
    )
    mma = marker_base(m, "mma", a) + marker_rise(m, "mma", latent) + p["mma.sd"] * rng.standard_normal(n)
    hcy = marker_base(m, "hcy", a) + marker_rise(m, "hcy", latent) + p["hcy.sd"] * rng.standard_normal(n)
    holotc = latent + holotc_offset(m, a) + p["holotc.sd"] * rng.standard_normal(n)
    mcv = mcv_mean(m, iron, latent) + p["mcv.sd"] * rng.standard_normal(n)
    hgb = hgb_mean(m, a) + p["hgb.iron_deficiency_shift"] * iron + hgb_fall(m, latent)
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
    frame["true_deficient"] = latent < m.log_deficient
    tiers = np.array(["none", "mild", "moderate", "severe"])
    cut = np.log([p["severity.severe_below"], p["severity.moderate_below"], p["severity.mild_below"]])
    frame["true_severity"] = pd.Categorical(tiers[3 - np.searchsorted(cut, latent, side="right")], categories=tiers)
    return frame


def _choice_rows(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """One categorical draw per row from a rows x k probability table."""
    u = rng.random(probs.shape[0])[:, None]
    return (u >= np.cumsum(probs, axis=1)[:, :-1]).sum(axis=1)


def _order_labs(m: Model, rng: np.random.Generator, a: dict, sym: np.ndarray, labs: dict[str, np.ndarray]) -> None:
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
    b12 = rng.random(n) < expit(
        p[mm + "b12_intercept"]
        + p[mm + "b12_per_decade"] * decades
        + p[mm + "b12_per_symptom"] * n_sym
        + p[mm + "b12_risk_factor"] * risk
    )
    fbc = rng.random(n) < expit(
        p[mm + "fbc_intercept"] + p[mm + "fbc_per_decade"] * decades + p[mm + "fbc_per_symptom"] * n_sym
    )
    serum = labs["serum_b12_pmol_l"]
    borderline = (serum >= m.serum_deficient) & (serum < p[mm + "reflex_upper"])
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


def _to_frame(m: Model, a: dict, sym: np.ndarray, labs: dict[str, np.ndarray]) -> pd.DataFrame:
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
    m = model(kb)
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
        One row per patient: the observed columns of :func:`b12risk.knowledge.schema.features`
        then ``true_b12_pmol_l``, ``true_deficient`` and ``true_severity``.

    Raises
    ------
    ConfigError
        If an argument is invalid; the message names it and what is allowed.

    Examples
    --------
    >>> from b12risk import simulate
    >>> df = simulate(500, scenario="older_adults", seed=3, labs="survey")
    >>> bool(df["age"].min() >= 65)
    True
    """
    blocks = list(iter_blocks(n, scenario=scenario, seed=seed, labs=labs, kb=kb))
    return blocks[0] if len(blocks) == 1 else pd.concat(blocks)


# --------------------------------------------------------------------------- masking


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
    if "\0" in str(path):
        raise ConfigError(f"The output path {str(path)!r} contains a NUL character; expected a file name.")
    if path.is_dir():
        raise ConfigError(f"The output {str(path)!r} is a folder; expected a new .parquet or .csv file.")
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
