"""The compiled trees (numba) against treelite's in-process evaluator (GTIL) on the same model, interleaved.

    pip install treelite        # not a b12risk dependency: only this comparison needs it
    python benchmarks/bench_treelite.py [--model VERSION] [--rounds 7]

Why this exists: issue 16 asks for a measured choice between compiling the trees with
numba (which shap already brings) and a maintained tree compiler. treelite imports a
scikit-learn HistGradientBoostingClassifier and predicts with GTIL without a C
compiler; its code generator (TL2cgen) needs a C toolchain at run time, which b12risk
does not assume. treelite computes no SHAP values, so the explanation would need our
own compiled loops either way. Both are checked against scikit-learn before timing.
"""

from __future__ import annotations

import argparse
import sys

import numpy as np

from _common import SpreadTooWide, interleaved, machine_header, ratio_line, times_line
from b12risk import simulate
from b12risk.knowledge.schema import to_model_frame, truth_columns
from b12risk.serving.explain import _parts
from b12risk.serving.forest import forest_for
from b12risk.serving.runtime import resolve
from b12risk.serving.trees import raw_predict


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default=None)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--max-spread", type=float, default=0.25)
    args = parser.parse_args()
    try:
        import treelite
        import treelite.gtil
    except ImportError:
        print("treelite is not installed (pip install treelite): nothing to compare", file=sys.stderr)
        return 0

    print(machine_header())
    pipe, _ = _parts(resolve(args.model).estimator)
    hgb = pipe[-1]
    tl = treelite.sklearn.import_model(hgb)
    forest = forest_for(hgb)
    frame = simulate(args.rows, seed=3).drop(columns=list(truth_columns()))
    Xt = np.ascontiguousarray(pipe[:-1].transform(to_model_frame(frame)))
    one = Xt[:1]
    expected = hgb.decision_function(Xt)
    gtil = np.asarray(treelite.gtil.predict(tl, Xt, pred_margin=True, nthread=2), dtype=np.float64).reshape(-1)
    print(
        f"treelite {treelite.__version__}: GTIL log-odds differ from scikit-learn's by at most "
        f"{np.abs(gtil - expected).max():.2e}; the compiled trees by {np.abs(raw_predict(forest, Xt) - expected).max():.2e}"
    )
    print("one row (median of 200 calls per round):")
    t = interleaved(
        {
            "numba, 1 thread": lambda: raw_predict(forest, one),
            "treelite GTIL, 1 thread": lambda: treelite.gtil.predict(tl, one, pred_margin=True, nthread=1),
        },
        rounds=args.rounds,
        repeat=200,
        warmup=20,
    )
    for name, seconds in t.items():
        times_line(name, seconds)
    ratio_line(
        "numba time / treelite time, one row",
        [a / b for a, b in zip(*t.values(), strict=True)],
        target="reported",
        met=lambda r: True,
        max_spread=args.max_spread,
    )
    print(f"{len(Xt):,} rows (one call per round):")
    t = interleaved(
        {
            "numba, 2 threads": lambda: raw_predict(forest, Xt, threads=2),
            "treelite GTIL, 2 threads": lambda: treelite.gtil.predict(tl, Xt, pred_margin=True, nthread=2),
            "numba, 1 thread": lambda: raw_predict(forest, Xt, threads=1),
            "treelite GTIL, 1 thread": lambda: treelite.gtil.predict(tl, Xt, pred_margin=True, nthread=1),
        },
        rounds=args.rounds,
        repeat=1,
    )
    for name, seconds in t.items():
        times_line(name, seconds, rows=len(Xt))
    for threads in (1, 2):
        label = f"{threads} thread{'s' if threads > 1 else ''}"
        ratio_line(
            f"numba rows/s / treelite rows/s, {label}",
            [b / a for a, b in zip(t[f"numba, {label}"], t[f"treelite GTIL, {label}"], strict=True)],
            target="reported",
            met=lambda r: True,
            max_spread=args.max_spread,
        )
    print(machine_header().splitlines()[0].replace("machine:", "after:   "))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except SpreadTooWide as exc:
        print(f"SPREAD TOO WIDE: {exc.message}", file=sys.stderr)
        sys.exit(exc.code)
