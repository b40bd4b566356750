"""Population-scale scoring: a file of any size on one machine, or a Dask cluster.

:func:`score_file` streams a CSV or Parquet file through :func:`b12risk.serving.predict` in
chunks, so memory stays bounded whatever the file's size. Rows that fail validation
are set aside with every problem written to ``OUTPUT.errors``; the rest are scored.
Finished chunks are kept as parts next to the output with a checkpoint, so an
interrupted run continues where it stopped (``resume=True``) without scoring a row
twice or skipping one.

:func:`score` and :func:`simulate` are the same operations on ``dask.dataframe``
collections, and :func:`score_with_dask` runs a whole file on a cluster. Each row is
scored on its own (no row's result depends on another's), so partitions are scored
independently and the results equal the single-process ones row for row.

Dask is optional (``pip install 'b12risk[dask]'``) and imported only inside the
functions that use it. :func:`add_score_parser` and :func:`cmd_score` are the
``b12risk score`` subcommand.

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> import pandas as pd
>>> from b12risk.scale import score_file
>>> folder = Path(tempfile.mkdtemp())
>>> pd.DataFrame({"patient_id": ["a", "b", "c"], "age": [67, 150, 40], "diet": ["vegan", "omnivore", "keto"]}).to_csv(
...     folder / "patients.csv", index=False
... )
>>> summary = score_file(folder / "patients.csv", folder / "scores.parquet", progress=False)
>>> summary.rows_in, summary.rows_scored, summary.rows_rejected
(3, 1, 2)
>>> pd.read_parquet(summary.output)[["patient_id", "row", "risk_band"]].to_dict("records")
[{'patient_id': 'a', 'row': 0, 'risk_band': 'high'}]
>>> print(summary.errors_path.read_text().strip())
row,field,problem
1,age,150 is impossible; expected 18 to 120 years (adults only: the article's infant risk (¶1) is not modelled)
2,diet,"'keto' is not one of omnivore, vegetarian, vegan"
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import re
import shutil
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from b12risk.errors import B12RiskError, ConfigError, InvalidPatientError

if TYPE_CHECKING:
    import dask.dataframe as dd
    import pyarrow as pa

    from b12risk.registry import LoadedModel

__all__ = [
    "CHECKPOINT_FORMAT",
    "DEFAULT_CHUNK_ROWS",
    "ScoreSummary",
    "add_score_parser",
    "cmd_score",
    "score",
    "score_file",
    "score_with_dask",
    "simulate",
]

log = logging.getLogger("b12risk.scale")

#: Rows scored at a time by :func:`score_file` unless told otherwise.
DEFAULT_CHUNK_ROWS = 100_000

#: Format number of the checkpoint in ``OUTPUT.parts/``. Bump it when the parts folder
#: changes in a way an older b12risk would misread on resume (a key renamed or given a
#: new meaning, parts named or laid out differently); a run interrupted under another
#: format is refused on resume, never guessed at.
CHECKPOINT_FORMAT = 1

_INPUTS = ((".parquet", "parquet"), (".pq", "parquet"), (".csv", "csv"), (".csv.gz", "csv"))
_OUTPUTS = ((".parquet", "parquet"), (".csv", "csv"))
_ERROR_COLUMNS = ("row", "field", "problem")
_DASK_HINT = "pip install 'b12risk[dask]'"
_INDEX_COLUMN = re.compile(r"__index_level_\d+__")
_ROW = re.compile(r"row (-?\d+): (.*)", re.S)
_ONE_FIELD = re.compile(r"field '([^']*)': (.*)", re.S)
_TWO_FIELDS = re.compile(r"fields '([^']*)' \(.*?\) and '([^']*)'", re.S)
_FINGERPRINT_BYTES = 1 << 20
_CSV_PARTITION_BYTES = "32MiB"  # of CSV text per Dask partition: about 60,000 patients


@dataclass(frozen=True)
class ScoreSummary:
    """What a scoring run did.

    Attributes
    ----------
    rows_in : int
        Rows read from the input; always ``rows_scored + rows_rejected``.
    rows_scored : int
        Rows written to the output with a probability.
    rows_rejected : int
        Rows that failed validation: listed in the errors file (:func:`score_file`) or
        given an ``error`` and no probability (:func:`score_with_dask`).
    output : pathlib.Path or str
        The output file; on a cluster the output folder (a str when it is a URL).
    errors_path : pathlib.Path or None
        ``OUTPUT.errors`` with one line per problem of each rejected row; None when no
        row was rejected, or on a cluster (where the ``error`` column says it).
    seconds : float
        Wall time of the scoring calls, model loading included, summed over an
        interrupted run and its resumptions.
    """

    rows_in: int
    rows_scored: int
    rows_rejected: int
    output: Path | str
    errors_path: Path | None
    seconds: float

    @property
    def rows_per_second(self) -> float:
        """Rows read per second of scoring time."""
        return self.rows_in / self.seconds if self.seconds > 0 else float("nan")


# --------------------------------------------------------------------------- paths and checks


def _kind(path: Path, table: tuple[tuple[str, str], ...], role: str) -> str:
    name = path.name.lower()
    for suffix, kind in sorted(table, key=lambda item: -len(item[0])):
        if name.endswith(suffix):
            return kind
    suffixes = [suffix for suffix, _ in table]
    allowed = ", ".join(suffixes[:-1]) + " or " + suffixes[-1]
    raise ConfigError(f"The {role} file must end in {allowed}. Got {str(path)!r} instead.")


def _check_chunk_rows(chunk_rows: object) -> int:
    from b12risk.validation import _is_whole, _show

    if not _is_whole(chunk_rows) or chunk_rows < 1:
        raise ConfigError(
            f"The 'chunk_rows' parameter of score_file must be an int in the range [1, inf). "
            f"Got {_show(chunk_rows)} instead."
        )
    return int(chunk_rows)


def _check_path(path: object, role: str) -> Path:
    """``path`` as a Path, if it can name a file: a str or path-like without NUL."""
    from b12risk.validation import _repr

    if not isinstance(path, str | os.PathLike):
        raise ConfigError(f"The {role} must be a str or path-like file name. Got {_repr(path)} instead.")
    text = os.fspath(path)
    if not isinstance(text, str) or "\0" in text:
        raise ConfigError(f"The {role} path {_repr(text)} is not a file name (bytes, or it contains a NUL).")
    return Path(text)


def _check_input(path: Path) -> str:
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


def _parts_dir(output: Path) -> Path:
    return output.with_name(output.name + ".parts")


def _errors_file(output: Path) -> Path:
    return output.with_name(output.name + ".errors")


def _temporary(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


def _fingerprint(path: Path) -> dict[str, Any]:
    """Size, modification time and a digest of the first and last MiB of ``path``."""
    stat = path.stat()
    digest = hashlib.sha256(str(stat.st_size).encode())
    with path.open("rb") as fh:
        digest.update(fh.read(_FINGERPRINT_BYTES))
        if stat.st_size > _FINGERPRINT_BYTES:
            fh.seek(max(stat.st_size - _FINGERPRINT_BYTES, _FINGERPRINT_BYTES))
            digest.update(fh.read())
    return {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "sha256_head_tail": digest.hexdigest()}


# --------------------------------------------------------------------------- columns


def _field_kinds() -> dict[str, str]:
    """Every accepted input column and its kind (alternative units are numeric)."""
    from b12risk.knowledge.schema import features

    kinds: dict[str, str] = {}
    for f in features().values():
        kinds[f.name] = f.kind
        for column, _unit, _factor in f.alt_units:
            kinds[column] = f.kind
    return kinds


def _skipped(name: str) -> bool:
    """Columns never read: the simulator's truth and index columns written by pandas."""
    from b12risk.knowledge.schema import truth_columns

    return name in truth_columns() or bool(_INDEX_COLUMN.fullmatch(name))


