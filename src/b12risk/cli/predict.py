"""``b12risk predict`` and ``b12risk explain``: one patient (or a batch) from a JSON file.

Both read the same file and take the same model and language options; ``explain`` also
draws the SHAP waterfall of its one patient.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from b12risk.errors import ConfigError, InvalidPatientError
from b12risk.serving.explain import waterfall
from b12risk.serving.plots import save
from b12risk.serving.predict import predict

__all__ = ["add_parser", "cmd_explain", "cmd_predict"]


def _read_patient(path: Path) -> Any:
    """The JSON value in ``path``; every way the file can be unusable is an
    :class:`~b12risk.errors.InvalidPatientError` naming the file."""
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
    if "\0" in str(path):
        raise ConfigError(f"The output path {str(path)!r} contains a NUL character; expected a file name.")
    if not path.parent.is_dir():
        raise ConfigError(f"The output folder {str(path.parent)!r} does not exist.")
    return path


def cmd_predict(args: argparse.Namespace) -> int:
    """Print the prediction for the patient (a JSON object) or batch (a JSON list) in the file.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed ``predict`` arguments.

    Returns
    -------
    int
        The exit status, 0.

    Raises
    ------
    InvalidPatientError
        If the file cannot be read as JSON or the patients fail validation.
    """
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
    """Predict the one patient in the file, print the text and write the waterfall image.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed ``explain`` arguments.

    Returns
    -------
    int
        The exit status, 0.

    Raises
    ------
    InvalidPatientError
        If the file does not hold one valid patient.
    ConfigError
        If the output path cannot be written.
    """
    data = _read_patient(args.patient)
    if not isinstance(data, dict):
        raise InvalidPatientError(
            [f"{args.patient}: explain takes one patient (a JSON object), got {type(data).__name__}"]
        )
    _check_output(args.out)
    result = predict(data, model=args.model, language=args.lang)
    out = save(waterfall(result, language=args.lang), args.out)
    print(result.text)
    print(f"wrote {out}")
    return 0


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Add the ``predict`` and ``explain`` subcommands.

    Parameters
    ----------
    sub : argparse._SubParsersAction
        The ``b12risk`` parser's subcommands.
    """
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
