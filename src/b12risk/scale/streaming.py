"""Reading a CSV or Parquet file of patients in chunks of a fixed number of rows.

Parquet is read by row group and CSV in small blocks, so memory stays bounded whatever
the file's size; a run can start at any row (to resume). CSV cells are read as text and
parsed per field (numbers, and true/false for yes-no fields); a cell that does not parse
stays text, so validation names it. The simulator's truth columns and pandas index
columns are not read.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from b12risk.errors import ConfigError, InvalidPatientError, Problem
from b12risk.knowledge.schema import features, truth_columns
from b12risk.validation import ID_FIELDS

if TYPE_CHECKING:
    import pyarrow as pa

__all__: list[str] = []  # used by b12risk.scale's modules only

log = logging.getLogger("b12risk.scale")

_INPUTS = ((".parquet", "parquet"), (".pq", "parquet"), (".csv", "csv"), (".csv.gz", "csv"))
_OUTPUTS = ((".parquet", "parquet"), (".csv", "csv"))
_INDEX_COLUMN = re.compile(r"__index_level_\d+__")
_MAX_BATCH_ROWS = 2**63 - 1  # pyarrow's batch size is a C long; larger chunks are put together by _chunks


def _kind(path: Path, table: tuple[tuple[str, str], ...], role: str) -> str:
    name = path.name.lower()
    for suffix, kind in sorted(table, key=lambda item: -len(item[0])):
        if name.endswith(suffix):
            return kind
    suffixes = [suffix for suffix, _ in table]
    allowed = ", ".join(suffixes[:-1]) + " or " + suffixes[-1]
    raise ConfigError(f"The {role} file must end in {allowed}. Got {str(path)!r} instead.")


def _field_kinds() -> dict[str, str]:
    """Every accepted input column and its kind (alternative units are numeric)."""
    kinds: dict[str, str] = {}
    for f in features().values():
        kinds[f.name] = f.kind
        for column, _unit, _factor in f.alt_units:
            kinds[column] = f.kind
    return kinds


def _skipped(name: str) -> bool:
    """Columns never read: the simulator's truth and index columns written by pandas."""
    return name in truth_columns() or bool(_INDEX_COLUMN.fullmatch(name))


def _id_columns(columns: Iterable[Any]) -> list[str]:
    return [c for c in columns if c in ID_FIELDS]


def _numbers_from_text(col: pa.ChunkedArray) -> Any:
    import pyarrow as pa  # heavy: imported only where files are read or written
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
    import pyarrow as pa  # heavy: imported only where files are read or written
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


@dataclass(frozen=True)
class _Source:
    path: Path
    kind: str  # "parquet" | "csv"
    columns: list[str]  # the columns read
    skipped: list[str]  # truth and index columns, not read
    rows: int | None  # known in advance for Parquet


def _open_source(path: Path, kind: str) -> _Source:
    import pyarrow as pa  # heavy: imported only where files are read or written

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
    problems = [
        Problem(
            value=name,
            expected="each field once",
            detail=f"{path}: column {name!r} appears {count} times; give each field once",
        )
        for name, count in Counter(names).items()
        if count > 1
    ]
    if kind == "parquet" and not problems:
        import pyarrow as pa  # heavy: imported only where files are read or written
        import pyarrow.parquet as pq

        schema = pq.read_schema(path)
        for name in _id_columns(names):
            t = schema.field(name).type
            if pa.types.is_dictionary(t):
                t = t.value_type
            binary = pa.types.is_binary(t) or pa.types.is_large_binary(t) or pa.types.is_fixed_size_binary(t)
            if pa.types.is_nested(t) or binary:  # a CSV output cannot hold these, nor show them
                expected = "ids as text or numbers"
                detail = f"{path}: field {name!r}: expected {expected}, got a column of {t}"
                problems.append(Problem(value=str(t), expected=expected, detail=detail))
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
            pf.iter_batches(batch_size=min(batch_rows, _MAX_BATCH_ROWS), row_groups=groups, columns=source.columns),
            skip - before,
        )
    import pyarrow as pa  # heavy: imported only where files are read or written
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
    import pyarrow as pa  # heavy: imported only where files are read or written

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


def _read(source: _Source, skip: int, chunk_rows: int) -> Iterator[pa.Table]:
    """The input's chunks from row ``skip`` on; a damaged file is a ConfigError."""
    import pyarrow as pa  # heavy: imported only where files are read or written

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
