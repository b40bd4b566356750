"""``b12risk train``: train, evaluate and gate a model; export it as a new version."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from b12risk.errors import ReleaseGateError
from b12risk.modelling.training import gate_report, train
from b12risk.nhanes.release import measure

__all__ = ["add_parser", "cmd_train", "real_data_lines", "summary_table"]


def cmd_train(args: argparse.Namespace) -> int:
    """Train with the arguments' config and print the metrics and the new version.

    When the config's ``[gate] real_data`` is true, the candidate is measured on the
    shipped NHANES cycles (:func:`b12risk.nhanes.release.measure`) and gated on it too.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed ``train`` arguments.

    Returns
    -------
    int
        0 if the model passed its release gate and was exported; 1 if the gate failed
        (nothing exported, or exported unreleased with ``--force``).
    """
    try:
        result = train(
            args.config,
            root=args.models,
            version=args.version,
            force=args.force,
            progress=not args.quiet,
            real_data=measure,
        )
    except ReleaseGateError as exc:
        print(str(exc), file=sys.stderr)
        print("not exported; rerun with --force to export it marked unreleased", file=sys.stderr)
        return 1
    print(summary_table(result.metadata["metrics_summary"]))
    stages = result.metadata["training"].get("stage_seconds") or {}
    if stages:
        print("time per stage: " + "; ".join(f"{name} {seconds:,.1f} s" for name, seconds in stages.items()))
    real = real_data_lines(result.metadata["gate"].get("real_data") or {})
    if real:
        print(real)
    state = "released" if result.released else "UNRELEASED (gate failed, exported with --force)"
    print(f"b12risk {result.version} {state}: {result.path}")
    if result.failures:
        print(gate_report(result.failures), file=sys.stderr)
        return 1
    return 0


def summary_table(summary: dict[str, dict[str, Any]]) -> str:
    """One line per information level: AUROC of the model, the oracle and the best
    baseline, and the model's calibration slope and intercept.

    Parameters
    ----------
    summary : dict
        The ``metrics_summary`` of a trained model's metadata.

    Returns
    -------
    str
        A fixed-width table with a header line.
    """
    lines = [f"{'level':<13} {'model':>7} {'oracle':>7} {'best baseline':>27}  {'slope':>6} {'intercept':>9}"]
    for level, s in summary.items():
        base = f"{s['best_baseline']} {s['best_baseline_auroc']:.4f}" if s.get("best_baseline") else "-"
        lines.append(
            f"{level:<13} {s['model_auroc']:>7.4f} {s['oracle_auroc']:>7.4f} {base:>27}  "
            f"{s['model_cal_slope']:>6.3f} {s['model_cal_intercept']:>+9.3f}"
        )
    return "\n".join(lines)


def real_data_lines(record: dict[str, Any]) -> str:
    """One line per real-data check of the gate (``gate.real_data`` of the metadata); empty if none.

    Parameters
    ----------
    record : dict
        The ``gate.real_data`` record of a trained model's metadata.

    Returns
    -------
    str
        A header line and ``scenario level check: pass|FAIL|reported (detail)`` lines.
    """
    checks = record.get("checks") or []
    if not checks:
        return ""
    lines = ["real patients (NHANES):"]
    for c in checks:
        state = ("pass" if c["passed"] else "FAIL") if c["gated"] else "reported"
        lines.append(f"  {c['scenario']:<18} {c['level']:<13} {c['check']:<38} {state:<8} {c['detail']}")
    return "\n".join(lines)


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Add the ``train`` subcommand.

    Parameters
    ----------
    sub : argparse._SubParsersAction
        The ``b12risk`` parser's subcommands.
    """
    p = sub.add_parser("train", help="train, evaluate and gate a model; export it as a new version")
    p.add_argument("--config", type=Path, default=None, help="training config (TOML); the shipped default if omitted")
    p.add_argument("--version", default=None, help="version to write (MAJOR.MINOR.PATCH); default from the config")
    p.add_argument("--force", action="store_true", help="export even if the release gate fails, marked unreleased")
    p.add_argument("--models", type=Path, default=None, help="registry folder (default: the package's models/)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
    p.set_defaults(func=cmd_train)
