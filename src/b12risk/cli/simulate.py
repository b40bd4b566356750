"""``b12risk simulate``: write a synthetic cohort to Parquet or CSV, in chunks."""

from __future__ import annotations

import argparse
from pathlib import Path

from b12risk.cli.arguments import non_negative_int, positive_int
from b12risk.knowledge import load
from b12risk.simulation.cohort import write_cohort

__all__ = ["add_parser", "cmd_simulate"]


def cmd_simulate(args: argparse.Namespace) -> int:
    """Write the cohort the arguments describe and say how many rows went where.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed ``simulate`` arguments.

    Returns
    -------
    int
        The exit status, 0.
    """
    rows = write_cohort(
        args.out, args.n, scenario=args.scenario, seed=args.seed, labs=args.labs, progress=not args.quiet
    )
    print(f"wrote {rows:,} rows ({args.scenario}, seed {args.seed}, labs={args.labs}) to {args.out}")
    return 0


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Add the ``simulate`` subcommand; its scenario choices are read from the seeds.

    Parameters
    ----------
    sub : argparse._SubParsersAction
        The ``b12risk`` parser's subcommands.

    Raises
    ------
    KnowledgeError
        If the seeds cannot be read.
    """
    p = sub.add_parser("simulate", help="write a synthetic cohort to Parquet or CSV, in chunks")
    p.add_argument(
        "--scenario",
        default="us_uk",
        choices=sorted(load().scenarios),
        metavar="SCENARIO",
        help="population (%(choices)s); default %(default)s",
    )
    p.add_argument("-n", type=positive_int, required=True, help="number of patients (>= 1)")
    p.add_argument("--seed", type=non_negative_int, default=0, help="seed (>= 0); default %(default)s")
    p.add_argument(
        "--labs",
        choices=("clinical", "survey"),
        default="clinical",
        help="clinical: labs only where ordered (NaN otherwise); survey: every lab",
    )
    p.add_argument("--out", type=Path, required=True, help="output file, .parquet or .csv")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_simulate)
