"""Throughput of simulate() and of the oracle, and peak memory of a 10-million-row
``b12risk simulate`` run.

    python benchmarks/bench_cohort.py [--rows 10000000]
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

from _common import median_seconds, numpy_reference_rows_per_s, report
from b12risk import simulate
from b12risk.knowledge import LEVELS
from b12risk.simulation.oracle import oracle_probability


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000_000, help="rows for the CLI memory run (0 to skip)")
    args = parser.parse_args()

    ref = numpy_reference_rows_per_s()
    report("numpy reference (60 normals per row)", ref, "rows/s")
    n = 500_000
    for labs in ("clinical", "survey"):
        t = median_seconds(lambda labs=labs: simulate(n, seed=1, labs=labs), repeat=3)
        report(f"simulate({n:,}, labs={labs})", n / t, "rows/s", target=500_000, reference=ref)

    cohort = simulate(200_000, seed=2, labs="survey")
    oracle_probability(cohort.head(1000))
    for level in LEVELS:
        t = median_seconds(lambda level=level: oracle_probability(cohort, level), repeat=3)
        report(
            f"oracle_probability(level={level})",
            len(cohort) / t,
            "rows/s",
            target=100_000 if level == "full_panel" else None,
            reference=ref,
        )
    clinical = simulate(200_000, seed=3)
    t = median_seconds(lambda: oracle_probability(clinical), repeat=3)
    report("oracle_probability(clinical labs, as observed)", len(clinical) / t, "rows/s", reference=ref)

    if args.rows:
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "cohort.parquet"
            cmd = [
                sys.executable,
                "-m",
                "b12risk.cli",
                "simulate",
                "-n",
                str(args.rows),
                "--seed",
                "0",
                "--out",
                str(out),
                "-q",
            ]
            import time

            t = time.perf_counter()
            subprocess.run(cmd, check=True)
            elapsed = time.perf_counter() - t
            peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
            report(f"b12risk simulate -n {args.rows:,} (end to end)", args.rows / elapsed, "rows/s")
            print(
                f"{'  peak resident memory':<48} {peak_mb:>14,.0f} MB   target < 1,500 MB ({'met' if peak_mb < 1500 else 'NOT met'})"
            )
            print(f"{'  file size':<48} {out.stat().st_size / 1e6:>14,.0f} MB")


if __name__ == "__main__":
    main()
