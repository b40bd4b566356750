"""predict() against the raw model it wraps, measured in the same run.

    python benchmarks/bench_predict.py [--model VERSION]

Targets (issue 4): one explained patient at most 1.2x raw predict_proba + raw TreeSHAP;
batch predict without explanations at least 0.9x raw predict_proba throughput; batch
with explanations at least 0.9x raw TreeSHAP throughput.
"""

from __future__ import annotations

import argparse

from _common import median_seconds
from b12risk import simulate
from b12risk.knowledge.schema import to_model_frame
from b12risk.serving.explain import _explainer, _parts
from b12risk.serving.predict import predict
from b12risk.serving.runtime import resolve as _resolve

PATIENT = {
    "age": 71, "sex": "female", "diet": "vegan", "ppi_years": 6, "ppi_pills_per_day": 1,
    "serum_b12_pg_ml": 260, "paresthesia": True, "mma_umol_l": 0.41,
}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default=None)
    args = parser.parse_args()
    runtime = _resolve(args.model)
    est = runtime.estimator
    pipe, _ = _parts(est)
    explainer = _explainer(pipe)
    print(f"model {runtime.version}: {pipe[-1].n_iter_} trees, {len(pipe[:-1].get_feature_names_out())} features")

    from b12risk.validation import validate

    one = to_model_frame(validate(PATIENT).frame)
    raw_pp = median_seconds(lambda: est.predict_proba(one), repeat=200, warmup=20)
    raw_shap = median_seconds(
        lambda: explainer.shap_values(pipe[:-1].transform(one), check_additivity=False), repeat=200, warmup=20
    )
    ours = median_seconds(lambda: predict(PATIENT, model=args.model), repeat=200, warmup=20)
    ours_fast = median_seconds(lambda: predict(PATIENT, model=args.model, explain=False), repeat=200, warmup=20)
    print(f"one patient: raw predict_proba {raw_pp * 1e3:.2f} ms, raw TreeSHAP {raw_shap * 1e3:.2f} ms")
    print(
        f"  predict(dict)              {ours * 1e3:.2f} ms   ratio to raw sum {ours / (raw_pp + raw_shap):.2f} (target <= 1.2)"
    )
    print(
        f"  predict(dict, explain=False) {ours_fast * 1e3:.2f} ms   ratio to raw predict_proba {ours_fast / raw_pp:.2f}"
    )

    batch = simulate(100_000, seed=1).drop(columns=["true_b12_pmol_l", "true_deficient", "true_severity"])
    X = to_model_frame(batch)
    raw = median_seconds(lambda: est.predict_proba(X), repeat=3)
    fast = median_seconds(lambda: predict(batch, model=args.model, explain=False), repeat=3)
    print(
        f"batch 100,000: raw predict_proba {len(X) / raw:,.0f} rows/s; predict(explain=False) {len(X) / fast:,.0f} rows/s"
        f"   ratio {raw / fast:.2f} (target >= 0.9)"
    )

    small = batch.iloc[:5000]
    Xs = to_model_frame(small)
    raw_s = median_seconds(lambda: explainer.shap_values(pipe[:-1].transform(Xs), check_additivity=False), repeat=3)
    ours_s = median_seconds(lambda: predict(small, model=args.model), repeat=3)
    print(
        f"batch 5,000 explained: raw TreeSHAP {len(Xs) / raw_s:,.0f} rows/s; predict() {len(Xs) / ours_s:,.0f} rows/s"
        f"   ratio {raw_s / ours_s:.2f} (target >= 0.9)"
    )


if __name__ == "__main__":
    main()
