"""predict() against the raw model it wraps, each figure interleaved with its reference in the same run.

    python benchmarks/bench_predict.py [--model VERSION] [--rounds 7] [--max-spread 0.25]

The references are what a user of the raw model would call: scikit-learn's
``predict_proba`` on the model's input frame, and shap's ``TreeExplainer`` (exact,
tree-path-dependent) on the preprocessed matrix, preprocessing included. scikit-learn
evaluates the trees on every core with OpenMP, which a busy machine slows down badly, so
``predict_proba`` is also timed on one OpenMP thread and each round's reference is the
faster of the two: a busy machine cannot flatter the ratios. Each round
times every case of a figure in turn; a ratio is taken within each round and its median
over rounds printed with its quartiles and spread (IQR / median). A spread above
``--max-spread`` ends the run with exit status 3: the machine was too busy for the ratio
to mean anything. A target not met ends it with status 1.

Targets (issue 16), each a ratio to the raw references of the same run:

- one explained patient: at most 0.3x raw predict_proba + raw TreeSHAP;
- one patient without explanation: at most 0.3x raw predict_proba;
- a batch of 100,000 without explanation: at least 1.5x raw predict_proba's rows/s;
- an explained batch: at least 10x raw TreeSHAP's rows/s.

The one-off cost of compiling the trees' loops (numba) is measured apart, in fresh
processes, with numba's on-disk cache empty and then filled.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile

from _common import SpreadTooWide, interleaved, machine_header, ratio_line, times_line
from b12risk import simulate
from b12risk.knowledge.schema import to_model_frame, truth_columns
from b12risk.serving.explain import _parts
from b12risk.serving.predict import predict
from b12risk.serving.runtime import resolve
from b12risk.validation import validate

PATIENT = {
    "age": 71, "sex": "female", "diet": "vegan", "ppi_years": 6, "ppi_pills_per_day": 1,
    "serum_b12_pg_ml": 260, "paresthesia": True, "mma_umol_l": 0.41,
}  # fmt: skip

COLD = """
import json, sys, time
t0 = time.perf_counter()
from b12risk.serving.predict import predict
from b12risk.serving.runtime import resolve
resolve(sys.argv[1] or None)
t1 = time.perf_counter()
predict(json.loads(sys.argv[2]), model=sys.argv[1] or None)
t2 = time.perf_counter()
predict(json.loads(sys.argv[2]), model=sys.argv[1] or None)
t3 = time.perf_counter()
print(json.dumps({"import_and_load": t1 - t0, "first": t2 - t1, "second": t3 - t2}))
"""


def cold_start(model: str | None) -> None:
    """First explained patient in a fresh process: numba's cache empty, then filled."""
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "NUMBA_CACHE_DIR": cache}
        for label in ("cache empty (compiles)", "cache filled (loads)"):
            res = subprocess.run(
                [sys.executable, "-c", COLD, model or "", json.dumps(PATIENT)],
                env=env, capture_output=True, text=True, timeout=600, check=True,
            )  # fmt: skip
            t = json.loads(res.stdout)
            print(
                f"    {label:<44} first predict() {t['first']:6.2f} s, the next {t['second'] * 1e3:.1f} ms "
                f"(import and model load {t['import_and_load']:.2f} s)",
                flush=True,
            )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default=None)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--max-spread", type=float, default=0.25)
    parser.add_argument("--batch-rows", type=int, default=100_000)
    parser.add_argument("--explained-rows", type=int, default=20_000)
    parser.add_argument("--shap-rows", type=int, default=1_000, help="rows for the raw TreeSHAP reference (slow)")
    parser.add_argument("--no-cold", action="store_true", help="skip the cold-start measurement")
    args = parser.parse_args()

    import shap  # the reference only (bench extra)
    from threadpoolctl import ThreadpoolController

    runtime = resolve(args.model)
    est = runtime.estimator
    controller = ThreadpoolController()

    def one_thread(fn):
        def call():
            with controller.limit(limits=1, user_api="openmp"):
                return fn()

        return call

    pipe, calib = _parts(est)
    explainer = shap.TreeExplainer(pipe[-1])
    print(machine_header())
    print(
        f"model {runtime.version}: {pipe[-1].n_iter_} trees, {len(pipe[:-1].get_feature_names_out())} columns, "
        f"{'recalibrated per level' if calib is not None else 'no recalibration'}; "
        f"{args.rounds} rounds, max spread {args.max_spread:.0%}",
        flush=True,
    )
    failed: list[str] = []

    def judge(name: str, ratios: list[float], target: str, met, detail: str = "") -> None:
        if not ratio_line(name, ratios, target=target, met=met, max_spread=args.max_spread, detail=detail):
            failed.append(name)

    one = to_model_frame(validate(PATIENT).frame)
    print("one patient (median of 50 calls per round):")
    t = interleaved(
        {
            "predict(dict)": lambda: predict(PATIENT, model=args.model),
            "predict(dict, explain=False)": lambda: predict(PATIENT, model=args.model, explain=False),
            "raw predict_proba": lambda: est.predict_proba(one),
            "raw predict_proba, 1 OpenMP thread": one_thread(lambda: est.predict_proba(one)),
            "raw TreeSHAP (with preprocessing)": lambda: explainer.shap_values(
                pipe[:-1].transform(one), check_additivity=False
            ),
        },
        rounds=args.rounds,
        repeat=50,
        warmup=20,
    )
    for name, seconds in t.items():
        times_line(name, seconds)
    raw_pp = [min(a, b) for a, b in zip(t["raw predict_proba"], t["raw predict_proba, 1 OpenMP thread"], strict=True)]
    raw_shap = t["raw TreeSHAP (with preprocessing)"]
    judge(
        "explained / (raw predict_proba + TreeSHAP)",
        [a / (b + c) for a, b, c in zip(t["predict(dict)"], raw_pp, raw_shap, strict=True)],
        "<= 0.3",
        lambda r: r <= 0.3,
    )
    judge(
        "not explained / raw predict_proba",
        [a / b for a, b in zip(t["predict(dict, explain=False)"], raw_pp, strict=True)],
        "<= 0.3",
        lambda r: r <= 0.3,
    )

    batch = simulate(args.batch_rows, seed=1).drop(columns=list(truth_columns()))
    X = to_model_frame(batch)
    n = len(batch)
    print(f"batch of {n:,}, no explanation (one call per round):")
    t = interleaved(
        {
            "predict(frame, explain=False)": lambda: predict(batch, model=args.model, explain=False),
            "raw predict_proba": lambda: est.predict_proba(X),
            "raw predict_proba, 1 OpenMP thread": one_thread(lambda: est.predict_proba(X)),
        },
        rounds=args.rounds,
        repeat=1,
    )
    for name, seconds in t.items():
        times_line(name, seconds, rows=n)
    raw_batch = [
        min(a, b) for a, b in zip(t["raw predict_proba"], t["raw predict_proba, 1 OpenMP thread"], strict=True)
    ]
    judge(
        "rows/s over raw predict_proba's",
        [b / a for a, b in zip(t["predict(frame, explain=False)"], raw_batch, strict=True)],
        ">= 1.5",
        lambda r: r >= 1.5,
    )

    ours, raw = batch.iloc[: args.explained_rows], X.iloc[: args.shap_rows]
    print(f"explained batch: predict() on {len(ours):,} rows, raw TreeSHAP on {len(raw):,} (one call each per round):")
    t = interleaved(
        {
            "predict(frame)": lambda: predict(ours, model=args.model),
            "raw TreeSHAP (with preprocessing)": lambda: explainer.shap_values(
                pipe[:-1].transform(raw), check_additivity=False
            ),
        },
        rounds=args.rounds,
        repeat=1,
    )
    times_line("predict(frame)", t["predict(frame)"], rows=len(ours))
    times_line("raw TreeSHAP (with preprocessing)", t["raw TreeSHAP (with preprocessing)"], rows=len(raw))
    judge(
        "rows/s over raw TreeSHAP's",
        [(len(ours) / a) / (len(raw) / b) for a, b in zip(*t.values(), strict=True)],
        ">= 10",
        lambda r: r >= 10,
    )

    if not args.no_cold:
        print("cold start (fresh processes, not a ratio):")
        cold_start(args.model)
    print(machine_header().splitlines()[0].replace("machine:", "after:   "))
    if failed:
        print(f"targets NOT met: {'; '.join(failed)}", file=sys.stderr)
        return 1
    print("every target met")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except SpreadTooWide as exc:
        print(f"SPREAD TOO WIDE: {exc.message}", file=sys.stderr)
        sys.exit(exc.code)
