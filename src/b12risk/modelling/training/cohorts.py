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

__all__ = ["mask_rows", "training_cohort"]


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
    return mask_rows(frame, level)


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
    """At least ``e.n`` rows and, up to ``e.max_n`` rows, at least ``e.min_events``
    deficient ones: calibration estimates in low-prevalence scenarios need events."""
    big = simulate(max(e.max_n, e.n), scenario=scenario, seed=seed, labs="survey")
    events = np.cumsum(big["true_deficient"].to_numpy())
    k = int(np.searchsorted(events, e.min_events)) + 1
    return big.iloc[: min(max(e.n, k), len(big))]
