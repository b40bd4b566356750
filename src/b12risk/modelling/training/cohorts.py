"""The simulated cohorts of a training run: the training (and calibration) mixture, each
row masked to its own information level, and the evaluation cohort of one scenario.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from b12risk.knowledge import LEVELS
from b12risk.knowledge.schema import features
from b12risk.modelling.training.config import EvaluationConfig, TrainConfig
from b12risk.simulation.cohort import simulate

__all__ = ["ALWAYS_KNOWN", "hide_risk_factors", "mask_rows", "posterior_target", "training_cohort"]

#: Who the patient is: known whenever a patient is scored, so never hidden in training.
ALWAYS_KNOWN: tuple[str, ...] = ("age", "sex", "region")


def training_cohort(cfg: TrainConfig, *, progress: bool = False) -> pd.DataFrame:
    """The training rows: a scenario mixture, survey and clinical labs, each row masked
    to one information level drawn with the configured weights."""
    c = cfg.cohort
    names = list(c.scenarios)
    weights = np.array([c.scenarios[s] for s in names], dtype=float)
    sizes = np.floor(weights / weights.sum() * c.n).astype(int)
    sizes[0] += c.n - sizes.sum()
    parts = []
    seeds = np.random.SeedSequence(c.seed).spawn(len(names) * 2 + 1)
    jobs = [(s, mode, k) for k, s in enumerate(names) for mode in ("survey", "clinical")]
    for s, mode, k in tqdm(jobs, desc="simulate training cohorts", disable=not progress):
        size = round(sizes[k] * (c.survey_share if mode == "survey" else 1 - c.survey_share))
        if size == 0:
            continue
        seed = int(seeds[2 * k + (mode == "clinical")].generate_state(1)[0])
        df = simulate(size, scenario=s, seed=seed, labs=mode)
        df.insert(0, "scenario", s)
        parts.append(df)
    frame = pd.concat(parts, ignore_index=True)
    rng = np.random.default_rng(seeds[-1])
    lw = np.array([c.levels.get(lv, 0.0) for lv in LEVELS])
    level = rng.choice(len(LEVELS), size=len(frame), p=lw / lw.sum())
    frame["level"] = pd.Categorical.from_codes(level, categories=list(LEVELS))
    frame = mask_rows(frame, level)
    if c.target == "posterior":  # before any risk factor is hidden: the oracle needs them all
        frame["posterior"] = posterior_target(frame)
    if c.unknown_risk_factors > 0:
        # its own stream (child len(seeds)), so the cohorts and levels above do not change with it
        hide = np.random.default_rng(np.random.SeedSequence(c.seed).spawn(len(seeds) + 1)[-1])
        frame = hide_risk_factors(frame, c.unknown_risk_factors, hide, among=frame["scenario"].isin(c.unknown_in))
    return frame


def posterior_target(frame: pd.DataFrame) -> np.ndarray:
    """The oracle's exact probability of true deficiency for each row, given what the row shows.

    A training target with the same conditional mean as the true status (0 or 1) and far
    less noise: the simulator knows the posterior, so the boosting need not estimate it
    from coin flips. Where the true status is nearly certain, as with a full panel, the
    0/1 labels teach the trees little (a leaf of a thousand rows at 0.04% holds no event):
    fitted to them, the 2.0.0 candidates stopped near 0.35% where the oracle says 0.04%.

    Computed on the rows masked to their level but before risk factors are hidden
    (:func:`hide_risk_factors`): the oracle needs every risk factor, and the posterior given
    all of them averages, over the hidden ones, to the posterior given the rest, so the
    target stays unbiased for what the row shows.

    Parameters
    ----------
    frame : pandas.DataFrame
        Simulated rows, each masked to its information level, every risk factor present.

    Returns
    -------
    numpy.ndarray
        One probability per row.
    """
    from b12risk.simulation.oracle import oracle_probability

    return oracle_probability(frame)


def hide_risk_factors(
    frame: pd.DataFrame, share: float, rng: np.random.Generator, *, among: pd.Series | np.ndarray | None = None
) -> pd.DataFrame:
    """In a ``share`` of the rows, hide each risk factor but :data:`ALWAYS_KNOWN`
    independently with probability 1/2 (completely at random).

    Applications often do not know a patient's diet, surgery or conditions (NHANES records
    none of them); a model that never saw such a field missing sends it down the branch
    most training rows took, as if the patient had none of those causes, and under-predicts
    (the oracle's mean for simulated US adults falls from 5.0% to 2.8% when every cause NHANES
    does not record is set to "none"). Trained with rows like these, the trees learn what a
    missing field means on average.

    A rate drawn per row instead (uniform, so that rows with nearly every field unknown,
    as NHANES's are, are common) was tried for 2.0.0 and ranked NHANES adults worse: from
    risk factors, low B12 with raised MMA at AUROC 0.54 against 0.65 with the fixed 1/2
    (that candidate was also trained on the refitted world, whose oracle ranks these adults
    as the first world's did, 0.68 against 0.69), and with every optional field unknown it
    ranked older adults below younger ones.

    Parameters
    ----------
    frame : pandas.DataFrame
        Training rows (canonical columns).
    share : float
        Share of rows with hidden fields, in [0, 1].
    rng : numpy.random.Generator
        Source of the draws.
    among : boolean array, optional
        The rows that may have fields hidden (all by default). Training hides them only in
        the general population's rows: a missing field then reads as that population's mix,
        not as the mixture of clinics and high-burden regions the model is trained on.

    Returns
    -------
    pandas.DataFrame
        A copy with the hidden values missing (binary columns as float, NaN where hidden).
    """
    out = frame.copy()
    rows = rng.random(len(out)) < share
    if among is not None:
        rows &= np.asarray(among, dtype=bool)
    for f in features().values():
        if f.level != LEVELS[0] or f.name in ALWAYS_KNOWN or f.name not in out.columns:
            continue
        hide = rows & (rng.random(len(out)) < 0.5)
        col = out[f.name].astype(np.float64) if f.kind == "binary" else out[f.name]
        out[f.name] = col.mask(hide)
    return out


def mask_rows(frame: pd.DataFrame, level_index: np.ndarray) -> pd.DataFrame:
    """Mask each row to its own information level (``LEVELS[level_index[i]]``)."""
    out = frame.copy()
    for f in features().values():
        rank = LEVELS.index(f.level)
        hide = level_index < rank
        if hide.any():
            col = out[f.name].astype(np.float64) if f.kind == "binary" else out[f.name]
            out[f.name] = col.mask(hide)
    return out


def _evaluation_cohort(scenario: str, e: EvaluationConfig, *, seed: int) -> pd.DataFrame:
    """At least ``e.n`` rows and, up to ``e.max_n`` rows, enough for a precise calibration
    intercept at every information level.

    Two conditions, the larger count wins:

    - ``e.min_events`` of each outcome, the deficient in a low-prevalence scenario and
      the not deficient in a high-prevalence one;
    - ``e.min_information`` of Fisher information for the calibration intercept at each
      level: the sum over rows of ``p (1 - p)``, with ``p`` the oracle's exact posterior at
      that level. The intercept's standard error is ``1 / sqrt(information)``. With a full
      panel most rows are nearly certain either way and add almost nothing, so events
      alone overstate the precision: 2,500 events in a 26,000-row cohort gave about 580,
      a standard error of 0.04 against a gate tolerance of 0.1.
    """
    big = simulate(max(e.max_n, e.n), scenario=scenario, seed=seed, labs="survey")
    y = big["true_deficient"].to_numpy()
    k = max(int(np.searchsorted(np.cumsum(cls), e.min_events)) + 1 for cls in (y, ~y))
    if e.min_information > 0:
        from b12risk.simulation.oracle import oracle_probability

        for level in LEVELS:
            p = oracle_probability(big, level)
            k = max(k, int(np.searchsorted(np.cumsum(p * (1.0 - p)), e.min_information)) + 1)
    return big.iloc[: min(max(e.n, k), len(big))]
