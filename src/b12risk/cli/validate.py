"""``b12risk validate --nhanes``: external validation of a model on real patients, as tables."""

from __future__ import annotations

import argparse
from pathlib import Path

from b12risk import registry
from b12risk.cli.arguments import non_negative_int, positive_int
from b12risk.nhanes.validation import validate

__all__ = ["add_parser", "cmd_validate"]


def cmd_validate(args: argparse.Namespace) -> int:
    """Validate the model on the NHANES cycles, write the tables and print the summary.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed ``validate`` arguments.

    Returns
    -------
    int
        The exit status, 0.
    """
    loaded = registry.load_model(args.model, root=args.models)
    result = validate(loaded, cycles=args.cycles, directory=args.data, simulated_n=args.simulated_n, seed=args.seed)
    out = args.out if args.out is not None else Path("reports") / loaded.version / "nhanes"
    paths = result.write(out)
    print(result.summary_text())
    print(f"\ntables: {', '.join(str(p) for p in paths)}")
    return 0


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Add the ``validate`` subcommand.

    Parameters
    ----------
    sub : argparse._SubParsersAction
        The ``b12risk`` parser's subcommands.
    """
    p = sub.add_parser("validate", help="external validation of a model on real patients (NHANES), written as tables")
    p.add_argument("--nhanes", action="store_true", required=True, help="validate on the NHANES cycles (shipped)")
    p.add_argument("--model", default="latest", help="model version, 'latest' (default) or a folder")
    p.add_argument(
        "--out", type=Path, default=None, metavar="DIR", help="output folder (default: reports/<version>/nhanes/)"
    )
    p.add_argument(
        "--data", type=Path, default=None, metavar="DIR", help="folder of NHANES tables (default: the shipped ones)"
    )
    p.add_argument("--cycles", nargs="+", default=None, metavar="YEARS", help="cycles, e.g. 2003-2004 (default: all)")
    p.add_argument(
        "--simulated-n", type=positive_int, default=200_000, help="simulated cohort for baselines and marginals"
    )
    p.add_argument("--seed", type=non_negative_int, default=0, help="seed of that cohort and of the CV folds")
    p.add_argument(
        "--models", type=Path, default=None, metavar="DIR", help="registry folder (default: the package's models/)"
    )
    p.set_defaults(func=cmd_validate)
