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
functions that use it. The ``b12risk score`` subcommand is :mod:`b12risk.cli.score`.

The modules: :mod:`~b12risk.scale.files` (:func:`score_file`),
:mod:`~b12risk.scale.streaming` (reading a file in chunks),
:mod:`~b12risk.scale.rows` (scoring a frame's rows, setting bad ones aside),
:mod:`~b12risk.scale.checkpoint` (parts, checkpoint and resume),
:mod:`~b12risk.scale.cluster` (Dask) and :mod:`~b12risk.scale.summary`.

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

from b12risk.scale.checkpoint import CHECKPOINT_FORMAT
from b12risk.scale.cluster import score, score_with_dask, simulate
from b12risk.scale.files import DEFAULT_CHUNK_ROWS, score_file
from b12risk.scale.summary import ScoreSummary

__all__ = [
    "CHECKPOINT_FORMAT",
    "DEFAULT_CHUNK_ROWS",
    "ScoreSummary",
    "score",
    "score_file",
    "score_with_dask",
    "simulate",
]