def _id_columns(columns: Iterable[Any]) -> list[str]:
    from b12risk.validation import ID_FIELDS

    return [c for c in columns if c in ID_FIELDS]


def _numbers_from_text(col: pa.ChunkedArray) -> Any:
    import pyarrow as pa
    import pyarrow.compute as pc

    if pa.types.is_null(col.type):  # nothing given in this chunk
        return np.full(len(col), np.nan)
    try:
        return pc.cast(col, pa.float64()).to_pandas().to_numpy()
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        text = col.to_pandas()
        numbers = pd.to_numeric(text, errors="coerce")
        values = numbers.to_numpy(dtype=object)
        wrong = (numbers.isna() & text.notna()).to_numpy()
        values[wrong] = text.to_numpy(dtype=object)[wrong]  # left as text, so validation names the value
        return pd.Series(values, dtype=object)


def _booleans_from_text(col: pa.ChunkedArray) -> Any:
    import pyarrow as pa
    import pyarrow.compute as pc

    if pa.types.is_null(col.type):
        return np.full(len(col), np.nan)
    low = pc.utf8_lower(pc.utf8_trim_whitespace(col))
    yes = pc.is_in(low, value_set=pa.array(["true", "1", "1.0"])).to_numpy(zero_copy_only=False)
    no = pc.is_in(low, value_set=pa.array(["false", "0", "0.0"])).to_numpy(zero_copy_only=False)
    null = col.is_null().to_numpy(zero_copy_only=False)
    values = np.where(yes, 1.0, np.where(no, 0.0, np.nan))
    other = ~(null | yes | no)
    if not other.any():
        return values
    mixed = values.astype(object)
    mixed[other] = col.to_pandas().to_numpy(dtype=object)[other]
    return pd.Series(mixed, dtype=object)


