"""The ``b12risk`` command. Each subcommand parses its arguments and calls one library
function; heavy libraries are imported inside the subcommand that needs them."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from b12risk.errors import B12RiskError

log = logging.getLogger("b12risk")


# --------------------------------------------------------------------------- simulate


def _positive_int(text: str) -> int:
    try:
        value = int(text.replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number >= 1, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number >= 1, got {text!r}")
    return value


def _non_negative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number >= 0, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be a whole number >= 0, got {text!r}")
    return value


def cmd_simulate(args: argparse.Namespace) -> int:
    from b12risk.cohort import write_cohort

    rows = write_cohort(
        args.out, args.n, scenario=args.scenario, seed=args.seed, labs=args.labs, progress=not args.quiet
    )
    print(f"wrote {rows:,} rows ({args.scenario}, seed {args.seed}, labs={args.labs}) to {args.out}")
    return 0


def _add_simulate(sub: argparse._SubParsersAction) -> None:
    from b12risk.knowledge import load

    p = sub.add_parser("simulate", help="write a synthetic cohort to Parquet or CSV, in chunks")
    p.add_argument(
        "--scenario",
        default="us_uk",
        choices=sorted(load().scenarios),
        metavar="SCENARIO",
        help="population (%(choices)s); default %(default)s",
    )
    p.add_argument("-n", type=_positive_int, required=True, help="number of patients (>= 1)")
    p.add_argument("--seed", type=_non_negative_int, default=0, help="seed (>= 0); default %(default)s")
    p.add_argument(
        "--labs",
        choices=("clinical", "survey"),
        default="clinical",
        help="clinical: labs only where ordered (NaN otherwise); survey: every lab",
    )
    p.add_argument("--out", type=Path, required=True, help="output file, .parquet or .csv")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_simulate)


# --------------------------------------------------------------------------- main

_COMMANDS: list[Callable[[argparse._SubParsersAction], None]] = [_add_simulate]


def build_parser() -> argparse.ArgumentParser:
    from b12risk import __version__

    parser = argparse.ArgumentParser(
        prog="b12risk",
        description="Vitamin B12 deficiency risk: simulate, train, predict, explain. Decision support, not a diagnosis.",
    )
    parser.add_argument("--version", action="version", version=f"b12risk {__version__}")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more log output (-vv for debug)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add in _COMMANDS:
        add(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        parser = build_parser()
    except B12RiskError as exc:  # e.g. a broken seeds file, read for the scenario list
        print(f"b12risk: error: {exc}", file=sys.stderr)
        return 2
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=(logging.WARNING, logging.INFO, logging.DEBUG)[min(args.verbose, 2)],
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        return int(args.func(args) or 0)
    except B12RiskError as exc:
        print(f"b12risk {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"b12risk {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
