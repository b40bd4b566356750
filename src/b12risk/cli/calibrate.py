"""``b12risk calibrate --nhanes``: refit the us_uk world's free parameters to real adults."""

from __future__ import annotations

import argparse
from pathlib import Path

from b12risk.cli.arguments import non_negative_int, positive_int

__all__ = ["add_parser", "cmd_calibrate"]


def cmd_calibrate(args: argparse.Namespace) -> int:
    """Fit the world to the NHANES cycles, print real vs simulated, and with ``--write``
    put the fitted values into the seeds.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed ``calibrate`` arguments.

    Returns
    -------
    int
        The exit status: 0, or 1 when a declared target is still missed after the fit.
    """
    import pandas as pd

    from b12risk.knowledge.write import write_overrides
    from b12risk.nhanes.adapter import load_adults
    from b12risk.nhanes.calibrate import fit
    from b12risk.nhanes.targets import compare

    real = load_adults(cycles=args.cycles, directory=args.data)
    result = fit(
        real,
        n=args.n,
        seed=args.seed,
        max_evaluations=args.max_evaluations,
        stages=args.stages,
        hold=args.hold,
        progress=print,
    )
    before = compare(result.real, result.before).rename(columns={"simulated": "before", "within": "within before"})
    after = compare(result.real, result.after)
    table = before[["target", "real", "before", "within before"]].assign(
        after=after["simulated"], within=after["within"], tolerance=after["tolerance"]
    )
    with pd.option_context("display.width", 160, "display.max_columns", 10):
        print(table.to_string(index=False))
    if args.write:
        for path in write_overrides(result.overrides, args.seeds):
            print(f"wrote {path}")
    return 0 if table["within"].all() else 1


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Add the ``calibrate`` subcommand.

    Parameters
    ----------
    sub : argparse._SubParsersAction
        The ``b12risk`` parser's subcommands.
    """
    p = sub.add_parser(
        "calibrate", help="refit the us_uk world's free parameters to real adults (NHANES) by simulated moments"
    )
    p.add_argument("--nhanes", action="store_true", required=True, help="fit to the NHANES cycles (shipped)")
    p.add_argument(
        "--data", type=Path, default=None, metavar="DIR", help="folder of NHANES tables (default: the shipped ones)"
    )
    p.add_argument("--cycles", nargs="+", default=None, metavar="YEARS", help="cycles, e.g. 2003-2004 (default: all)")
    p.add_argument("--n", type=positive_int, default=200_000, help="simulated rows per evaluation (default 200000)")
    p.add_argument("--seed", type=non_negative_int, default=20261202, help="seed of the simulated cohort")
    p.add_argument(
        "--max-evaluations", type=positive_int, default=400, help="Nelder-Mead evaluations per stage (default 400)"
    )
    p.add_argument(
        "--stages", nargs="+", default=None, metavar="NAME", help="refit only these stages (default: every one)"
    )
    p.add_argument(
        "--hold",
        nargs="+",
        action="extend",  # --hold a --hold b holds both (with plain nargs the last would win)
        default=[],
        metavar="PARAM",
        help="keep these free parameters at the seeds' values, by seed path (e.g. scenarios.us_uk.diet); may repeat",
    )
    p.add_argument("--write", action="store_true", help="write the fitted values into the seeds")
    p.add_argument(
        "--seeds", type=Path, default=None, metavar="DIR", help="seeds folder to write (default: the checkout's)"
    )
    p.set_defaults(func=cmd_calibrate)
