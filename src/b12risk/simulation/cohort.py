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
from numbers import Integral
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
    gastric_shift,
    iron_prior,
    latent_sd,
    model,
    observed_shift,
    symptom_logit,
)
from b12risk.validation.constraints import Interval, Options, check_params, validate_params

__all__ = ["BLOCK_ROWS", "LAB_MODES", "iter_blocks", "mask_to_level", "oracle_probability", "simulate"]

#: Rows per generation block; part of the cohort's definition (changing it changes cohorts).
BLOCK_ROWS = 65_536
LAB_MODES = ("clinical", "survey")
#: Most rows a cohort may have: row numbers (the index) are 64-bit integers.
MAX_ROWS = 2**63 - 1


# --------------------------------------------------------------------------- simulation


#: What each argument of :func:`simulate` (and :func:`iter_blocks`, :func:`write_cohort`) may be.
SIMULATE_PARAMS = {
    "n": [Interval(Integral, 1, MAX_ROWS, closed="both")],
    "scenario": [Options(lambda args: sorted((load() if args.get("kb") is None else args["kb"]).scenarios))],
    "seed": [Interval(Integral, 0, None, closed="left")],
    "labs": [Options(LAB_MODES)],
}


def _check_args(n: object, scenario: object, seed: object, labs: object, kb: Knowledge) -> None:
    check_params("simulate", {"n": n, "scenario": scenario, "seed": seed, "labs": labs, "kb": kb}, SIMULATE_PARAMS)


def _choice(rng: np.random.Generator, weights: np.ndarray, n: int) -> np.ndarray:
    return np.searchsorted(np.cumsum(weights), rng.random(n) * np.sum(weights), side="right").clip(0, len(weights) - 1)


