"""Fitting the model: the pipeline (ordinal codes, then gradient boosting), and the check
of its calibration per group on a fresh cohort, corrected only where it is clearly off.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import pandas as pd

from b12risk.knowledge.schema import features, monotone_directions, to_model_frame
from b12risk.logodds import logit
from b12risk.modelling.training.cohorts import training_cohort
from b12risk.modelling.training.config import ModelParams, TrainConfig
from b12risk.modelling.training.progress import fit_with_progress

__all__ = ["build_pipeline"]


def build_pipeline(params: ModelParams):
    """The model: ordinal codes for categories, then gradient boosting on numbers.

    The boosting is monotone where the knowledge base says medicine is
    (:func:`b12risk.knowledge.schema.monotone_directions`): its ``monotonic_cst`` lists each
    column's direction in the order the preprocessing outputs them (categories first).

    Parameters
    ----------
    params : ModelParams
        The boosting's hyperparameters (the ``[model]`` section of the training config).

    Returns
    -------
    sklearn.pipeline.Pipeline
        Unfitted: ``prep`` (a ColumnTransformer) then ``hgb`` (HistGradientBoostingClassifier).
    """
    # scikit-learn is heavy: it loads when a model is built, not on ``import b12risk``
    from sklearn.compose import ColumnTransformer
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OrdinalEncoder

    feats = features()
    cat = [f.name for f in feats.values() if f.kind == "categorical"]
    num = [f.name for f in feats.values() if f.kind != "categorical"]
    prep = ColumnTransformer(
        [
            (
                "cat",
                OrdinalEncoder(
                    categories=[list(feats[c].categories) for c in cat],
                    handle_unknown="use_encoded_value",
                    unknown_value=np.nan,
                    encoded_missing_value=np.nan,
                ),
                cat,
            ),
            ("num", "passthrough", num),
        ],
        verbose_feature_names_out=False,
    )
    directions = monotone_directions()
    # the ColumnTransformer outputs its blocks in order (get_feature_names_out() == cat + num)
    cst = [directions[c] for c in [*cat, *num]]
    hgb = HistGradientBoostingClassifier(categorical_features=None, monotonic_cst=cst, **params.model_dump())
    return Pipeline([("prep", prep), ("hgb", hgb)])


def _calibration_check(y: np.ndarray, p: np.ndarray) -> dict[str, float]:
    """Calibration intercept and slope with their standard errors (statsmodels GLMs)."""
    import statsmodels.api as sm  # heavy: loaded when a model is fitted

    z = logit(p, clip=1e-12)
    fam = sm.families.Binomial()
    icpt = sm.GLM(y.astype(float), np.ones((len(z), 1)), family=fam, offset=z).fit()
    slope = sm.GLM(y.astype(float), sm.add_constant(z), family=fam).fit()
    return {
        "intercept": float(icpt.params[0]),
        "intercept_se": float(icpt.bse[0]),
        "slope": float(slope.params[1]),
        "slope_se": float(slope.bse[1]),
    }


def _fit(cfg: TrainConfig, frame: pd.DataFrame, *, progress: bool) -> tuple[Any, dict[str, Any]]:
    """Fit the pipeline on the training cohort, check calibration per group (information
    level, and level x ``[calibration] by`` where set) on a fresh simulated calibration
    cohort, and correct it (Platt scaling of the log-odds, per group) only where it is off
    by more than the tolerance and by more than two standard errors."""
    # imports scikit-learn: loaded when a model is fitted, not on ``import b12risk``
    from b12risk.modelling.calibration import GROUPS, LevelCalibratedClassifier, calibration_group

    X, y = to_model_frame(frame), frame["true_deficient"].to_numpy()
    weight = None
    if cfg.cohort.target == "posterior":
        # each row twice, deficient with weight p and not with weight 1 - p: the weighted log
        # loss is the cross-entropy against the oracle's posterior p
        post = frame["posterior"].to_numpy(dtype=np.float64)
        X = pd.concat([X, X], ignore_index=True)
        y = np.concatenate([np.ones(len(post), dtype=bool), np.zeros(len(post), dtype=bool)])
        weight = np.concatenate([post, 1.0 - post])
    pipe = build_pipeline(cfg.model)
    t0 = time.perf_counter()
    if progress:
        twice = " (each twice, weighted by the oracle's posterior)" if weight is not None else ""
        print(f"fitting gradient boosting on {len(frame):,} rows{twice} ...", flush=True)
    fit_with_progress(pipe, X, y, progress=progress, sample_weight=weight)  # iterations and validation loss
    seconds = time.perf_counter() - t0
    tol = cfg.calibration
    cal_cfg = cfg.model_copy(
        update={"cohort": cfg.cohort.model_copy(update={"n": tol.rows, "seed": cfg.cohort.seed + 1, "target": "truth"})}
    )
    cal = training_cohort(cal_cfg)
    Xc, yc = to_model_frame(cal), cal["true_deficient"].to_numpy()
    p = pipe.predict_proba(Xc)[:, 1]
    by = tol.by
    group = calibration_group(Xc)
    split = calibration_group(Xc, by) if by else None
    info: dict[str, Any] = {
        "fit_seconds": round(seconds, 1),
        "n_iter": int(pipe[-1].n_iter_),
        "train_rows": len(frame),
        "calibration_rows": len(Xc),
        "calibration_seed": cal_cfg.cohort.seed,
        "calibration": {},
    }
    off = []
    keys = [*GROUPS, *(sorted(set(split)) if split is not None else [])]
    for g in keys:
        sel = (group if "/" not in g else split) == g
        if sel.sum() < 200 or yc[sel].all() or not yc[sel].any():
            continue
        c = _calibration_check(yc[sel], p[sel])
        info["calibration"][g] = {"rows": int(sel.sum()), **{k: round(v, 4) for k, v in c.items()}}
        slope_off = abs(c["slope"] - 1) > max(tol.slope_tolerance, 2 * c["slope_se"])
        icpt_off = abs(c["intercept"]) > max(tol.intercept_tolerance, 2 * c["intercept_se"])
        if slope_off or icpt_off:
            off.append(g)
    info["corrected_levels"] = off
    if not off:
        return pipe, info
    model = LevelCalibratedClassifier(pipe, levels=tuple(off), by=by).fit(Xc, yc)
    info["correction"] = {g: [round(a, 4), round(b, 4)] for g, (a, b) in model.coef_.items() if g in off}
    return model, info