def _frame_from_text(table: pa.Table) -> pd.DataFrame:
    """A CSV chunk read as text, with numbers and true/false parsed per column.

    A value that does not parse stays text, so validation rejects its row by name.
    """
    kinds = _field_kinds()
    data: dict[str, Any] = {}
    for name in table.column_names:
        kind = kinds.get(name)
        col = table.column(name)
        if kind == "numeric":
            data[name] = _numbers_from_text(col)
        elif kind == "binary":
            data[name] = _booleans_from_text(col)
        else:  # categories, ids and unknown columns stay text
            data[name] = col.to_pandas()
    return pd.DataFrame(data, columns=table.column_names)


# --------------------------------------------------------------------------- reading in chunks


@dataclass(frozen=True)
class _Source:
    path: Path
    kind: str  # "parquet" | "csv"
    columns: list[str]  # the columns read
    skipped: list[str]  # truth and index columns, not read
    rows: int | None  # known in advance for Parquet


def _open_source(path: Path, kind: str) -> _Source:
    import pyarrow as pa

    try:
        if kind == "parquet":
            import pyarrow.parquet as pq

            pf = pq.ParquetFile(path)
            names, rows = list(pf.schema_arrow.names), pf.metadata.num_rows
        else:
            import pyarrow.csv as pacsv

            reader = pacsv.open_csv(path, read_options=pacsv.ReadOptions(block_size=1 << 20))
            names, rows = list(reader.schema.names), None
            reader.close()
    except (pa.ArrowInvalid, OSError) as exc:
        raise ConfigError(f"Cannot read {str(path)!r} as {kind}: {str(exc).splitlines()[0]}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"Cannot read {str(path)!r} as {kind}: its column names are not UTF-8 text (byte {exc.start})"
        ) from None
    _check_columns(path, kind, names)
    skipped = [n for n in names if _skipped(n)]
    if skipped:
        log.info("not reading %s from %s (simulator truth or index columns)", ", ".join(skipped), path)
    return _Source(path, kind, [n for n in names if not _skipped(n)], skipped, rows)


def _check_columns(path: Path, kind: str, names: list[str]) -> None:
    """Problems of the whole input, found before any row is read: a column named twice
    (which a table cannot hold), or ids that no output file could hold."""
    from collections import Counter

    problems = [
        f"{path}: column {name!r} appears {count} times; give each field once"
        for name, count in Counter(names).items()
        if count > 1
    ]
    if kind == "parquet" and not problems:
        import pyarrow as pa
        import pyarrow.parquet as pq

        schema = pq.read_schema(path)
        for name in _id_columns(names):
            t = schema.field(name).type
            if pa.types.is_dictionary(t):
                t = t.value_type
            binary = pa.types.is_binary(t) or pa.types.is_large_binary(t) or pa.types.is_fixed_size_binary(t)
            if pa.types.is_nested(t) or binary:  # a CSV output cannot hold these, nor show them
                problems.append(f"{path}: field {name!r}: expected ids as text or numbers, got a column of {t}")
    if problems:
        raise InvalidPatientError(problems)


def _drop_first(batches: Iterable[Any], rows: int) -> Iterator[Any]:
    for batch in batches:
        if rows >= batch.num_rows:
            rows -= batch.num_rows
            continue
        yield batch.slice(rows) if rows else batch
        rows = 0


def _batches(source: _Source, skip: int, batch_rows: int) -> Iterator[Any]:
    """Record batches of the input from row ``skip`` on."""
    if source.kind == "parquet":
        import pyarrow.parquet as pq

        # pre_buffer=False: with it, the reader keeps every range it has read until the
        # end of the file, and memory grows with the file's size
        pf = pq.ParquetFile(source.path, pre_buffer=False)
        meta = pf.metadata
        group, before = 0, 0
        while group < meta.num_row_groups and before + meta.row_group(group).num_rows <= skip:
            before += meta.row_group(group).num_rows
            group += 1
        if group == meta.num_row_groups:
            return iter(())
        groups = list(range(group, meta.num_row_groups))
        return _drop_first(
            pf.iter_batches(batch_size=batch_rows, row_groups=groups, columns=source.columns), skip - before
        )
    import pyarrow as pa
    import pyarrow.csv as pacsv

    reader = pacsv.open_csv(
        source.path,
        read_options=pacsv.ReadOptions(block_size=1 << 20),  # the reader reads ahead some blocks: keep them small
        convert_options=pacsv.ConvertOptions(
            column_types={name: pa.string() for name in source.columns},
            include_columns=source.columns,
            strings_can_be_null=True,
        ),
    )
    return _drop_first(reader, skip)


def _chunks(batches: Iterable[Any], rows: int) -> Iterator[pa.Table]:
    """Tables of exactly ``rows`` rows (the last one shorter) from any record batches."""
    import pyarrow as pa

    held: list[Any] = []
    count = 0
    for batch in batches:
        if batch.num_rows == 0:
            continue
        held.append(batch)
        count += batch.num_rows
        while count >= rows:
            table = pa.Table.from_batches(held)
            yield table.slice(0, rows)
            rest = table.slice(rows)
            held, count = rest.to_batches(), rest.num_rows
    if count:
        yield pa.Table.from_batches(held)


