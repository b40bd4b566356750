"""Scoring a file of any size on one machine, in bounded memory: :func:`score_file`."""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import replace
from numbers import Integral
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from b12risk.errors import ConfigError, InvalidPatientError
from b12risk.registry import LoadedModel
from b12risk.scale.checkpoint import _begin, _checkpoint, _finish, _identity, _save_json, _write_part, parts_dir
from b12risk.scale.rows import _score_rows
from b12risk.scale.streaming import _INPUTS, _OUTPUTS, _id_columns, _kind, _open_source, _read, _to_frame
from b12risk.scale.summary import ScoreSummary, _check_counts
from b12risk.serving.runtime import resolve
from b12risk.validation.constraints import Interval, validate_params
from b12risk.validation.text import _repr

__all__ = ["DEFAULT_CHUNK_ROWS", "MODEL", "SCORE_FILE_PARAMS", "score_file"]

#: Rows scored at a time by :func:`score_file` unless told otherwise.
DEFAULT_CHUNK_ROWS = 100_000


#: What a ``model`` argument may be: the latest release (None), a version or folder, or a loaded model.
MODEL: list[Any] = [None, str, os.PathLike, LoadedModel]

#: What :func:`score_file` takes.
SCORE_FILE_PARAMS: dict[str, list[Any]] = {
    "input": [str, os.PathLike],
    "output": [str, os.PathLike],
    "model": MODEL,
    "chunk_rows": [Interval(Integral, 1, None, closed="left")],
}


def _file_name(path: str | os.PathLike[str], role: str) -> Path:
    """``path`` as a Path, if it can name a file: text without NUL (a path-like may give bytes)."""
    text = os.fspath(path)
    if not isinstance(text, str) or "\0" in text:
        raise ConfigError(f"The {role} path {_repr(text)} is not a file name (bytes, or it contains a NUL).")
    return Path(text)


def _check_input(path: Path) -> str:
    """The input's kind, if it is an existing file with a known suffix."""
    kind = _kind(path, _INPUTS, "input")
    try:
        folder, file = path.is_dir(), path.is_file()
    except OSError as exc:  # a name too long, a loop of links ...
        raise ConfigError(f"Cannot read the input file {str(path)!r}: {exc.strerror}.") from None
    if folder:
        raise ConfigError(
            f"The input {str(path)!r} is a folder; expected one CSV or Parquet file (score a folder with --scheduler)."
        )
    if not file:
        raise ConfigError(f"The input file {str(path)!r} does not exist; expected a CSV or Parquet file of patients.")
    return kind


def _score_chunk(
    frame: pd.DataFrame, model: Any, explain: bool
) -> tuple[pd.DataFrame | None, list[tuple[int, str, str]]]:
    """Score one chunk: output rows of the valid rows, (row, field, problem) of the others.

    A problem's field is ``""`` when it is about no one field, and two fields joined by
    ``+`` for a contradiction (whose problem text then names both).
    """
    ids = _id_columns(frame.columns)
    out, bad = _score_rows(frame, model, explain)
    problems = [(int(row), p.field or "", p.detail) for row in sorted(bad) for p in bad[row]]
    if out is None:
        return None, problems
    lead = frame.loc[out.index, ids].copy()
    lead["row"] = out.index.to_numpy(dtype=np.int64)
    scores = out.drop(columns=[c for c in ("id", *ids) if c in out.columns])
    return pd.concat([lead, scores], axis=1).reset_index(drop=True), problems


