"""Training time of our HistGradientBoosting pipeline against LightGBM on the same data,
measured in the same run (LightGBM is a benchmark-only extra: pip install -e '.[bench]').

    python benchmarks/bench_train.py [--rows 200000] [--trees 200]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from b12risk.knowledge.schema import to_model_frame
from b12risk.modelling.training import build_pipeline, load_config, training_cohort


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--trees", type=int, default=200)
    args = parser.parse_args()
    cfg = load_config()
    cfg = cfg.model_copy(update={"cohort": cfg.cohort.model_copy(update={"n": args.rows})})
    frame = training_cohort(cfg)
    X, y = to_model_frame(frame), frame["true_deficient"].to_numpy()
    params = cfg.model.model_copy(update={"max_iter": args.trees, "early_stopping": False})
    pipe = build_pipeline(params)
    Xt = pipe[:-1].fit_transform(X)

    def timed(fn, repeat=3):
        times = []
        for _ in range(repeat):
            t = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t)
        return float(np.median(times))

    hgb = pipe[-1]
    t_hgb = timed(lambda: hgb.fit(Xt, y))
    print(
        f"HistGradientBoostingClassifier: {args.trees} trees on {len(y):,} rows x {Xt.shape[1]} features: {t_hgb:.1f} s (median of 3)"
    )
    try:
        import lightgbm as lgb
    except ImportError:
        print("lightgbm is not installed: pip install -e '.[bench]' to compare")
        return
    m = cfg.model
    lg = lgb.LGBMClassifier(
        n_estimators=args.trees,
        learning_rate=m.learning_rate,
        num_leaves=m.max_leaf_nodes,
        min_child_samples=m.min_samples_leaf,
        reg_lambda=m.l2_regularization,
        max_bin=m.max_bins,
        verbose=-1,
        random_state=m.random_state,
    )
    t_lgb = timed(lambda: lg.fit(Xt, y))
    print(f"LightGBM {lgb.__version__}: same trees, leaves, rows: {t_lgb:.1f} s (median of 3)")
    print(f"ratio HGB / LightGBM training time: {t_hgb / t_lgb:.2f}")


if __name__ == "__main__":
    main()