def _to_frame(table: pa.Table, kind: str, start: int) -> pd.DataFrame:
    """A chunk as pandas, indexed by row number in the input (never a RangeIndex, so
    validation names rows by these numbers)."""
    frame = _frame_from_text(table) if kind == "csv" else table.replace_schema_metadata(None).to_pandas()
    frame.index = pd.Index(np.arange(start, start + len(frame), dtype=np.int64))
    return frame


# --------------------------------------------------------------------------- finding the bad rows


def _strip_row(message: str) -> str:
    m = _ROW.fullmatch(message)
    return m[2] if m else message


def _by_row(problems: list[str], index: pd.Index) -> tuple[dict[Any, list[str]], list[str]]:
    """Problems of rows (by index label) and problems of no row (such as unknown columns)."""
    rows: dict[Any, list[str]] = {}
    general: list[str] = []
    for message in problems:
        m = _ROW.fullmatch(message)
        if m is None:
            general.append(message)
            continue
        label: Any = int(m[1])
        if isinstance(index, pd.RangeIndex):  # validation names positions for a RangeIndex
            label = index[label] if 0 <= label < len(index) else None
        rows.setdefault(label, []).append(m[2])
    return rows, general


def _bisect(frame: pd.DataFrame) -> dict[Any, list[str]]:
    """The rows of ``frame`` that fail validation, by halving; a fallback only."""
    from b12risk.validation import validate

    try:
        validate(frame)
    except InvalidPatientError as exc:
        if len(frame) == 1:
            return {frame.index[0]: [_strip_row(p) for p in exc.problems]}
        half = len(frame) // 2
        return {**_bisect(frame.iloc[:half]), **_bisect(frame.iloc[half:])}
    return {}


def _rejected(frame: pd.DataFrame, exc: InvalidPatientError) -> dict[Any, list[str]]:
    rows, general = _by_row(exc.problems, frame.index)
    if general:
        raise InvalidPatientError(general)
    if rows and all(label in frame.index for label in rows):
        return rows
    return _bisect(frame)


def _score_rows(frame: pd.DataFrame, model: Any, explain: bool) -> tuple[pd.DataFrame | None, dict[Any, list[str]]]:
    """``predict()`` of the valid rows of ``frame`` and the problems of the others.

    Validation names the rows of a batch, so one failed call finds every bad row; the
    good rows are then predicted in one more call. Problems that belong to no row
    (an unknown column) concern the whole input and are raised.
    """
    from b12risk.serving.predict import predict

    bad: dict[Any, list[str]] = {}
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


def _field_and_problem(message: str) -> tuple[str, str]:
    m = _ONE_FIELD.fullmatch(message)
    if m:
        return m[1], m[2]
    m = _TWO_FIELDS.match(message)
    if m:
        return f"{m[1]}+{m[2]}", message
    return "", message


def _score_chunk(
    frame: pd.DataFrame, model: Any, explain: bool
) -> tuple[pd.DataFrame | None, list[tuple[int, str, str]]]:
    """Score one chunk: output rows of the valid rows, (row, field, problem) of the others."""
    ids = _id_columns(frame.columns)
    out, bad = _score_rows(frame, model, explain)
    problems = [(int(row), *_field_and_problem(message)) for row in sorted(bad) for message in bad[row]]
    if out is None:
        return None, problems
    lead = frame.loc[out.index, ids].copy()
    lead["row"] = out.index.to_numpy(dtype=np.int64)
    scores = out.drop(columns=[c for c in ("id", *ids) if c in out.columns])
    return pd.concat([lead, scores], axis=1).reset_index(drop=True), problems


# --------------------------------------------------------------------------- parts and checkpoint


def _part(parts: Path, i: int) -> Path:
    return parts / f"part-{i:05d}.parquet"


def _errors_part(parts: Path, i: int) -> Path:
    return parts / f"errors-{i:05d}.csv"


def _checkpoint(parts: Path) -> Path:
    return parts / "checkpoint.json"


def _save_json(path: Path, data: dict[str, Any]) -> None:
    tmp = _temporary(path)
    tmp.write_text(json.dumps(data, indent=2), encoding="utf-8")
    os.replace(tmp, path)


