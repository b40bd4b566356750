"""``b12risk report``: the reviewers' report of a model version, one self-contained HTML page."""

from __future__ import annotations

import argparse
from pathlib import Path

__all__ = ["add_parser", "cmd_report"]


def cmd_report(args: argparse.Namespace) -> int:
    """Write the report and print its path.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed ``report`` arguments.

    Returns
    -------
    int
        The exit status, 0.
    """
    # The report's figures and metrics load scikit-learn and matplotlib: only when a report is written.
    from b12risk.reporting.report import build_report

    nhanes = False if args.no_nhanes else (args.nhanes if args.nhanes is not None else True)
    path = build_report(args.model, args.out, language=args.lang, root=args.models, nhanes=nhanes)
    print(path)
    return 0


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Add the ``report`` subcommand.

    Parameters
    ----------
    sub : argparse._SubParsersAction
        The ``b12risk`` parser's subcommands.
    """
    p = sub.add_parser("report", help="write the reviewers' report of a model version (one self-contained HTML page)")
    p.add_argument("--model", default="latest", help="model version, 'latest' (default) or a folder")
    p.add_argument("--out", type=Path, default=None, metavar="DIR", help="output folder (default: reports/<version>/)")
    p.add_argument("--lang", choices=("en", "ar"), default="en", help="language of the page and its figures")
    p.add_argument(
        "--models", type=Path, default=None, metavar="DIR", help="registry folder (default: the package's models/)"
    )
    real = p.add_mutually_exclusive_group()
    real.add_argument(
        "--nhanes",
        type=Path,
        default=None,
        metavar="DIR",
        help="real-patient section from the tables of 'b12risk validate --nhanes --out DIR' (default: measure now)",
    )
    real.add_argument("--no-nhanes", action="store_true", help="leave the real-patient (NHANES) section out")
    p.set_defaults(func=cmd_report)
