"""Reading NHANES tables: CDC's SAS transport files or CSV copies, checked against their digests.

A folder holds one file per table, named for the table (``DEMO_C.XPT`` as downloaded from
CDC, or ``DEMO_C.csv.xz`` / ``DEMO_C.csv``; ``.XPT.xz`` is a compressed transport file).
The folder shipped with b12risk (:func:`data_dir`) lists a SHA-256 for every file in
``SHA256SUMS``; a shipped file whose digest differs is refused.

Examples
--------
>>> from b12risk.nhanes.tables import read_table
>>> demo = read_table("DEMO_C")
>>> int(demo["SEQN"].is_unique), "RIDAGEYR" in demo.columns
(1, True)
"""

from __future__ import annotations

import hashlib
import io
import lzma
import os
from functools import lru_cache
from pathlib import Path

import pandas as pd

from b12risk.errors import ConfigError, KnowledgeError
from b12risk.paths import CHECKOUT, PACKAGE

__all__ = ["SUFFIXES", "data_dir", "find_table", "read_table", "verify_shipped"]

#: File endings tried for a table, in order.
SUFFIXES: tuple[str, ...] = (".XPT", ".xpt", ".csv.xz", ".csv", ".XPT.xz", ".xpt.xz")

#: Environment variable naming another folder of NHANES tables.
ENV_VAR = "B12RISK_NHANES"


def data_dir() -> Path:
    """The folder of shipped NHANES tables.

    ``$B12RISK_NHANES`` if set; else the installed package's ``b12risk/data/nhanes``; else
    the source checkout's ``data/nhanes``.
    """
    override = os.environ.get(ENV_VAR, "").strip()
    if override:
        return Path(override).expanduser()
    here = PACKAGE
    for candidate in (PACKAGE / "data" / "nhanes", CHECKOUT / "data" / "nhanes"):
        if candidate.is_dir():
            return candidate
    raise KnowledgeError(f"no NHANES data folder found in {here / 'data' / 'nhanes'} or the source checkout")


def find_table(name: str, directory: str | os.PathLike[str] | None = None) -> Path:
    """The file holding NHANES table ``name`` in ``directory`` (the shipped folder by default).

    Raises
    ------
    ConfigError
        If no file for the table exists, naming the folder, the names tried and where
        CDC publishes the table.
    """
    folder = data_dir() if directory is None else Path(directory)
    if not folder.is_dir():
        raise ConfigError(f"NHANES folder {str(folder)!r} does not exist; expected a folder of NHANES tables")
    for suffix in SUFFIXES:
        path = folder / f"{name}{suffix}"
        if path.is_file():
            return path
    tried = ", ".join(f"{name}{s}" for s in SUFFIXES[:4])
    raise ConfigError(
        f"NHANES table {name} not found in {str(folder)!r} (tried {tried}); download {name}.XPT from "
        "https://wwwn.cdc.gov/nchs/nhanes/ (the 'Data File' link of the table) into that folder"
    )


@lru_cache(maxsize=1)
def _shipped_digests(folder: Path) -> dict[str, str]:
    sums = folder / "SHA256SUMS"
    if not sums.is_file():
        return {}
    out = {}
    for line in sums.read_text().splitlines():
        if line.strip():
            digest, name = line.split(maxsplit=1)
            out[name.strip().lstrip("*")] = digest
    return out


def _check_digest(path: Path, data: bytes) -> None:
    expected = _shipped_digests(path.parent.resolve()).get(path.name)
    if expected is None:
        return
    actual = hashlib.sha256(data).hexdigest()
    if actual != expected:
        raise KnowledgeError(
            f"NHANES file {path} has SHA-256 {actual[:16]}…, but SHA256SUMS lists {expected[:16]}…; "
            "the shipped data were changed or damaged: reinstall b12risk"
        )


def verify_shipped(directory: str | os.PathLike[str] | None = None) -> dict[str, str]:
    """Check every file listed in ``SHA256SUMS``; return ``{file: sha256}``.

    Raises
    ------
    KnowledgeError
        If a listed file is missing or its digest differs.
    """
    folder = (data_dir() if directory is None else Path(directory)).resolve()
    digests = _shipped_digests(folder)
    if not digests:
        raise KnowledgeError(f"{folder}: no SHA256SUMS listing the shipped NHANES files")
    for name in digests:
        path = folder / name
        if not path.is_file():
            raise KnowledgeError(f"NHANES file {path} is listed in SHA256SUMS but missing; reinstall b12risk")
        _check_digest(path, path.read_bytes())
    return dict(digests)


def _parse(path: Path, data: bytes) -> pd.DataFrame:
    name = path.name.lower()
    if name.endswith(".xz"):
        data = lzma.decompress(data)
        name = name[:-3]
    if name.endswith(".xpt"):
        frame = pd.read_sas(io.BytesIO(data), format="xport", encoding="latin-1")
    elif name.endswith(".csv"):
        frame = pd.read_csv(io.BytesIO(data), low_memory=False)
    else:  # pragma: no cover - SUFFIXES only finds the two kinds
        raise ConfigError(f"{path}: unknown NHANES file type; expected .XPT or .csv")
    # Text columns arrive as object (XPT) or as pandas' string dtype (CSV): make them one kind.
    for col in frame.columns:
        if not pd.api.types.is_numeric_dtype(frame[col]):
            frame[col] = frame[col].astype(object).where(frame[col].notna(), None)
    return frame


def read_table(name: str, directory: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """Read NHANES table ``name`` (``"DEMO_C"``) from ``directory`` as CDC published it.

    Parameters
    ----------
    name : str
        CDC's table name.
    directory : str or Path, optional
        Folder of tables; the shipped one (:func:`data_dir`) by default.

    Returns
    -------
    pandas.DataFrame
        CDC's columns with their raw numeric codes; numbers as float64 (``SEQN`` as int64).
    """
    path = find_table(name, directory)
    data = path.read_bytes()
    _check_digest(path, data)
    frame = _parse(path, data)
    if "SEQN" not in frame.columns:
        raise ConfigError(f"NHANES file {path} has no SEQN column; is it an NHANES table?")
    frame["SEQN"] = frame["SEQN"].astype("int64")
    return frame
