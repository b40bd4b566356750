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
    from b12risk.simulation.cohort import write_cohort

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


# --------------------------------------------------------------------------- train


def cmd_train(args: argparse.Namespace) -> int:
    from b12risk.errors import ReleaseGateError
    from b12risk.modelling.training import gate_report, train

    try:
        result = train(args.config, root=args.models, version=args.version, force=args.force, progress=not args.quiet)
    except ReleaseGateError as exc:
        print(str(exc), file=sys.stderr)
        print("not exported; rerun with --force to export it marked unreleased", file=sys.stderr)
        return 1
    print(_summary_table(result.metadata["metrics_summary"]))
    state = "released" if result.released else "UNRELEASED (gate failed, exported with --force)"
    print(f"b12risk {result.version} {state}: {result.path}")
    if result.failures:
        print(gate_report(result.failures), file=sys.stderr)
        return 1
    return 0


def _summary_table(summary: dict) -> str:
    lines = [f"{'level':<13} {'model':>7} {'oracle':>7} {'best baseline':>27}  {'slope':>6} {'intercept':>9}"]
    for level, s in summary.items():
        base = f"{s['best_baseline']} {s['best_baseline_auroc']:.4f}" if s.get("best_baseline") else "-"
        lines.append(
            f"{level:<13} {s['model_auroc']:>7.4f} {s['oracle_auroc']:>7.4f} {base:>27}  "
            f"{s['model_cal_slope']:>6.3f} {s['model_cal_intercept']:>+9.3f}"
        )
    return "\n".join(lines)


