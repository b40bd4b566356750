"""Scoring and simulating on a Dask cluster: :func:`score`, :func:`simulate` and
:func:`score_with_dask`.

Each row is scored on its own (no row's result depends on another's), so partitions
are scored independently and the results equal the single-process ones row for row.
Dask is optional (``pip install 'b12risk[dask]'``) and imported only inside the
functions that use it.
"""

from __future__ import annotations

import os
import shutil
import time
from itertools import islice, pairwise
from numbers import Integral
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from b12risk.errors import ConfigError
from b12risk.knowledge import load
from b12risk.registry import LoadedModel, load_model
from b12risk.scale.checkpoint import _temporary
from b12risk.scale.files import MODEL
from b12risk.scale.rows import _meta, _score_rows
from b12risk.scale.streaming import _INPUTS, _frame_from_text, _id_columns, _kind, _skipped
from b12risk.scale.summary import ScoreSummary, _check_counts
from b12risk.serving.runtime import runtime_for
from b12risk.simulation.cohort import BLOCK_ROWS, _check_args, iter_blocks
from b12risk.validation.constraints import Interval, validate_params
from b12risk.validation.text import _repr, _show

if TYPE_CHECKING:
    import dask.dataframe as dd

__all__ = ["SCORE_PARAMS", "SCORE_WITH_DASK_PARAMS", "SIMULATE_PARAMS", "score", "score_with_dask", "simulate"]

_DASK_HINT = "pip install 'b12risk[dask]'"
_CSV_PARTITION_BYTES = "32MiB"  # of CSV text per Dask partition: about 60,000 patients

#: What :func:`score` takes (``ddf`` is not checked here: that would import dask).
SCORE_PARAMS: dict[str, list[Any]] = {"model": MODEL}
#: What :func:`simulate` takes besides the arguments of :func:`b12risk.simulate`, which
#: that function checks; the upper bound of ``npartitions`` depends on ``n`` and is checked in the body.
SIMULATE_PARAMS: dict[str, list[Any]] = {"npartitions": [Interval(Integral, 1, None, closed="left"), None]}
#: What :func:`score_with_dask` takes.
SCORE_WITH_DASK_PARAMS: dict[str, list[Any]] = {
    "input": [str, os.PathLike],
    "output": [str, os.PathLike],
    "scheduler": [str],
    "model": MODEL,
}


def _require_dask(distributed: bool = False) -> Any:
    try:
        import dask.dataframe as dd  # optional: pip install 'b12risk[dask]'

        if distributed:
            import distributed as _  # noqa: F401  optional, as dask
    except ImportError as exc:
        raise ConfigError(
            f"Scoring with Dask needs dask and distributed ({exc.name} is missing): {_DASK_HINT}"
        ) from None
    return dd


def _loaded(model: Any) -> LoadedModel:
    """A verified LoadedModel for the workers (loaded here, once); ``model`` as :data:`MODEL` allows."""
    loaded = model if isinstance(model, LoadedModel) else None
    if loaded is None:
        loaded = load_model(str(model) if model is not None else "latest")
    runtime_for(loaded)  # the checks predict() makes, made here rather than on each worker
    return loaded


_WORKER_MODELS: dict[tuple[str, Any], Any] = {}


def _worker_model(loaded: LoadedModel) -> LoadedModel:
    """One LoadedModel object per model and process, so predict()'s cache hits on a worker."""
    key = (loaded.version, loaded.metadata.get("metadata_sha256"))
    return _WORKER_MODELS.setdefault(key, loaded)


def _score_partition(
    part: pd.DataFrame, loaded: LoadedModel, explain: bool, text: bool, meta: pd.DataFrame
) -> pd.DataFrame:
    """Score one partition; rejected rows get an ``error`` and no probability."""
    import pyarrow as pa  # heavy: imported only where files are read or written

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
    for row, problems in bad.items():
        data["error"][row] = " | ".join(p.statement for p in problems)
    return pd.DataFrame(data, index=part.index).astype(meta.dtypes.to_dict())


def _score_ddf(ddf: dd.DataFrame, model: Any, explain: bool, text: bool) -> dd.DataFrame:
    import dask  # optional, and present: the caller passed a Dask DataFrame

    loaded = _loaded(model)
    keep = [c for c in ddf.columns if not _skipped(str(c))]
    ids = {name: ddf[name].dtype for name in _id_columns(keep)}
    meta = _meta(ids, explain)
    name = f"b12risk-model-{loaded.version}-{loaded.metadata.get('metadata_sha256')}"
    shipped = dask.delayed(loaded, name=name)  # one copy in the graph, one per worker
    return ddf[keep].map_partitions(_score_partition, shipped, explain, text, meta, meta=meta)


@validate_params(SCORE_PARAMS)
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
        If dask is not installed, or ``model`` is not None, a str, path-like or a
        LoadedModel.
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
    first, stop = blocks
    frames = list(islice(iter_blocks(n, scenario=scenario, seed=seed, labs=labs, start=first), stop - first))
    return frames[0] if len(frames) == 1 else pd.concat(frames)


@validate_params(SIMULATE_PARAMS)
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
    _check_args(n, scenario, seed, labs, load())
    blocks = -(-n // BLOCK_ROWS)
    if npartitions is None:
        npartitions = blocks
    if npartitions > blocks:  # its type and lower bound are declared in SIMULATE_PARAMS
        raise ConfigError(
            f"The 'npartitions' parameter of simulate must be an int in the range [1, {blocks}] "
            f"(the number of {BLOCK_ROWS}-row blocks in {n} rows). Got {_show(npartitions)} instead."
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


@validate_params(SCORE_WITH_DASK_PARAMS)
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
        Dask is missing, an argument is not of a type declared in
        :data:`SCORE_WITH_DASK_PARAMS`, the input is missing or has another suffix, the
        output exists or is not ``.parquet``, or no scheduler answers at ``scheduler``.
    InvalidPatientError
        A problem of the whole input rather than of rows (an unknown column).
    """
    dd = _require_dask(distributed=True)
    import dask  # optional: _require_dask said how to install it
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