def _write_part(parts: Path, i: int, scores: pd.DataFrame | None, problems: list[tuple[int, str, str]]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    for stale in (_part(parts, i), _errors_part(parts, i)):
        stale.unlink(missing_ok=True)
    if scores is not None:
        tmp = _temporary(_part(parts, i))
        pq.write_table(pa.Table.from_pandas(scores, preserve_index=False), tmp, compression="zstd")
        os.replace(tmp, _part(parts, i))
    if problems:
        tmp = _temporary(_errors_part(parts, i))
        pd.DataFrame(problems, columns=list(_ERROR_COLUMNS)).to_csv(tmp, index=False, header=False)
        os.replace(tmp, _errors_part(parts, i))


def _identity(input_path: Path, runtime: Any, explain: bool) -> dict[str, Any]:
    return {
        "input": {"path": str(input_path.resolve()), **_fingerprint(input_path)},
        "model": {"version": runtime.version, "metadata_sha256": runtime.metadata.get("metadata_sha256")},
        "explain": bool(explain),
    }


def _resume_mismatch(saved: dict[str, Any], now: dict[str, Any]) -> str | None:
    if saved.get("format") != CHECKPOINT_FORMAT:
        return f"it was written in checkpoint format {saved.get('format')!r}, this b12risk reads {CHECKPOINT_FORMAT}"
    was, is_ = saved.get("input", {}), now["input"]
    if any(was.get(k) != is_[k] for k in ("size", "mtime_ns", "sha256_head_tail")):
        return (
            f"the input is not the file it read (then {was.get('size')} bytes modified at {was.get('mtime_ns')} ns, "
            f"now {is_['size']} bytes modified at {is_['mtime_ns']} ns)"
        )
    if saved.get("model") != now["model"]:
        then, current = saved.get("model") or {}, now["model"]
        return f"it used model {then.get('version')} and this run uses model {current['version']}"
    if saved.get("explain") != now["explain"]:
        return f"it ran with explain={saved.get('explain')} and this run has explain={now['explain']}"
    return None


def _begin(output: Path, parts: Path, identity: dict[str, Any], resume: bool) -> dict[str, Any]:
    """The run's state: a new one, or the checkpoint of the interrupted run to resume."""
    if parts.exists():
        if not resume:
            raise ConfigError(
                f"The folder {str(parts)!r} holds an interrupted run for this output; "
                "pass --resume (resume=True) to continue it, or delete the folder to start over."
            )
        try:
            saved = json.loads(_checkpoint(parts).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            saved = None
        if not isinstance(saved, dict):
            raise ConfigError(
                f"Cannot resume: {str(_checkpoint(parts))!r} is missing or unreadable; "
                f"delete {str(parts)!r} and start over without --resume."
            )
        why = _resume_mismatch(saved, identity)
        if why:
            raise ConfigError(
                f"Cannot resume the interrupted run in {str(parts)!r}: {why}. "
                f"Delete {str(parts)!r} and start over without --resume."
            )
        for stale in [*parts.glob("part-*.parquet"), *parts.glob("errors-*.csv")]:
            if int(stale.stem.split("-")[1]) >= saved["parts"]:
                stale.unlink()
        log.info("resuming %s at row %d (part %d)", output, saved["rows_done"], saved["parts"])
        return saved
    if output.exists():
        if resume:
            raise ConfigError(
                f"The output file {str(output)!r} already exists and there is no interrupted run to resume "
                f"(no {str(parts)!r}); delete it or choose another output."
            )
        raise ConfigError(
            f"The output file {str(output)!r} already exists; expected a new path (delete it or choose another output)."
        )
    if not output.parent.is_dir():
        raise ConfigError(f"The output folder {str(output.parent)!r} does not exist.")
    if resume:
        log.info("nothing to resume for %s; starting at the first row", output)
    state = {
        "format": CHECKPOINT_FORMAT,
        **identity,
        "output": str(output.resolve()),
        "parts": 0,
        "rows_done": 0,
        "rows_scored": 0,
        "rows_rejected": 0,
        "seconds": 0.0,
        "finished": False,
    }
    parts.mkdir()
    _save_json(_checkpoint(parts), state)
    return state


def _finish(parts: Path, output: Path, kind: str, state: dict[str, Any]) -> Path | None:
    """Combine the parts into ``output`` and the errors file, each atomically."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    files = [_part(parts, i) for i in range(state["parts"]) if _part(parts, i).exists()]
    schemas = [pq.read_schema(f) for f in files] or [_empty_schema(state)]
    written = sum(pq.ParquetFile(f).metadata.num_rows for f in files)
    if written != state["rows_scored"]:
        raise B12RiskError(
            f"internal error: the parts in {str(parts)!r} hold {written} rows but {state['rows_scored']} were scored; "
            "delete the folder and start over"
        )
    schema = pa.unify_schemas([s.remove_metadata() for s in schemas], promote_options="permissive")
    tmp = _temporary(output)
    try:
        if kind == "parquet":
            with pq.ParquetWriter(tmp, schema, compression="zstd") as writer:
                for f in files:
                    writer.write_table(pq.read_table(f).cast(schema))
        else:
            import pyarrow.csv as pacsv

            with pacsv.CSVWriter(tmp, schema) as writer:
                for f in files:
                    writer.write_table(pq.read_table(f).cast(schema))
        os.replace(tmp, output)
    finally:
        tmp.unlink(missing_ok=True)
    errors = _errors_file(output)
    pieces = [_errors_part(parts, i) for i in range(state["parts"]) if _errors_part(parts, i).exists()]
    if not state["rows_rejected"]:
        errors.unlink(missing_ok=True)  # a stale file from an earlier run would describe another output
        return None
    tmp = _temporary(errors)
    try:
        with tmp.open("wb") as out:
            out.write((",".join(_ERROR_COLUMNS) + "\n").encode())
            for piece in pieces:
                with piece.open("rb") as fh:
                    shutil.copyfileobj(fh, out)
        os.replace(tmp, errors)
    finally:
        tmp.unlink(missing_ok=True)
    return errors


def _empty_schema(state: dict[str, Any]) -> pa.Schema:
    """The output's columns when no row could be scored."""
    import pyarrow as pa

    ids = {name: str for name in state.get("id_columns", [])}
    frame = _meta(ids, state["explain"]).drop(columns="error")
    frame.insert(len(ids), "row", pd.Series([], dtype="int64"))
    return pa.Schema.from_pandas(frame, preserve_index=False)


def _check_counts(rows_in: int, scored: int, rejected: int) -> None:
    if rows_in != scored + rejected:
        raise B12RiskError(
            f"internal error: {rows_in} rows read but {scored} scored and {rejected} rejected "
            f"({scored + rejected}); every row must be one or the other"
        )


# --------------------------------------------------------------------------- one machine


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
        NUL) or the file system refuses it, ``chunk_rows`` is not a positive int, the
        input is empty, or a resume does not match the interrupted run. Each message
        names the path and what is expected.
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
    from tqdm.auto import tqdm

    from b12risk.serving.runtime import resolve

    started = time.perf_counter()
    src, out = _check_path(input, "input"), _check_path(output, "output")
    model = str(model) if isinstance(model, os.PathLike) else model
    chunk_rows = _check_chunk_rows(chunk_rows)
    in_kind = _check_input(src)
    out_kind = _kind(out, _OUTPUTS, "output")
    runtime = resolve(model)
    parts = _parts_dir(out)
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
                        raise InvalidPatientError([f"{src}: {p}" for p in exc.problems]) from None
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


def _read(source: _Source, skip: int, chunk_rows: int) -> Iterator[pa.Table]:
    """The input's chunks from row ``skip`` on; a damaged file is a ConfigError."""
    import pyarrow as pa

    done = skip
    try:
        for table in _chunks(_batches(source, skip, chunk_rows), chunk_rows):
            yield table
            done += table.num_rows
    except (pa.ArrowInvalid, OSError) as exc:
        raise ConfigError(
            f"Cannot read {str(source.path)!r} after row {done}: {str(exc).splitlines()[0]}; "
            f"expected a well-formed {source.kind} file"
        ) from None


# --------------------------------------------------------------------------- Dask


def _require_dask(distributed: bool = False) -> Any:
    try:
        import dask.dataframe as dd

        if distributed:
            import distributed as _  # noqa: F401
    except ImportError as exc:
        raise ConfigError(
            f"Scoring with Dask needs dask and distributed ({exc.name} is missing): {_DASK_HINT}"
        ) from None
    return dd


def _loaded(model: Any) -> LoadedModel:
    """A verified LoadedModel for the workers (loaded here, once)."""
    from b12risk import registry
    from b12risk.serving.runtime import runtime_for

    loaded = model if isinstance(model, registry.LoadedModel) else None
    if loaded is None:
        if model is not None and not isinstance(model, str | os.PathLike):
            raise ConfigError(f"model must be None, a version, a path or a LoadedModel; got {type(model).__name__}")
        loaded = registry.load_model(str(model) if model is not None else "latest")
    runtime_for(loaded)  # the checks predict() makes, made here rather than on each worker
    return loaded


_WORKER_MODELS: dict[tuple[str, Any], Any] = {}


def _worker_model(loaded: LoadedModel) -> LoadedModel:
    """One LoadedModel object per model and process, so predict()'s cache hits on a worker."""
    key = (loaded.version, loaded.metadata.get("metadata_sha256"))
    return _WORKER_MODELS.setdefault(key, loaded)


def _meta(ids: dict[str, Any], explain: bool, top: int = 3) -> pd.DataFrame:
    """The empty frame describing :func:`score`'s output columns and dtypes."""
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


def _score_partition(
    part: pd.DataFrame, loaded: LoadedModel, explain: bool, text: bool, meta: pd.DataFrame
) -> pd.DataFrame:
    """Score one partition; rejected rows get an ``error`` and no probability."""
    import pyarrow as pa

    model = _worker_model(loaded)
    frame = part[[c for c in part.columns if not _skipped(str(c))]]
    if text:
        frame = _frame_from_text(pa.Table.from_pandas(frame, preserve_index=False))
    frame = frame.set_axis(pd.Index(np.arange(len(frame), dtype=np.int64)), axis=0)
    ids = _id_columns(frame.columns)
    out, bad = _score_rows(frame, model, explain) if len(frame) else (None, {})
    data: dict[str, Any] = {}
    for name, dtype in meta.dtypes.items():
        if name in ids:
            data[name] = frame[name].to_numpy()
            continue
        col = np.full(len(frame), np.nan) if dtype.kind == "f" else np.full(len(frame), None, dtype=object)
        if out is not None and name in out.columns:
            col[out.index.to_numpy()] = out[name].to_numpy()
        data[name] = col
    for row, messages in bad.items():
        data["error"][row] = " | ".join(messages)
    return pd.DataFrame(data, index=part.index).astype(meta.dtypes.to_dict())


def _score_ddf(ddf: dd.DataFrame, model: Any, explain: bool, text: bool) -> dd.DataFrame:
    import dask

    loaded = _loaded(model)
    keep = [c for c in ddf.columns if not _skipped(str(c))]
    ids = {name: ddf[name].dtype for name in _id_columns(keep)}
    meta = _meta(ids, explain)
    name = f"b12risk-model-{loaded.version}-{loaded.metadata.get('metadata_sha256')}"
    shipped = dask.delayed(loaded, name=name)  # one copy in the graph, one per worker
    return ddf[keep].map_partitions(_score_partition, shipped, explain, text, meta, meta=meta)


def score(ddf: dd.DataFrame, *, model: Any = None, explain: bool = False) -> dd.DataFrame:
    """Score a Dask DataFrame of patients, partition by partition.

    Parameters
    ----------
    ddf : dask.dataframe.DataFrame
        One row per patient, columns as for :func:`b12risk.serving.predict` (``true_*`` and
        pandas index columns are ignored).
    model : LoadedModel, version string or path, optional
        Loaded and verified here, then sent to each worker once (workers need
        b12risk installed, not the model files). The latest release by default.
    explain : bool, default False
        Add the three largest SHAP contributions of each row.

    Returns
    -------
    dask.dataframe.DataFrame
        Lazy; same partitions and index as ``ddf``. Columns: ``id``/``patient_id``
        when given, ``probability``, ``risk_band``, ``information_level``,
        ``model_version``, ``warnings``, the ``top*`` columns with ``explain``, and
        ``error``: missing (None or NaN, as the string dtype has it) for a scored row;
        for a row that failed validation, its problems joined by " | ", with
        ``probability`` NaN and the other result columns missing.

    Raises
    ------
    ConfigError
        If dask is not installed.
    ModelIntegrityError
        If the model cannot be loaded.

    Examples
    --------
    >>> from b12risk import scale
    >>> cohort = scale.simulate(200_000, seed=1)  # doctest: +SKIP
    >>> scored = scale.score(cohort).compute()  # doctest: +SKIP
    """
    _require_dask()
    return _score_ddf(ddf, model, explain, text=False)


def _simulate_blocks(
    blocks: tuple[int, int], *, n: int, scenario: str, seed: int, labs: str
) -> pd.DataFrame:  # pragma: no cover - runs on workers
    from itertools import islice

    from b12risk.simulation.cohort import iter_blocks

    first, stop = blocks
    frames = list(islice(iter_blocks(n, scenario=scenario, seed=seed, labs=labs, start=first), stop - first))
    return frames[0] if len(frames) == 1 else pd.concat(frames)


def simulate(
    n: int, *, scenario: str = "us_uk", seed: int = 0, labs: str = "clinical", npartitions: int | None = None
) -> dd.DataFrame:
    """:func:`b12risk.simulate` as a Dask DataFrame, generated on the workers.

    Partitions are made of whole :data:`b12risk.simulation.cohort.BLOCK_ROWS` blocks, each from
    its own spawned child seed, so the result equals ``b12risk.simulate(n, ...)`` row
    for row, index included, whatever ``npartitions`` is.

    Parameters
    ----------
    n : int
        Number of patients, at least 1.
    scenario, seed, labs
        As for :func:`b12risk.simulate`.
    npartitions : int, optional
        Number of partitions, from 1 to the number of blocks ``ceil(n / BLOCK_ROWS)``;
        blocks are shared out as evenly as possible. One block per partition by default.

    Returns
    -------
    dask.dataframe.DataFrame
        Lazy, with known divisions (the row numbers where partitions start).

    Raises
    ------
    ConfigError
        If an argument is invalid, or dask is not installed.

    Examples
    --------
    >>> from b12risk import scale
    >>> ddf = scale.simulate(200_000, seed=3, npartitions=2)  # doctest: +SKIP
    >>> ddf.npartitions  # doctest: +SKIP
    2
    """
    dd = _require_dask()
    from b12risk.knowledge import load
    from b12risk.simulation.cohort import BLOCK_ROWS, _check_args, iter_blocks
    from b12risk.validation import _is_whole

    _check_args(n, scenario, seed, labs, load())
    blocks = -(-n // BLOCK_ROWS)
    if npartitions is None:
        npartitions = blocks
    if not _is_whole(npartitions) or not 1 <= npartitions <= blocks:
        raise ConfigError(
            f"The 'npartitions' parameter of simulate must be an int in the range [1, {blocks}] "
            f"(the number of {BLOCK_ROWS}-row blocks in {n} rows). Got {npartitions!r} instead."
        )
    edges = np.linspace(0, blocks, int(npartitions) + 1).round().astype(int)
    ranges = [(int(a), int(b)) for a, b in pairwise(edges)]
    meta = next(iter_blocks(1, scenario=scenario, seed=seed, labs=labs)).iloc[:0]
    divisions = [a * BLOCK_ROWS for a, _ in ranges] + [n - 1]
    return dd.from_map(
        _simulate_blocks,
        ranges,
        n=n,
        scenario=scenario,
        seed=seed,
        labs=labs,
        meta=meta,
        divisions=divisions,
        label="b12risk-simulate",
        enforce_metadata=False,
    )


def _part_name(i: int) -> str:
    """Part file names that sort in row order."""
    return f"part.{i:06d}.parquet"


def score_with_dask(
    input: str | os.PathLike[str],
    output: str | os.PathLike[str],
    *,
    scheduler: str,
    model: Any = None,
    explain: bool = False,
) -> ScoreSummary:
    """Score a file on a Dask cluster and write the result as a Parquet folder.

    Parameters
    ----------
    input : str or path-like
        ``.parquet`` (a file or a folder of parts), ``.csv`` or ``.csv.gz``, readable
        at the same path by the workers (a shared file system or an fsspec URL such as
        ``s3://``). CSV is read as text and parsed per field as in :func:`score_file`.
    output : str or path-like
        A ``.parquet`` folder that must not exist; written next to it under a
        temporary name and renamed when complete (a URL is written in place).
    scheduler : str
        Address of the Dask scheduler, such as ``tcp://10.0.0.5:8786``.
    model : LoadedModel, version string or path, optional
        Loaded and verified on this machine, then sent to each worker once.
    explain : bool, default False
        Add the three largest SHAP contributions of each row.

    Returns
    -------
    ScoreSummary
        ``errors_path`` is None: rejected rows are in the output with an ``error``.

    Raises
    ------
    ConfigError
        Dask is missing, the input is missing or has another suffix, the output
        exists or is not ``.parquet``, or no scheduler answers at ``scheduler``.
    InvalidPatientError
        A problem of the whole input rather than of rows (an unknown column).
    """
    dd = _require_dask(distributed=True)
    import dask
    from distributed import Client

    started = time.perf_counter()
    src, out = str(input), str(output)
    remote_in, remote_out = "://" in src, "://" in out
    kind = _kind(Path(src.rstrip("/")), _INPUTS, "input")
    if not remote_in and not Path(src).exists():
        raise ConfigError(f"The input file {src!r} does not exist; expected a CSV or Parquet file of patients.")
    if not out.lower().rstrip("/").endswith(".parquet"):
        raise ConfigError(
            f"The output of a cluster run is a Parquet folder and must end in .parquet. Got {out!r} instead."
        )
    if not remote_out and Path(out).exists():
        raise ConfigError(
            f"The output {out!r} already exists; expected a new path (delete it or choose another output)."
        )
    loaded = _loaded(model)
    try:
        client = Client(scheduler)
    except (ValueError, OSError) as exc:  # a malformed address, or no scheduler answering there
        from b12risk.validation import _repr

        raise ConfigError(
            f"Cannot connect to the Dask scheduler {_repr(scheduler)}: {str(exc).splitlines()[0]}; "
            "expected an address such as tcp://10.0.0.5:8786"
        ) from None
    target = out if remote_out else str(_temporary(Path(out)))
    try:
        with client:
            if kind == "parquet":
                # one partition per row group: a cohort file's blocks of 65,536 rows
                ddf = dd.read_parquet(src, split_row_groups=True)
            else:
                ddf = dd.read_csv(src, dtype=str, blocksize=_CSV_PARTITION_BYTES, keep_default_na=True)
            scored = _score_ddf(ddf, loaded, explain, text=kind == "csv")
            write = scored.to_parquet(target, write_index=False, compute=False, name_function=_part_name)
            # one graph: each partition is read and scored once, for the file and both counts
            rows_in, rows_scored = dask.compute(write, scored.shape[0], scored["error"].isna().sum())[1:]
        if not remote_out:
            os.replace(target, out)
    finally:
        if not remote_out:
            shutil.rmtree(target, ignore_errors=True)
    rows_in, rows_scored = int(rows_in), int(rows_scored)
    summary = ScoreSummary(
        rows_in=rows_in,
        rows_scored=rows_scored,
        rows_rejected=rows_in - rows_scored,
        output=out if remote_out else Path(out),
        errors_path=None,
        seconds=time.perf_counter() - started,
    )
    _check_counts(summary.rows_in, summary.rows_scored, summary.rows_rejected)
    return summary


# --------------------------------------------------------------------------- command line


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
                f"b12risk score: interrupted; finished chunks are kept in {_parts_dir(Path(args.out))}: "
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