@validate_params(SCORE_FILE_PARAMS)
def score_file(
    input: str | os.PathLike[str],
    output: str | os.PathLike[str],
    *,
    model: Any = None,
    explain: bool = False,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    resume: bool = False,
    progress: bool = True,
) -> ScoreSummary:
    """Score a CSV or Parquet file of patients of any size, in bounded memory.

    The input is read ``chunk_rows`` rows at a time; each chunk is validated and
    scored with :func:`b12risk.serving.predict`. The simulator's ``true_*`` columns and pandas
    index columns are not read, so a cohort written by ``b12risk simulate`` can be
    scored as it is; any other unknown column is an error.

    Parameters
    ----------
    input : str or path-like
        ``.parquet`` (or ``.pq``), ``.csv`` or ``.csv.gz``, one row per patient, with
        the fields of :func:`b12risk.knowledge.schema.features` (any may be missing) and
        optionally ``id`` and/or ``patient_id``. CSV values are read as text and
        parsed per field: numbers, and ``true``/``false``/``1``/``0`` for yes-no
        fields; a value that does not parse rejects its row.
    output : str or path-like
        ``.parquet`` or ``.csv``; must not exist yet (unless resuming). Columns: the
        input's ``id``/``patient_id`` columns, ``row`` (the row's number in the input,
        from 0), ``probability``, ``risk_band``, ``information_level``,
        ``model_version``, ``warnings`` and, with ``explain``, ``top1_field``,
        ``top1_log_odds`` ... ``top3_log_odds``. Rows keep the input's order.
    model : LoadedModel, version string or path, optional
        As for :func:`b12risk.serving.predict`; the latest release by default.
    explain : bool, default False
        Add each row's three largest SHAP contributions (several times slower).
    chunk_rows : int, default 100_000
        Rows per chunk: more is faster, less uses less memory.
    resume : bool, default False
        Continue an interrupted run from its last finished chunk. The input, the model
        and ``explain`` must be those of the interrupted run (``chunk_rows`` may
        differ). With nothing to resume, a new run starts.
    progress : bool, default True
        Show a progress bar on stderr.

    Returns
    -------
    ScoreSummary
        Rows read, scored and rejected, the output and errors paths and the time.

    Raises
    ------
    ConfigError
        The input is missing, unreadable or not CSV/Parquet, the output exists or has
        another suffix, a path is not a file name (not a str or path-like, or with a
        NUL) or the file system refuses it, ``chunk_rows`` is not a positive int,
        ``model`` is none of the things above, the input is empty, or a resume does not
        match the interrupted run. Each message names the path or parameter and what is
        expected.
    InvalidPatientError
        A problem of the whole input rather than of rows (an unknown column, a column
        named twice, ids in a nested or binary Parquet column); the output and its
        parts folder are not written.
    B12RiskError
        If the rows read differ from the rows scored plus the rows rejected (a bug).

    Notes
    -----
    A row that fails validation is neither dropped silently nor fatal: each of its
    problems becomes a line ``row,field,problem`` in ``OUTPUT.errors`` (a CSV), and
    the other rows are scored. Finished chunks are written to ``OUTPUT.parts/``, each
    atomically, with a checkpoint naming the input (size, modification time and a
    digest of its first and last MiB), the model and the rows done; the output and
    errors file are assembled from them at the end, each atomically, and the folder is
    removed. A run killed at any point (even with SIGKILL) can be resumed.
    """
    started = time.perf_counter()
    src, out = _file_name(input, "input"), _file_name(output, "output")
    model = str(model) if isinstance(model, os.PathLike) else model
    in_kind = _check_input(src)
    out_kind = _kind(out, _OUTPUTS, "output")
    runtime = resolve(model)
    parts = parts_dir(out)
    try:
        state = _begin(out, parts, _identity(src, runtime, explain), resume)
    except OSError as exc:  # a name too long, no permission ...
        raise ConfigError(f"Cannot write the output {str(out)!r}: {exc.strerror}.") from None
    spent = float(state["seconds"])

    def save() -> None:
        state["seconds"] = spent + (time.perf_counter() - started)
        _save_json(_checkpoint(parts), state)

    try:
        if not state["finished"]:
            source = _open_source(src, in_kind)
            state["id_columns"] = _id_columns(source.columns)
            bar = tqdm(
                total=source.rows,
                initial=state["rows_done"],
                unit="rows",
                unit_scale=True,
                desc=f"score {src.name}",
                disable=not progress,
            )
            with bar:
                for table in _read(source, state["rows_done"], chunk_rows):
                    frame = _to_frame(table, in_kind, state["rows_done"])
                    try:
                        scores, problems = _score_chunk(frame, model, explain)
                    except InvalidPatientError as exc:
                        # problems of the whole input (validation names no row): say which file
                        raise InvalidPatientError(
                            [
                                replace(p, row=None, field=None, in_batch=False, detail=f"{src}: {p.message}")
                                for p in exc.problems
                            ]
                        ) from None
                    scored = 0 if scores is None else len(scores)
                    rejected = len({row for row, _, _ in problems})
                    _check_counts(len(frame), scored, rejected)
                    _write_part(parts, state["parts"], scores, problems)
                    state["parts"] += 1
                    state["rows_done"] += len(frame)
                    state["rows_scored"] += scored
                    state["rows_rejected"] += rejected
                    save()
                    bar.update(len(frame))
            if state["rows_done"] == 0:
                raise ConfigError(f"The input file {str(src)!r} has no rows; expected at least one patient.")
            state["finished"] = True
            save()
        _check_counts(state["rows_done"], state["rows_scored"], state["rows_rejected"])
        errors = _finish(parts, out, out_kind, state)
    except BaseException:
        if state["rows_done"] == 0:  # nothing worth resuming
            shutil.rmtree(parts, ignore_errors=True)
        raise
    shutil.rmtree(parts, ignore_errors=True)
    return ScoreSummary(
        rows_in=state["rows_done"],
        rows_scored=state["rows_scored"],
        rows_rejected=state["rows_rejected"],
        output=out,
        errors_path=errors,
        seconds=spent + (time.perf_counter() - started),
    )
