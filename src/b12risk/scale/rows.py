"""Scoring the rows of a frame, setting aside the rows that fail validation.

Validation names every bad row of a batch in one :class:`~b12risk.errors.InvalidPatientError`
(each :class:`~b12risk.errors.Problem` carries its row), so one failed call finds them
all and the good rows are predicted in one more call. Problems of no row (an unknown
column) concern the whole input and are raised.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from b12risk.errors import B12RiskError, InvalidPatientError, Problem
from b12risk.serving.predict import predict
from b12risk.validation import validate

__all__: list[str] = []  # used by b12risk.scale's modules only


def _by_row(problems: tuple[Problem, ...], index: pd.Index) -> tuple[dict[Any, list[Problem]], list[Problem]]:
    """Problems of rows (by index label) and problems of no row (such as unknown columns)."""
    rows: dict[Any, list[Problem]] = {}
    general: list[Problem] = []
    for problem in problems:
        if not problem.in_batch:
            general.append(problem)
            continue
        label = problem.row
        if isinstance(index, pd.RangeIndex):  # validation names positions for a RangeIndex
            label = index[label] if 0 <= label < len(index) else None
        rows.setdefault(label, []).append(problem)
    return rows, general


def _bisect(frame: pd.DataFrame) -> dict[Any, list[Problem]]:
    """The rows of ``frame`` that fail validation, by halving; a fallback only."""
    try:
        validate(frame)
    except InvalidPatientError as exc:
        if len(frame) == 1:
            return {frame.index[0]: list(exc.problems)}
        half = len(frame) // 2
        return {**_bisect(frame.iloc[:half]), **_bisect(frame.iloc[half:])}
    return {}


def _rejected(frame: pd.DataFrame, exc: InvalidPatientError) -> dict[Any, list[Problem]]:
    """The problems of each row ``exc`` names, by index label; its problems of no row are raised."""
    rows, general = _by_row(exc.problems, frame.index)
    if general:
        raise InvalidPatientError(general)
    if rows and all(label in frame.index for label in rows):
        return rows
    return _bisect(frame)


def _score_rows(frame: pd.DataFrame, model: Any, explain: bool) -> tuple[pd.DataFrame | None, dict[Any, list[Problem]]]:
    """``predict()`` of the valid rows of ``frame`` and the problems of the others.

    Validation names the rows of a batch, so one failed call finds every bad row; the
    good rows are then predicted in one more call. Problems that belong to no row
    (an unknown column) concern the whole input and are raised.
    """
    bad: dict[Any, list[Problem]] = {}
    good = frame
    while len(good):
        try:
            return predict(good, model=model, explain=explain), bad
        except InvalidPatientError as exc:
            found, reason = _rejected(good, exc), str(exc)
        if not found:
            raise B12RiskError(f"internal error: validation failed but named no row to set aside: {reason}")
        bad.update(found)
        good = good.drop(index=list(found))
    return None, bad


def _meta(ids: dict[str, Any], explain: bool, top: int = 3) -> pd.DataFrame:
    """The empty frame describing the output columns and dtypes of :func:`b12risk.scale.score`."""
    cols: dict[str, pd.Series] = {name: pd.Series([], dtype=dtype) for name, dtype in ids.items()}
    cols["probability"] = pd.Series([], dtype="float64")
    for name in ("risk_band", "information_level", "model_version", "warnings"):
        cols[name] = pd.Series([], dtype=str)
    if explain:
        for k in range(1, top + 1):
            cols[f"top{k}_field"] = pd.Series([], dtype=str)
            cols[f"top{k}_log_odds"] = pd.Series([], dtype="float64")
    cols["error"] = pd.Series([], dtype=str)
    return pd.DataFrame(cols)
