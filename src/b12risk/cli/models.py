"""``b12risk models``: list, show or verify the model versions of a registry folder."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from b12risk import registry

__all__ = ["add_parser", "cmd_models"]

_STATES = {True: "released", False: "unreleased", None: "unreadable"}


def cmd_models(args: argparse.Namespace) -> int:
    """List the versions, or print one version's metadata (``show``) or checks (``verify``).

    Parameters
    ----------
    args : argparse.Namespace
        The parsed ``models`` arguments.

    Returns
    -------
    int
        0; 2 if ``show`` or ``verify`` was given no version.

    Raises
    ------
    ModelIntegrityError
        If the version does not exist or fails a check.
    """
    if args.action == "list":
        rows = registry.list_models(args.models)
        if not rows:
            print(f"no models in {registry.models_dir() if args.models is None else args.models}")
        for r in rows:
            state = _STATES[r.get("released")]
            print(f"{r['version']:<10} {state:<11} {r.get('created') or '':<26} {r['path']}")
        return 0
    if args.spec is None:
        print(f"b12risk models {args.action}: a VERSION (or 'latest' or a folder) is required", file=sys.stderr)
        return 2
    if args.action == "show":
        print(json.dumps(registry.describe(args.spec, root=args.models), indent=2, ensure_ascii=False))
        return 0
    report = registry.verify(args.spec, root=args.models)
    print(json.dumps(report, indent=2, ensure_ascii=False, default=str))
    print(f"OK: b12risk {report['version']} verified", file=sys.stderr)
    return 0


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Add the ``models`` subcommand.

    Parameters
    ----------
    sub : argparse._SubParsersAction
        The ``b12risk`` parser's subcommands.
    """
    p = sub.add_parser("models", help="list, show or verify model versions")
    p.add_argument("action", choices=("list", "show", "verify"))
    p.add_argument("spec", nargs="?", default=None, metavar="VERSION", help="a version, 'latest', or a folder")
    p.add_argument("--models", type=Path, default=None, help="registry folder (default: the package's models/)")
    p.set_defaults(func=cmd_models)