def _block(m: Model, scenario: str, n: int, seed: int, index: int, labs: str) -> pd.DataFrame:
    """Generate block ``index`` of a cohort: ``n`` rows from its own child seed.

    The order of the draws is part of the cohort's definition: who the patients are
    (age, sex, region), the causes with an eligibility rule (pregnancy), each categorical
    cause, each binary cause and exposure in file order, the hidden causes, eGFR, the
    latent level, symptoms, then each biomarker in the order of ``biomarkers.toml``.
    """
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(index,)))
    sc = m.kb.scenarios[scenario]
    p = m.p
    a: dict[str, np.ndarray] = {}

    bands = np.array(sc.age_bands.value)
    band = _choice(rng, bands[:, 2], n)
    a["age"] = np.floor(bands[band, 0] + rng.random(n) * (bands[band, 1] - bands[band, 0]))
    a["sex"] = (rng.random(n) >= sc.female.value).astype(np.int8)  # 0 female, 1 male
    a["region"] = np.full(n, m.regions.index(sc.region), dtype=np.int8)
    restricted = [c for c in m.binary if c.eligible is not None]
    for cause in restricted:  # the scenario gives the share among those who can have it
        share = getattr(sc, cause.column).value
        a[cause.column] = (cause.can_have(a) & (rng.random(n) < share)).astype(np.float64)
    for name, cause in m.kb.causes.items():
        if cause.kind == "categorical":
            shares = np.array([sc.shares[name][lv].value for lv in cause.levels])
            a[cause.column] = _choice(rng, shares, n).astype(np.int8)

    decades = (a["age"] - 50.0) / 10.0

    def prevalent(name: str) -> np.ndarray:
        q = sc.prevalence[name]
        return rng.random(n) < expit(logit(q.value) + q.per_decade * decades)

    for name, cause in m.kb.causes.items():
        if cause.kind == "binary" and cause.eligible is None:
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
    a[m.pernicious.known_column] = (pa & (rng.random(n) < m.pernicious.known_share.value)).astype(np.float64)
    iron = rng.random(n) < iron_prior(m, a)
    # Kept inside the knowledge base's plausible range, which validation enforces: the log-normal
    # tail passes 250 about once in ten million young adults. eGFR is observed and drawn before
    # the latent level, so the limit changes nothing the oracle weighs.
    plausible = m.kb.biomarkers["egfr"].plausible
    a["egfr_ml_min"] = np.clip(
        np.exp(
            np.log(p["egfr.median"])
            + p["egfr.age_slope"] * np.maximum(a["age"] - p["latent.reference_age"], 0.0)
            + p["egfr.sd"]
            * np.exp(p["egfr.sd_age_slope"] * (a["age"] - p["latent.reference_age"]))
            * rng.standard_normal(n)
        ),
        plausible.low,
        plausible.high,
    )

    shift = gastric_shift(m, a)[np.arange(n), gastric]
    latent = observed_shift(m, a) + shift + latent_sd(m, a["age"]) * rng.standard_normal(n)

    sym_p = expit(symptom_logit(m, latent))
    sym = rng.random((n, len(m.symptoms))) < sym_p

    hidden = {"gastric": gastric, "iron": iron}
    labs_out = {}
    for spec in m.specs:
        reading = spec.draw(m, rng, a, latent, hidden)
        labs_out[spec.column] = np.exp(reading) if spec.log else reading
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
    """Clinical mode: blank the labs nobody ordered. Depends on observed fields only.

    Each request (``b12``, ``fbc``: the tests the specs' ordering rules name, in order of
    first use) is ordered with log-odds ``<test>_intercept + <test>_per_decade * decades +
    <test>_per_symptom * symptoms (+ <test>_risk_factor * any risk factor)``; a marker with
    a ``share`` joins its request in that share, or ``borderline_share`` when serum B12 is
    borderline (from the deficiency cut-off up to ``reflex_upper``)."""
    p = m.p
    n = len(a["age"])
    decades = (a["age"] - 50.0) / 10.0
    n_sym = sym.sum(axis=1)
    risk = np.zeros(n, dtype=bool)
    for cause in m.categorical:
        risk |= a[cause.column] > 0
    risk |= a[m.pernicious.known_column] > 0
    for cause in m.exposures:
        risk |= a[cause.years_column] > 0
    for cause in m.binary:
        if not cause.protective:
            risk |= a[cause.column] > 0
    mm = "missingness."
    ordered: dict[str, np.ndarray] = {}
    for spec in m.specs:
        test = spec.ordering.test
        if test not in ordered:
            z = (
                p[f"{mm}{test}_intercept"]
                + p[f"{mm}{test}_per_decade"] * decades
                + p[f"{mm}{test}_per_symptom"] * n_sym
            )
            if f"{mm}{test}_risk_factor" in p:
                z = z + p[f"{mm}{test}_risk_factor"] * risk
            ordered[test] = rng.random(n) < expit(z)
    serum = labs["serum_b12_pmol_l"]
    borderline = (serum >= m.serum_deficient) & (serum < p[mm + "reflex_upper"])
    kept: dict[str, np.ndarray] = {}
    for spec in m.specs:
        rule = spec.ordering
        if rule.share is None:
            kept[spec.column] = ordered[rule.test]
            continue
        share = p[mm + rule.share]
        if rule.borderline_share is not None:
            share = np.where(borderline, p[mm + rule.borderline_share], share)
        kept[spec.column] = ordered[rule.test] & (rng.random(n) < share)
    for column, keep in kept.items():
        labs[column] = np.where(keep, labs[column], np.nan)


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


@validate_params(SIMULATE_PARAMS, function="simulate")
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
    m = model(kb)
    n_blocks = -(-n // BLOCK_ROWS)
    for i in range(start, n_blocks):
        rows = min(BLOCK_ROWS, n - i * BLOCK_ROWS)
        block = _block(m, scenario, rows, seed, i, labs)
        block.index = pd.RangeIndex(i * BLOCK_ROWS, i * BLOCK_ROWS + rows)
        yield block


@validate_params(SIMULATE_PARAMS, function="simulate")
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


@validate_params(SIMULATE_PARAMS, function="simulate")
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