def _add_train(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("train", help="train, evaluate and gate a model; export it as a new version")
    p.add_argument("--config", type=Path, default=None, help="training config (TOML); the shipped default if omitted")
    p.add_argument("--version", default=None, help="version to write (MAJOR.MINOR.PATCH); default from the config")
    p.add_argument("--force", action="store_true", help="export even if the release gate fails, marked unreleased")
    p.add_argument("--models", type=Path, default=None, help="registry folder (default: the package's models/)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
    p.set_defaults(func=cmd_train)


# --------------------------------------------------------------------------- models


def cmd_models(args: argparse.Namespace) -> int:
    import json

    from b12risk import registry

    if args.action == "list":
        rows = registry.list_models(args.models)
        if not rows:
            print(f"no models in {registry.models_dir() if args.models is None else args.models}")
        for r in rows:
            state = {True: "released", False: "unreleased", None: "unreadable"}[r.get("released")]
            print(f"{r['version']:<10} {state:<11} {r.get('created') or '':<26} {r['path']}")
        return 0
    if args.spec is None:
        raise_usage = f"b12risk models {args.action}: a VERSION (or 'latest' or a folder) is required"
        print(raise_usage, file=sys.stderr)
        return 2
    if args.action == "show":
        print(json.dumps(registry.describe(args.spec, root=args.models), indent=2, ensure_ascii=False))
        return 0
    report = registry.verify(args.spec, root=args.models)
    print(json.dumps(report, indent=2, ensure_ascii=False, default=str))
    print(f"OK: b12risk {report['version']} verified", file=sys.stderr)
    return 0


def _add_models(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("models", help="list, show or verify model versions")
    p.add_argument("action", choices=("list", "show", "verify"))
    p.add_argument("spec", nargs="?", default=None, metavar="VERSION", help="a version, 'latest', or a folder")
    p.add_argument("--models", type=Path, default=None, help="registry folder (default: the package's models/)")
    p.set_defaults(func=cmd_models)


# --------------------------------------------------------------------------- predict / explain


def _read_patient(path: Path):
    import json

    from b12risk.errors import InvalidPatientError

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidPatientError([f"cannot read {path}: {exc.strerror}"]) from None
    except UnicodeDecodeError as exc:
        raise InvalidPatientError(
            [f"{path} is not UTF-8 text: byte {exc.object[exc.start]:#04x} at position {exc.start}"]
        ) from None
    except ValueError:  # a NUL in the path
        raise InvalidPatientError([f"cannot read {str(path)!r}: a path cannot contain a NUL character"]) from None
    try:
        data = json.loads(text)
        json.dumps(data, ensure_ascii=False).encode("utf-8")  # text with an unpaired surrogate cannot be printed
    except json.JSONDecodeError as exc:
        raise InvalidPatientError([f"{path} is not valid JSON: {exc.msg} at line {exc.lineno}"]) from None
    except RecursionError:
        raise InvalidPatientError([f"{path}: the JSON is nested too deeply to be a patient"]) from None
    except UnicodeEncodeError as exc:
        bad = exc.object[exc.start]
        raise InvalidPatientError(
            [f"{path}: \\u{ord(bad):04x} is half of a surrogate pair, not a character; give the whole character"]
        ) from None
    except ValueError:  # a number with more digits than Python turns into an int
        raise InvalidPatientError(
            [f"{path}: a number has more than {sys.get_int_max_str_digits()} digits; no field takes such a number"]
        ) from None
    return data


def _check_output(path: Path) -> Path:
    """An output file path that can be written: no NUL, in an existing folder."""
    from b12risk.errors import ConfigError

    if "\0" in str(path):
        raise ConfigError(f"The output path {str(path)!r} contains a NUL character; expected a file name.")
    if not path.parent.is_dir():
        raise ConfigError(f"The output folder {str(path.parent)!r} does not exist.")
    return path


def cmd_predict(args: argparse.Namespace) -> int:
    import json

    from b12risk.serving.predict import predict

    data = _read_patient(args.patient)
    result = predict(data, model=args.model, language=args.lang)
    if isinstance(data, dict):
        if args.format == "json":
            print(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
        else:
            print(result.text)
            for w in result.warnings:
                print(f"warning: {w}")
        return 0
    if args.format == "json":
        print(result.to_json(orient="records", force_ascii=False, indent=2))
    else:
        print(result.to_string(index=False))
    return 0


def cmd_explain(args: argparse.Namespace) -> int:
    from b12risk.reporting.plots import save
    from b12risk.serving.explain import waterfall
    from b12risk.serving.predict import predict

    data = _read_patient(args.patient)
    if not isinstance(data, dict):
        from b12risk.errors import InvalidPatientError

        raise InvalidPatientError(
            [f"{args.patient}: explain takes one patient (a JSON object), got {type(data).__name__}"]
        )
    _check_output(args.out)
    result = predict(data, model=args.model, language=args.lang)
    out = save(waterfall(result, language=args.lang), args.out)
    print(result.text)
    print(f"wrote {out}")
    return 0


def _add_predict(sub: argparse._SubParsersAction) -> None:
    for name, func, helptext in (
        ("predict", cmd_predict, "predict one patient (a JSON object) or a batch (a JSON list)"),
        ("explain", cmd_explain, "predict one patient and draw the SHAP waterfall"),
    ):
        p = sub.add_parser(name, help=helptext)
        p.add_argument("patient", type=Path, help="JSON file with the patient's fields (see data/examples/)")
        p.add_argument("--lang", choices=("en", "ar"), default="en", help="language of labels and text")
        p.add_argument("--model", default=None, help="model version, 'latest' (default) or a folder")
        if name == "predict":
            p.add_argument("--format", choices=("text", "json"), default="text")
        else:
            p.add_argument("--out", type=Path, required=True, help="output image (.png or .svg)")
        p.set_defaults(func=func)


# --------------------------------------------------------------------------- report


def cmd_report(args: argparse.Namespace) -> int:
    from b12risk.reporting.report import build_report

    nhanes = False if args.no_nhanes else (args.nhanes if args.nhanes is not None else True)
    path = build_report(args.model, args.out, language=args.lang, root=args.models, nhanes=nhanes)
    print(path)
    return 0


def _add_report(sub: argparse._SubParsersAction) -> None:
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


# --------------------------------------------------------------------------- validate


def cmd_validate(args: argparse.Namespace) -> int:
    from b12risk import registry
    from b12risk.nhanes.validation import validate

    loaded = registry.load_model(args.model, root=args.models)
    result = validate(loaded, cycles=args.cycles, directory=args.data, simulated_n=args.simulated_n, seed=args.seed)
    out = args.out if args.out is not None else Path("reports") / loaded.version / "nhanes"
    paths = result.write(out)
    print(result.summary_text())
    print(f"\ntables: {', '.join(str(p) for p in paths)}")
    return 0


def _add_validate(sub: argparse._SubParsersAction) -> None:
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
        "--simulated-n", type=_positive_int, default=200_000, help="simulated cohort for baselines and marginals"
    )
    p.add_argument("--seed", type=_non_negative_int, default=0, help="seed of that cohort and of the CV folds")
    p.add_argument(
        "--models", type=Path, default=None, metavar="DIR", help="registry folder (default: the package's models/)"
    )
    p.set_defaults(func=cmd_validate)


# --------------------------------------------------------------------------- demo


def cmd_demo(args: argparse.Namespace) -> int:
    from b12risk.cli.demo import run_demo

    summary = run_demo(args.out, reports=args.reports, config=args.config, cohort_rows=args.rows)
    return 0 if summary["released"] else 1


def _add_demo(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo", help="simulate, train (gate), report, predict and explain the examples, end to end")
    p.add_argument("--out", type=Path, default=Path("build/demo"), help="working folder (default: %(default)s)")
    p.add_argument("--reports", type=Path, default=Path("reports"), help="report folder (default: %(default)s)")
    p.add_argument("--config", type=Path, default=None, help="training config (default: the shipped one)")
    p.add_argument("--rows", type=_positive_int, default=1_000_000, help="rows of the demonstration cohort")
    p.set_defaults(func=cmd_demo)


# --------------------------------------------------------------------------- score


def _add_score(sub: argparse._SubParsersAction) -> None:
    from b12risk.scale import add_score_parser, cmd_score

    add_score_parser(sub).set_defaults(func=cmd_score)


# --------------------------------------------------------------------------- main

_COMMANDS: list[Callable[[argparse._SubParsersAction], None]] = [
    _add_simulate,
    _add_train,
    _add_models,
    _add_predict,
    _add_report,
    _add_validate,
    _add_demo,
    _add_score,
]


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
    except BrokenPipeError:  # output piped into a reader that stopped early (head, less)
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as exc:  # the file system refused a path: a name too long, no permission, a full disk
        where = f": {exc.filename!r}" if exc.filename is not None else ""
        print(f"b12risk {args.command}: error: {exc.strerror or exc}{where}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
