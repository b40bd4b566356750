"""The parts folder of a run on one machine: finished chunks, the checkpoint, and resuming.

Each finished chunk is written next to the output as ``OUTPUT.parts/part-NNNNN.parquet``
(and ``errors-NNNNN.csv`` for its rejected rows), each atomically, with a checkpoint
naming the input (size, modification time and a digest of its first and last MiB), the
model, ``explain`` and the rows done. A resumed run must match all of them. At the end
the parts are combined into the output and the errors file, each atomically.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from b12risk.errors import B12RiskError, ConfigError
from b12risk.scale.rows import _meta

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["CHECKPOINT_FORMAT", "parts_dir"]

log = logging.getLogger("b12risk.scale")

#: Format number of the checkpoint in ``OUTPUT.parts/``. Bump it when the parts folder
#: changes in a way an older b12risk would misread on resume (a key renamed or given a
#: new meaning, parts named or laid out differently); a run interrupted under another
#: format is refused on resume, never guessed at.
CHECKPOINT_FORMAT = 1

#: Columns of the errors file, one line per problem of each rejected row.
_ERROR_COLUMNS = ("row", "field", "problem")
_FINGERPRINT_BYTES = 1 << 20


def parts_dir(output: Path) -> Path:
    """The folder ``OUTPUT.parts`` where a run on one machine keeps its finished chunks."""
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
    import pyarrow as pa  # heavy: imported only where files are read or written
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
    import pyarrow as pa  # heavy: imported only where files are read or written
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
    import pyarrow as pa  # heavy: imported only where files are read or written

    ids = {name: str for name in state.get("id_columns", [])}
    frame = _meta(ids, state["explain"]).drop(columns="error")
    frame.insert(len(ids), "row", pd.Series([], dtype="int64"))
    return pa.Schema.from_pandas(frame, preserve_index=False)
