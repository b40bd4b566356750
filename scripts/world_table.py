"""Real vs simulated us_uk adults on every declared NHANES target, and how separable true
deficiency is in the simulated world: the table the issue notes and the README quote.

    python scripts/world_table.py [--before cohort.parquet]

``--before`` adds a column measured on another simulated cohort of adults (for example one
written by an older b12risk), so a change of the world shows as numbers.
"""

from __future__ import annotations

import argparse

import pandas as pd

from b12risk.knowledge import load
from b12risk.nhanes.adapter import load_adults
from b12risk.nhanes.calibrate import SEPARABILITY_RANGES, separability, simulated_moments
from b12risk.nhanes.targets import TARGETS, compare, measure, pooled_weights


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", default=None, help="a parquet of simulated adults to show beside")
    args = parser.parse_args()
    real = load_adults()
    table = compare(measure(real, pooled_weights(real)), simulated_moments(load(), n=200_000, seed=31))
    if args.before:
        before = measure(pd.read_parquet(args.before))
        table.insert(2, "before", [before[name] for name in TARGETS])
    with pd.option_context("display.width", 200, "display.max_columns", 10, "display.precision", 4):
        print(table.to_string(index=False))
    s = separability(n=150_000, seed=20261299)
    print()
    for key, value in s.items():
        low, high = SEPARABILITY_RANGES.get(key, (float("nan"), float("nan")))
        print(f"{key:<28} {value:.3f}   published {low:.2f}-{high:.2f}")


if __name__ == "__main__":
    main()
