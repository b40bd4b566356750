"""The ``b12risk`` command: its parser, and the error handling around every subcommand.

Each subcommand lives in its own module (``b12risk.cli.<name>``) with an ``add_parser``
that registers it and sets ``func``, the function that runs it. :func:`main` turns a
:class:`~b12risk.errors.B12RiskError` into one line on stderr and exit status 2, an
interrupt into 130, and a refusal of the file system into one line and 2.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable, Sequence

from b12risk._version import __version__
from b12risk.cli import calibrate, demo, models, predict, report, serve, simulate, train, validate
from b12risk.errors import B12RiskError

__all__ = ["build_parser", "main"]


def _add_score(sub: argparse._SubParsersAction) -> None:
    from b12risk.cli.score import add_score_parser, cmd_score

    add_score_parser(sub).set_defaults(func=cmd_score)


#: The subcommands, in the order ``b12risk --help`` lists them.
_COMMANDS: list[Callable[[argparse._SubParsersAction], None]] = [
    simulate.add_parser,
    train.add_parser,
    models.add_parser,
    predict.add_parser,  # predict and explain
    report.add_parser,
    validate.add_parser,
    calibrate.add_parser,
    demo.add_parser,
    _add_score,
    serve.add_parser,
]


def build_parser() -> argparse.ArgumentParser:
    """The ``b12risk`` argument parser with every subcommand.

    Returns
    -------
    argparse.ArgumentParser

    Raises
    ------
    B12RiskError
        If the seeds (read for the scenario choices) cannot be read.
    """
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
    """Run ``b12risk`` with ``argv`` (the process's arguments by default).

    Parameters
    ----------
    argv : sequence of str, optional
        The arguments after the program name.

    Returns
    -------
    int
        The exit status: 0 on success, 1 when a model failed its release gate, 2 on a
        usage error or a :class:`~b12risk.errors.B12RiskError` (one line on stderr),
        130 when interrupted.
    """
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
    except BrokenPipeError:  # output piped into a reader that stopped early (head, less)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as exc:  # the file system refused a path: a name too long, no permission, a full disk
        where = f": {exc.filename!r}" if exc.filename is not None else ""
        print(f"b12risk {args.command}: error: {exc.strerror or exc}{where}", file=sys.stderr)
        return 2
