"""The ``b12risk score`` subcommand: a file scored on this machine, or on a Dask cluster."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from b12risk.errors import B12RiskError, ConfigError
from b12risk.scale import DEFAULT_CHUNK_ROWS, score_file, score_with_dask
from b12risk.scale.checkpoint import parts_dir

__all__ = ["add_score_parser", "cmd_score"]


def _positive_int(text: str) -> int:
    try:
        value = int(text.replace("_", "").replace(",", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number >= 1, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number >= 1, got {text!r}")
    return value


def add_score_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add ``score INPUT --out OUTPUT [...]`` to a subparsers object.

    Parameters
    ----------
    sub : argparse._SubParsersAction
        From :meth:`argparse.ArgumentParser.add_subparsers`.

    Returns
    -------
    argparse.ArgumentParser
        The new subparser; its ``func`` default is :func:`cmd_score`.
    """
    p = sub.add_parser(
        "score",
        help="score a CSV or Parquet file of any size in bounded memory, or on a Dask cluster",
        description="Score every row of INPUT; rows that fail validation are listed in OUTPUT.errors. "
        "Exit status: 0 all rows scored, 1 some rows rejected, 2 bad arguments or input.",
    )
    # str, not Path: with --scheduler they may be URLs (s3://...), which Path would mangle
    p.add_argument("input", metavar="INPUT", help="patients, one per row: .parquet, .csv or .csv.gz")
    p.add_argument("--out", required=True, metavar="OUTPUT", help="output file, .parquet or .csv")
    p.add_argument("--explain", action="store_true", help="add the three largest SHAP contributions of each row")
    p.add_argument("--model", default=None, metavar="VERSION", help="model version, 'latest' (default) or a folder")
    p.add_argument("--resume", action="store_true", help="continue an interrupted run from its last finished chunk")
    p.add_argument(
        "--chunk-rows",
        type=_positive_int,
        default=None,
        metavar="N",
        help=f"rows scored at a time (default {DEFAULT_CHUNK_ROWS:,}); less uses less memory",
    )
    p.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="Dask scheduler address (tcp://host:8786): score on the cluster; OUTPUT is a .parquet folder",
    )
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_score)
    return p


def cmd_score(args: argparse.Namespace) -> int:
    """Run ``b12risk score`` and print its summary.

    Parameters
    ----------
    args : argparse.Namespace
        As parsed by the parser of :func:`add_score_parser`.

    Returns
    -------
    int
        0 if every row was scored, 1 if some were rejected, 2 for a usage error or
        bad input (the message is printed to stderr on one line per problem), 130
        if interrupted (finished chunks are kept for ``--resume``).
    """
    try:
        if args.scheduler:
            if args.resume or args.chunk_rows is not None:
                raise ConfigError(
                    "--resume and --chunk-rows apply to scoring on this machine; drop them or drop --scheduler"
                )
            summary = score_with_dask(
                args.input, args.out, scheduler=args.scheduler, model=args.model, explain=args.explain
            )
        else:
            summary = score_file(
                args.input,
                args.out,
                model=args.model,
                explain=args.explain,
                chunk_rows=DEFAULT_CHUNK_ROWS if args.chunk_rows is None else args.chunk_rows,
                resume=args.resume,
                progress=not args.quiet,
            )
    except B12RiskError as exc:
        print(f"b12risk score: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        if args.scheduler:
            print("b12risk score: interrupted", file=sys.stderr)
        else:
            print(
                f"b12risk score: interrupted; finished chunks are kept in {parts_dir(Path(args.out))}: "
                "rerun the same command with --resume to continue",
                file=sys.stderr,
            )
        return 130
    print(
        f"{summary.rows_in:,} rows in: {summary.rows_scored:,} scored, {summary.rows_rejected:,} rejected "
        f"({summary.seconds:,.1f} s, {summary.rows_per_second:,.0f} rows/s)"
    )
    print(f"output: {summary.output}")
    if summary.errors_path is not None:
        print(f"errors: {summary.errors_path} (row, field, problem)")
    elif summary.rows_rejected:
        print("errors: in the output's 'error' column")
    return 1 if summary.rows_rejected else 0
