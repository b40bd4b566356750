"""The evaluation of a trained model on fresh simulated cohorts, one per scenario, each
masked to every information level: the model and every other scorer of the training
evaluation, as the scorer table (``b12risk/modelling/scorers.toml``) lists them.

A new rules-based baseline needs no change here: its table entry (with the ``training``
role) and :func:`b12risk.modelling.baselines.fit_baselines` bring it in.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from b12risk.knowledge import LEVELS
from b12risk.knowledge.schema import mask_to_level, to_model_frame

# metrics.bootstrap_ci and the others are looked up on the package when called, so that
# a wrapper set there (tests/registry/test_faults.py stops a run inside one) takes effect
from b12risk.modelling import metrics, scorers
from b12risk.modelling.training.cohorts import _evaluation_cohort
from b12risk.modelling.training.config import TrainConfig
from b12risk.simulation.oracle import oracle_probability

__all__ = ["cell_scores", "evaluate"]

#: How each training scorer that is not a rules-based baseline scores a cell's rows:
#: ``(model, frame) -> P(deficient)``.
SCORE: dict[str, Callable[[Any, pd.DataFrame], np.ndarray]] = {
    "model": lambda model, frame: model.predict_proba(to_model_frame(frame))[:, 1],
    "oracle": lambda model, frame: oracle_probability(frame),
}


def _baselines_at(level: str) -> list[str]:
    """The rules-based baselines of the training evaluation compared at ``level``, in table order."""
    table = scorers.SCORERS
    return [n for n in scorers.TRAINING_SCORERS if table[n].is_baseline and level in table[n].levels]


def cell_scores(
    model: Any, baselines: dict[str, Any], frame: pd.DataFrame, level: str
) -> dict[str, np.ndarray | tuple[np.ndarray, np.ndarray]]:
    """Every training scorer's predictions for the rows of one scenario x level cell.

    Parameters
    ----------
    model : classifier
        The trained model (``predict_proba`` of the model frame).
    baselines : dict
        Fitted rules-based baselines by name (:func:`b12risk.modelling.baselines.fit_baselines`).
    frame : pandas.DataFrame
        The cell's cohort, masked to ``level``, with its truth columns.
    level : str
        The information level of the cell.

    Returns
    -------
    dict
        In the order of :data:`b12risk.modelling.scorers.TRAINING_SCORERS`: the
        probability of deficiency for the model and the oracle, and for each baseline
        compared at ``level`` that applies to every row, ``(probability, decision score)``.
        A baseline that does not apply to some row is left out.

    Raises
    ------
    KeyError
        If a baseline compared at ``level`` is missing from ``baselines``.
    """
    compared = set(_baselines_at(level))
    out: dict[str, np.ndarray | tuple[np.ndarray, np.ndarray]] = {}
    for name in scorers.TRAINING_SCORERS:
        if not scorers.SCORERS[name].is_baseline:
            out[name] = SCORE[name](model, frame)
        elif name in compared:
            est = baselines[name]
            if est.applies(frame).all():
                out[name] = (est.predict_proba(frame)[:, 1], est.decision_function(frame))
    return out


def evaluate(
    model: Any, baselines: dict[str, Any], cfg: TrainConfig, *, progress: bool = False
) -> dict[str, pd.DataFrame]:
    """Score fresh cohorts (scenario x level) with the model, the oracle and the baselines.

    Parameters
    ----------
    model : classifier
        The trained model.
    baselines : dict
        Fitted rules-based baselines by name (:func:`b12risk.modelling.baselines.fit_baselines`).
    cfg : TrainConfig
        Its ``evaluation`` section sets the cohorts, the bootstrap and the threshold.
    progress : bool
        Show progress bars.

    Returns
    -------
    dict of pandas.DataFrame
        Tidy tables: ``metrics`` (scenario, level, scorer, metric, estimate, lo, hi; the
        scorers of :func:`cell_scores` in their order), ``subgroups`` (the model per
        subgroup on the cohorts pooled over scenarios, by ``info_level``) and ``curves``
        (a seeded subsample of each cell: ``y`` and each scorer's ``_p``, and ``_score``
        for the baselines).
    """
    e = cfg.evaluation
    rows, pooled, curves = [], {lv: [] for lv in LEVELS}, []
    scen = cfg.eval_scenarios()
    cells = [(i, s, lv) for i, s in enumerate(scen) for lv in LEVELS]
    cohorts: dict[str, pd.DataFrame] = {}
    for i, s, level in tqdm(cells, desc="evaluate scenario x level", disable=not progress):
        if s not in cohorts:
            cohorts[s] = _evaluation_cohort(s, e, seed=e.seed + i)
        frame = mask_to_level(cohorts[s], level)
        y = frame["true_deficient"].to_numpy()
        scores = cell_scores(model, baselines, frame, level)
        for name, sc in scores.items():
            p, score = (sc, None) if not isinstance(sc, tuple) else sc
            point = metrics.summary(y, p, threshold=e.threshold, score=score)
            ci = metrics.bootstrap_ci(y, p, threshold=e.threshold, score=score, n_boot=e.n_boot, seed=e.seed + i)
            for metric, value in point.items():
                lo, hi = ci.get(metric, (np.nan, np.nan))
                rows.append((s, level, name, metric, value, lo, hi))
        pooled[level].append(frame.assign(_p=scores["model"]))
        keep = np.random.default_rng(e.seed + i).permutation(len(frame))[: e.curve_rows]
        curve = pd.DataFrame({"scenario": s, "level": level, "y": y[keep]})
        for name, sc in scores.items():
            p, score = (sc, None) if not isinstance(sc, tuple) else sc
            curve[f"{name}_p"] = p[keep]
            if score is not None:
                curve[f"{name}_score"] = score[keep]
        curves.append(curve)
    table = pd.DataFrame(rows, columns=["scenario", "level", "scorer", "metric", "estimate", "lo", "hi"])

    sub_rows = []
    for level in tqdm(LEVELS, desc="subgroups", disable=not progress):
        df = pd.concat(pooled[level], ignore_index=True)
        if len(df) > e.subgroup_rows:  # a fixed, seeded subsample keeps the bootstrap affordable
            df = df.sample(n=e.subgroup_rows, random_state=e.seed).reset_index(drop=True)
        groups = {
            "age_band": pd.cut(
                df["age"], [17, 40, 60, 75, 200], labels=["18-39", "40-59", "60-74", "75+"], right=False
            ).astype(str),
            "sex": df["sex"].astype(str),
            "pregnant": np.where(df["pregnant"].astype(float) > 0.5, "yes", "no"),
            "diet": df["diet"].astype(str),
            "region": df["region"].astype(str),
        }
        st = metrics.subgroup_table(
            df["true_deficient"].to_numpy(),
            df["_p"].to_numpy(),
            groups,
            threshold=e.threshold,
            n_boot=e.n_boot,
            seed=e.seed,
        )
        st.insert(0, "info_level", level)
        sub_rows.append(st)
    return {
        "metrics": table,
        "subgroups": pd.concat(sub_rows, ignore_index=True),
        "curves": pd.concat(curves, ignore_index=True),
    }


def _summary(table: pd.DataFrame) -> dict[str, Any]:
    """Per level: mean over scenarios of model, oracle and best-baseline AUROC and calibration."""
    out = {}
    for level in LEVELS:
        t = table[(table.level == level) & (table.metric.isin(["auroc", "cal_slope", "cal_intercept"]))]
        piv = t.groupby(["scorer", "metric"]).estimate.mean()
        bases = {n: piv.get((n, "auroc")) for n in _baselines_at(level) if (n, "auroc") in piv}
        best = max(bases, key=lambda n: bases[n]) if bases else None
        out[level] = {
            "model_auroc": round(float(piv[("model", "auroc")]), 4),
            "oracle_auroc": round(float(piv[("oracle", "auroc")]), 4),
            "best_baseline": best,
            "best_baseline_auroc": round(float(bases[best]), 4) if best else None,
            "model_cal_slope": round(float(piv[("model", "cal_slope")]), 3),
            "model_cal_intercept": round(float(piv[("model", "cal_intercept")]), 3),
        }
    return out
