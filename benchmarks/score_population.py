"""``b12risk score --explain`` of a whole population, end to end: time and peak memory. Run by hand.

    python benchmarks/score_population.py                       # 10,000,000 rows (about half an hour)
    python benchmarks/score_population.py --rows 500000         # a smaller run, extrapolated and labelled so
    python benchmarks/score_population.py --cohort cohort.parquet

A simulated cohort is written to Parquet first (``write_cohort``, not timed) unless one
is given. Then the installed command runs in its own process exactly as a user would
type it, ``b12risk score COHORT --out SCORES.parquet --explain -q``, and this script
reports its wall-clock time (interpreter start and model loading included), rows per
second and the peak resident memory of that process (``getrusage`` of the child). Below
10 million rows, the time for 10 million is also printed, marked EXTRAPOLATED: it
assumes time grows linearly with rows (the input is read and scored in fixed-size
chunks), and it was not measured.

Not run by ``benchmarks/run.py``: it takes minutes and gigabytes of disk.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import machine_header
from b12risk.scale import DEFAULT_CHUNK_ROWS
from b12risk.simulation.cohort import write_cohort

POPULATION = 10_000_000


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=POPULATION)
    parser.add_argument("--cohort", type=Path, default=None, help="an existing Parquet cohort to score instead")
    parser.add_argument("--model", default=None)
    parser.add_argument("--chunk-rows", type=int, default=DEFAULT_CHUNK_ROWS)
    parser.add_argument("--workdir", type=Path, default=None, help="where to write (default: a temporary folder)")
    args = parser.parse_args()

    print(machine_header(), flush=True)
    with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
        cohort = args.cohort
        if cohort is None:
            cohort = Path(tmp) / "cohort.parquet"
            started = time.perf_counter()
            write_cohort(cohort, args.rows, seed=0, progress=False)
            print(f"cohort: {args.rows:,} rows written in {time.perf_counter() - started:,.0f} s (not timed below)")
        out = Path(tmp) / "scores.parquet"
        command = [sys.executable, "-m", "b12risk.cli", "score", str(cohort), "--out", str(out), "--explain", "-q"]
        command += ["--chunk-rows", str(args.chunk_rows)] + (["--model", args.model] if args.model else [])
        print("running: b12risk " + " ".join(command[3:]), flush=True)
        load_before = os.getloadavg()[0]
        started = time.perf_counter()
        res = subprocess.run(command, capture_output=True, text=True)
        wall = time.perf_counter() - started
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        if res.returncode not in (0, 1):
            print(res.stdout, res.stderr, sep="\n", file=sys.stderr)
            return res.returncode
        print(res.stdout.strip())
        import pyarrow.parquet as pq

        rows = pq.ParquetFile(cohort).metadata.num_rows  # rows in; a row failing validation is listed, not scored
        print(
            f"b12risk score --explain: {rows:,} rows in {wall:,.1f} s wall clock ({rows / wall:,.0f} rows/s), "
            f"peak resident memory {peak_mb:,.0f} MB; load average {load_before:.2f} before, "
            f"{os.getloadavg()[0]:.2f} after"
        )
        if rows < POPULATION:
            print(
                f"EXTRAPOLATED, not measured: {POPULATION:,} rows would take about "
                f"{wall * POPULATION / rows / 60:,.0f} min at this rate (linear in rows); memory stays per chunk"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
