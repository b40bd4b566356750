"""Population-scale scoring end to end from Parquet, against the raw model it wraps, and
the Dask path against the single process, all measured in the same run.

    python benchmarks/bench_scale.py [--rows 10000000] [--model VERSION] [--chunk-rows 100000] [--no-dask]

The cohort is written first with ``b12risk.simulation.cohort.write_cohort`` (not timed). Then, each
in its own subprocess:

- the raw model over the same file (read a batch, ``to_model_frame``, ``predict_proba``,
  nothing validated or written), on up to ``--raw-rows`` rows, just before and just
  after the next run;
- ``score_file`` on the whole file (read, validate, score, write the parts, combine
  them): rows/s from its own clock with the model loaded beforehand (the wall clock
  line includes loading and interpreter start), and the peak resident memory of that
  process (``getrusage``). Targets (issue 5): at least 0.8x the raw rate, and under
  1.5 GB at any size;
- ``score_with_dask`` on a running LocalCluster of 2 single-threaded worker processes,
  model loading and worker warm-up included: rows/s and the ratio to the single
  process's wall clock rate (reported, no target: on a 2-core machine both paths
  compete for the same cores).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from b12risk.simulation.cohort import write_cohort

SCORE = """
import json, resource, sys
from b12risk.serving.runtime import resolve as _resolve
from b12risk.scale import score_file
_resolve(sys.argv[3] or None)  # load the model first: its one-off cost is in the wall clock line only
s = score_file(sys.argv[1], sys.argv[2], model=sys.argv[3] or None, chunk_rows=int(sys.argv[4]), progress=False)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"rows": s.rows_in, "seconds": s.seconds, "peak_mb": peak}))
"""

RAW = """
import json, sys, time
import pyarrow.parquet as pq
from b12risk.serving.runtime import resolve as _resolve
from b12risk.knowledge.schema import to_model_frame
estimator = _resolve(sys.argv[2] or None).estimator
limit, chunk, done = int(sys.argv[3]), int(sys.argv[4]), 0
started = time.perf_counter()
for batch in pq.ParquetFile(sys.argv[1], pre_buffer=False).iter_batches(batch_size=chunk):
    estimator.predict_proba(to_model_frame(batch.to_pandas()))
    done += batch.num_rows
    if done >= limit:
        break
print(json.dumps({"rows": done, "seconds": time.perf_counter() - started}))
"""


def line(name: str, value: float, unit: str, note: str = "") -> None:
    print(f"{name:<48} {value:>14,.0f} {unit}{'   ' + note if note else ''}", flush=True)


def run(script: str, *argv: object) -> dict:
    res = subprocess.run([sys.executable, "-c", script, *map(str, argv)], check=True, capture_output=True, text=True)
    return json.loads(res.stdout)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000_000, help="rows to score (default %(default)s)")
    parser.add_argument("--model", default=None, help="model version or folder (default: latest)")
    parser.add_argument("--chunk-rows", type=int, default=100_000)
    parser.add_argument("--raw-rows", type=int, default=1_000_000, help="rows of each raw reference run")
    parser.add_argument("--no-dask", action="store_true", help="skip the Dask path")
    args = parser.parse_args()
    model = args.model or ""

    with tempfile.TemporaryDirectory() as tmp:
        cohort = Path(tmp) / "cohort.parquet"
        write_cohort(cohort, args.rows, seed=0, progress=False)
        print(f"cohort: {args.rows:,} rows, {cohort.stat().st_size / 1e6:,.0f} MB Parquet (write_cohort, not timed)")

        # The reference runs just before and just after ours, so that a change in the
        # load of a shared machine weighs on both alike.
        limit = min(args.raw_rows, args.rows)
        before = run(RAW, cohort, model, limit, args.chunk_rows)
        started = time.perf_counter()
        ours = run(SCORE, cohort, Path(tmp) / "scores.parquet", model, args.chunk_rows)
        wall = time.perf_counter() - started
        after = run(RAW, cohort, model, limit, args.chunk_rows)
        raw = (before["rows"] + after["rows"]) / (before["seconds"] + after["seconds"])
        rate = ours["rows"] / ours["seconds"]
        ratio = rate / raw
        line(f"raw predict_proba from Parquet ({limit:,} rows x 2)", raw, "rows/s")
        line(
            f"score_file {args.rows:,} rows (Parquet to Parquet)",
            rate,
            "rows/s",
            f"ratio to raw {ratio:5.3f}   target >= 0.8 ({'met' if ratio >= 0.8 else 'NOT met'})",
        )
        line("  same, wall clock incl. start and model loading", args.rows / wall, "rows/s")
        ok = "met" if ours["peak_mb"] < 1500 else "NOT met"
        line("  peak resident memory of the scoring process", ours["peak_mb"], "MB", f"target < 1,500 MB ({ok})")

        if not args.no_dask:
            from distributed import LocalCluster

            from b12risk.scale import score_with_dask

            with LocalCluster(
                n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0", silence_logs=40
            ) as cluster:
                started = time.perf_counter()
                result = score_with_dask(
                    cohort, Path(tmp) / "dask.parquet", scheduler=cluster.scheduler_address, model=args.model
                )
                seconds = time.perf_counter() - started
            dask_rate = result.rows_in / seconds
            line(
                "score_with_dask, LocalCluster 2 workers x 1 thread",
                dask_rate,
                "rows/s",
                f"ratio to score_file (wall clock) {dask_rate / (args.rows / wall):5.3f}",
            )


if __name__ == "__main__":
    main()
