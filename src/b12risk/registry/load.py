"""Reading model versions: list, resolve, verify every digest, then deserialise.

:func:`load_model` checks, in this order, the format number, the metadata digest, the
digest of every listed file and the scikit-learn version, and only then lets skops read
the estimator, trusting its defaults plus :data:`~b12risk.registry.format.TRUSTED_TYPES`
(never a list read from the file being loaded). :func:`verify` runs the same checks and
reports them; :func:`describe` checks and returns the metadata only; :func:`list_models`
summarises every version folder without checking digests.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from b12risk._version import __version__
from b12risk.errors import ConfigError, ModelIntegrityError
from b12risk.registry.format import (
    _FOLDER,
    _SEMVER,
    FORMAT,
    METADATA_FILE,
    MODEL_FILE,
    PREFIX,
    REQUIRED_FILES,
    TMP_PREFIX,
    TRUSTED_TYPES,
    _available,
    _metadata_digest,
    _root,
    _sha256,
    _versions_in,
)

__all__ = ["LoadedModel", "describe", "list_models", "load_model", "verify"]


@dataclass(frozen=True, eq=False)
class LoadedModel:
    """A verified model and its metadata, as returned by :func:`load_model`.

    Attributes
    ----------
    estimator : object
        The fitted scikit-learn estimator.
    metadata : dict
        The content of ``metadata.json``.
    version : str
        Semantic version, ``MAJOR.MINOR.PATCH``.
    path : Path
        The version folder.
    released : bool
        Whether the version was saved as released (only released versions are "latest").
    """

    estimator: Any
    metadata: dict[str, Any]
    version: str
    path: Path
    released: bool


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"key {key!r} appears twice")
        out[key] = value
    return out


# --------------------------------------------------------------------------- reading


def _resolve(spec: str | os.PathLike[str], root: Path) -> Path:
    """The version folder named by ``spec``: "latest", a version or a folder path."""
    if spec == "latest":
        for folder in reversed(_versions_in(root).values()):
            meta = _read_metadata(folder)
            if meta.get("released") is True:
                return folder
        raise ModelIntegrityError(
            f"no released model in {root} (available versions: {_available(root)}); "
            "train and save one, or set B12RISK_MODELS to a folder holding models"
        )
    if isinstance(spec, str):
        name = spec if spec.startswith(PREFIX) else PREFIX + spec
        if _FOLDER.fullmatch(name):
            folder = root / name
            if not folder.is_dir():
                raise ModelIntegrityError(
                    f"no model version {name[len(PREFIX) :]} in {root}; available versions: {_available(root)}"
                )
            return folder
    if not isinstance(spec, str | os.PathLike):
        raise ConfigError(
            "The 'spec' argument must be 'latest', a version such as '1.0.0' or a path to a version folder. "
            f"Got {spec!r} instead."
        )
    folder = Path(spec)
    if folder.name.startswith(TMP_PREFIX):
        raise ModelIntegrityError(f"{folder} is the temporary folder of an unfinished save; it is never loaded")
    if not folder.is_dir():
        raise ModelIntegrityError(
            f"no model folder at {folder} (expected 'latest', a version such as '1.0.0' or a path to a "
            f"version folder); available versions in {root}: {_available(root)}"
        )
    return folder


def _read_metadata(folder: Path) -> dict[str, Any]:
    """Parse ``metadata.json`` (no checks beyond being a JSON object)."""
    path = folder / METADATA_FILE
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ModelIntegrityError(f"{path}: file is missing; expected it in every model folder") from None
    try:
        meta = json.loads(raw, object_pairs_hook=_no_duplicates)
    except ValueError as exc:
        raise ModelIntegrityError(f"{path}: not valid JSON ({exc})") from None
    if not isinstance(meta, dict):
        raise ModelIntegrityError(f"{path}: expected a JSON object, found {type(meta).__name__}")
    return meta


def _check_metadata(folder: Path) -> dict[str, Any]:
    """Read ``metadata.json`` and check its format number, digest and required keys."""
    path = folder / METADATA_FILE
    meta = _read_metadata(folder)
    found = meta.get("format")
    if found != FORMAT:
        raise ModelIntegrityError(
            f"{path}: format expected {FORMAT}, found {found!r}; this b12risk ({__version__}) reads format "
            f"{FORMAT} only. Try 1) installing the b12risk version that wrote the model "
            f"({meta.get('versions', {}).get('b12risk', 'unknown')}) or 2) retraining with this one"
        )
    recorded = meta.get("metadata_sha256")
    try:
        actual = _metadata_digest(meta)
    except ValueError as exc:  # NaN or infinity written into the file by hand
        raise ModelIntegrityError(f"{path}: not canonical JSON ({exc})") from None
    if recorded != actual:
        raise ModelIntegrityError(
            f"{path}: metadata_sha256 expected {recorded!r} (recorded in the file), found {actual} "
            "(computed from its content); the metadata was edited after export"
        )
    files = meta.get("files")
    if not isinstance(files, dict) or not all(isinstance(v, str) for v in files.values()):
        raise ModelIntegrityError(f"{path}: 'files' expected a mapping of file name to SHA-256, found {files!r}")
    missing = [name for name in REQUIRED_FILES if name not in files]
    if missing:
        raise ModelIntegrityError(
            f"{path}: 'files' expected to list {', '.join(REQUIRED_FILES)}, found {sorted(files)}"
        )
    for name in files:
        if name in ("", ".", "..") or name != Path(name).name or "\\" in name:
            raise ModelIntegrityError(f"{path}: 'files' expected plain file names, found {name!r}")
    version = meta.get("version")
    if not isinstance(version, str) or not _SEMVER.fullmatch(version):
        raise ModelIntegrityError(f"{path}: 'version' expected MAJOR.MINOR.PATCH, found {version!r}")
    if _FOLDER.fullmatch(folder.name) and folder.name != PREFIX + version:
        raise ModelIntegrityError(
            f"{path}: version expected {folder.name[len(PREFIX) :]} (from the folder name), found {version}; "
            "a version folder must not be renamed"
        )
    if not isinstance(meta.get("released"), bool):
        raise ModelIntegrityError(f"{path}: 'released' expected true or false, found {meta.get('released')!r}")
    return meta


def _check_files(folder: Path, meta: dict[str, Any]) -> dict[str, bytes]:
    """Read every listed file and compare its SHA-256 with the recorded one."""
    contents: dict[str, bytes] = {}
    for name, expected in meta["files"].items():
        path = folder / name
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise ModelIntegrityError(
                f"{path}: file is missing; expected it with sha256 {expected} (listed in {METADATA_FILE})"
            ) from None
        found = _sha256(data)
        if found != expected:
            raise ModelIntegrityError(
                f"{path}: sha256 expected {expected} (recorded in {METADATA_FILE}), found {found}; "
                "the file was changed or damaged after export: restore it or save a new version"
            )
        contents[name] = data
    return contents


def _minor(version: str) -> tuple[int, ...] | None:
    match = re.match(r"(\d+)\.(\d+)", version)
    return (int(match[1]), int(match[2])) if match else None


def _check_sklearn(folder: Path, meta: dict[str, Any]) -> tuple[str, str]:
    import sklearn

    versions = meta.get("versions")
    recorded = versions.get("scikit-learn") if isinstance(versions, dict) else None
    running = sklearn.__version__
    if not isinstance(recorded, str) or _minor(recorded) is None:
        raise ModelIntegrityError(
            f"{folder / METADATA_FILE}: versions.scikit-learn expected a version string, found {recorded!r}"
        )
    if _minor(recorded) != _minor(running):
        raise ModelIntegrityError(
            f"{folder / MODEL_FILE}: saved with scikit-learn {recorded}, but scikit-learn {running} is running; "
            f"a model loads only under the same major.minor version. Try 1) pip install 'scikit-learn=={recorded}' "
            f"or 2) retrain and save a new version with scikit-learn {running}"
        )
    return recorded, running


def _deserialise(folder: Path, payload: bytes) -> Any:
    import skops.io
    from skops.io.exceptions import UntrustedTypesFoundException

    path = folder / MODEL_FILE
    try:
        return skops.io.loads(payload, trusted=list(TRUSTED_TYPES))
    except UntrustedTypesFoundException as exc:
        raise ModelIntegrityError(
            f"{path}: refused to load untrusted types; expected only skops defaults and "
            f"{', '.join(TRUSTED_TYPES)}, found {exc}"
        ) from None
    except Exception as exc:
        raise ModelIntegrityError(
            f"{path}: expected a skops file, but skops could not read it ({type(exc).__name__}: {exc})"
        ) from None


def _load(folder: Path) -> tuple[LoadedModel, dict[str, Any]]:
    meta = _check_metadata(folder)
    contents = _check_files(folder, meta)  # every digest checked before any deserialisation
    recorded, running = _check_sklearn(folder, meta)
    estimator = _deserialise(folder, contents[MODEL_FILE])
    loaded = LoadedModel(
        estimator=estimator, metadata=meta, version=meta["version"], path=folder, released=meta["released"]
    )
    checks = {
        "files": {name: meta["files"][name] for name in contents},
        "scikit-learn": {"recorded": recorded, "running": running},
        "payload": contents[MODEL_FILE],
    }
    return loaded, checks


def load_model(spec: str | os.PathLike[str] = "latest", *, root: str | os.PathLike[str] | None = None) -> LoadedModel:
    """Load and verify one model version.

    Parameters
    ----------
    spec : str or Path, default="latest"
        ``"latest"`` (the highest released version), a version such as ``"1.0.0"``
        (or a folder name ``"b12risk-1.0.0"``), or the path of a version folder.
    root : str or Path, optional
        Folder holding the versions; :func:`models_dir` by default.

    Returns
    -------
    LoadedModel
        The estimator with its metadata, version, folder and release flag. Nothing is
        cached: each call reads and verifies the files again.

    Raises
    ------
    ModelIntegrityError
        If the version does not exist (the message lists those that do), or the format
        number, a digest or the scikit-learn version does not match, or the model file
        holds a type outside skops' defaults and :data:`TRUSTED_TYPES`.
    """
    loaded, _ = _load(_resolve(spec, _root(root)))
    return loaded


def verify(spec: str | os.PathLike[str] = "latest", *, root: str | os.PathLike[str] | None = None) -> dict[str, Any]:
    """Run every check :func:`load_model` runs, including loading, and report them.

    Parameters
    ----------
    spec : str or Path, default="latest"
        As for :func:`load_model`.
    root : str or Path, optional
        Folder holding the versions; :func:`models_dir` by default.

    Returns
    -------
    dict
        ``ok`` (always True: a failure raises), ``version``, ``path``, ``released``,
        ``format``, ``metadata_sha256``, ``files`` (name -> verified SHA-256),
        ``scikit-learn`` (recorded and running versions), ``extra_trusted_types`` (the
        types of :data:`TRUSTED_TYPES` the file uses), ``estimator`` (its class name)
        and ``knowledge_fingerprint`` (recorded, current and whether they match, when
        the metadata records one; a mismatch is reported, not raised).

    Raises
    ------
    ModelIntegrityError
        On the first failed check, as :func:`load_model`.
    """
    import skops.io

    loaded, checks = _load(_resolve(spec, _root(root)))
    meta = loaded.metadata
    report: dict[str, Any] = {
        "ok": True,
        "version": loaded.version,
        "path": str(loaded.path),
        "released": loaded.released,
        "format": meta["format"],
        "metadata_sha256": meta["metadata_sha256"],
        "files": checks["files"],
        "scikit-learn": checks["scikit-learn"],
        "extra_trusted_types": skops.io.get_untrusted_types(data=checks["payload"]),
        "estimator": type(loaded.estimator).__name__,
    }
    recorded = meta.get("knowledge_fingerprint")
    if recorded is not None:
        report["knowledge_fingerprint"] = _compare_knowledge(recorded)
    return report


def _compare_knowledge(recorded: Any) -> dict[str, Any]:
    from b12risk.errors import KnowledgeError
    from b12risk.knowledge import load

    try:
        current: str | None = load().fingerprint
    except KnowledgeError:
        current = None
    return {"recorded": recorded, "current": current, "matches": recorded == current}


def describe(spec: str | os.PathLike[str] = "latest", *, root: str | os.PathLike[str] | None = None) -> dict[str, Any]:
    """The metadata of one version, after checking its format number and digest.

    Parameters
    ----------
    spec : str or Path, default="latest"
        As for :func:`load_model`.
    root : str or Path, optional
        Folder holding the versions; :func:`models_dir` by default.

    Returns
    -------
    dict
        The content of ``metadata.json``. The model file is neither checked nor read;
        use :func:`verify` for that.

    Raises
    ------
    ModelIntegrityError
        If the version does not exist or its metadata fails its checks.
    """
    return _check_metadata(_resolve(spec, _root(root)))


def list_models(root: str | os.PathLike[str] | None = None) -> list[dict[str, Any]]:
    """Every version folder, oldest first, with a short summary of each.

    Parameters
    ----------
    root : str or Path, optional
        Folder holding the versions; :func:`models_dir` by default.

    Returns
    -------
    list of dict
        One dict per ``b12risk-<version>`` folder in semver order, with ``version``,
        ``released``, ``created``, ``path`` and ``metrics`` (the metadata's
        ``metrics_summary``, or None). A folder whose metadata cannot be read gets
        ``released`` None and a ``problem`` entry instead of raising. Temporary
        ``.tmp-*`` folders of unfinished saves are left out. Digests are not checked.
    """
    out: list[dict[str, Any]] = []
    for version, folder in _versions_in(_root(root)).items():
        entry: dict[str, Any] = {"version": version, "released": None, "created": None, "path": folder, "metrics": None}
        try:
            meta = _read_metadata(folder)
        except ModelIntegrityError as exc:
            entry["problem"] = str(exc)
        else:
            entry.update(
                released=meta.get("released") is True,
                created=meta.get("created"),
                metrics=meta.get("metrics_summary"),
            )
        out.append(entry)
    return out
