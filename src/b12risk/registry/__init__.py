"""The model registry: versioned, immutable, verified model folders.

Each released model lives in its own folder ``b12risk-<MAJOR.MINOR.PATCH>/`` under
:func:`models_dir`, holding three files:

``model.skops``
    The fitted estimator, written with :func:`skops.io.dumps` (no pickle).
``MODEL_CARD.md``
    What the model is for, how it was trained and where it must not be used.
``metadata.json``
    The caller's metadata plus the artifact :data:`FORMAT`, the version, the release
    flag, the creation time, the library versions, the SHA-256 of every other file
    (``files``) and the SHA-256 of the metadata itself (``metadata_sha256``).

A folder is written under a temporary name ``.tmp-<random>`` and renamed into place
only when complete, so a reader never sees half a model; a ``.tmp-*`` folder left by
a killed process is ignored by :func:`list_models` and never loaded. Versions are
immutable: saving an existing version raises. A save that the file system refuses (a
full disk, a read-only or unwritable folder, a file size limit) raises
:class:`ModelWriteError`, naming the folder, the step and the cause, and leaves no
version folder behind.

:func:`load_model` checks, in this order, the format number, the metadata digest, the
digest of every listed file and the scikit-learn version, and only then lets skops
read the estimator, trusting the types skops trusts by default plus the fixed list
:data:`TRUSTED_TYPES` written in this module (never a list read from the file being
loaded). Every failure raises :class:`~b12risk.errors.ModelIntegrityError` naming the
file, what was expected and what was found.

Examples
--------
>>> import tempfile
>>> import numpy as np
>>> from sklearn.linear_model import LogisticRegression
>>> from b12risk.registry import load_model, save_model
>>> X = np.array([[0.0], [1.0], [2.0], [3.0]])
>>> clf = LogisticRegression().fit(X, [0, 0, 1, 1])
>>> root = tempfile.mkdtemp()
>>> folder = save_model(clf, version="1.0.0", metadata={"seed": 1}, model_card="# Demo", root=root)
>>> folder.name
'b12risk-1.0.0'
>>> loaded = load_model("latest", root=root)
>>> loaded.version, loaded.metadata["seed"]
('1.0.0', 1)
>>> bool((loaded.estimator.predict_proba(X) == clf.predict_proba(X)).all())
True
"""

from __future__ import annotations

import errno
import hashlib
import json
import logging
import os
import platform
import re
import secrets
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from b12risk._version import __version__
from b12risk.errors import B12RiskError, ConfigError, ModelIntegrityError, ModelWriteError
from b12risk.paths import CHECKOUT, PACKAGE

__all__ = [
    "FORMAT",
    "TRUSTED_TYPES",
    "LoadedModel",
    "ModelWriteError",
    "describe",
    "list_models",
    "load_model",
    "models_dir",
    "save_model",
    "verify",
]

#: Format number of a model folder, recorded in every ``metadata.json``.
#:
#: Bump it whenever a folder written by the new code could be misread by the old code,
#: or the other way round: a file added, removed or renamed; a required metadata key
#: added, removed or given a new meaning; a change to how ``files`` or
#: ``metadata_sha256`` is computed; a change to the estimator's serialisation. Adding
#: an optional key that old readers can ignore does not need a bump. :func:`load_model`
#: reads only this exact number.
FORMAT: int = 1

#: Types skops may construct in addition to those it trusts by default.
#:
#: Derived with ``skops.io.get_untrusted_types(data=skops.io.dumps(model))`` on the
#: fitted production pipeline (ColumnTransformer + OrdinalEncoder + passthrough +
#: HistGradientBoostingClassifier) and on that pipeline wrapped in
#: ``CalibratedClassifierCV(FrozenEstimator(pipe), method="sigmoid")``, under
#: scikit-learn 1.9.1 and skops 0.16, then reviewed and written here by hand.
#: ``TreePredictor`` holds raw node indices that are not bounds-checked (skops left it
#: out of its defaults on purpose), which is why a file is loaded only after its
#: digest matched the one recorded when we exported it. Never extend this list from
#: the content of a file being loaded.
TRUSTED_TYPES: tuple[str, ...] = (
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
    # Parts of every fitted HistGradientBoostingClassifier. Newer skops releases trust
    # them by default, skops 0.11 (our lower bound) does not: listing them here keeps the
    # shipped model loadable across the whole supported skops range.
    "sklearn.ensemble._hist_gradient_boosting.binning._BinMapper",
    "sklearn._loss.loss.HalfBinomialLoss",
    "sklearn._loss.link.LogitLink",
    "sklearn._loss.link.Interval",
    # Where the class lives now, and where 1.0.0 recorded it (b12risk.calibration,
    # kept as a re-export so that file loads unchanged).
    "b12risk.modelling.calibration.LevelCalibratedClassifier",
    "b12risk.calibration.LevelCalibratedClassifier",
)

ENV_VAR = "B12RISK_MODELS"
PREFIX = "b12risk-"
TMP_PREFIX = ".tmp-"
MODEL_FILE = "model.skops"
CARD_FILE = "MODEL_CARD.md"
METADATA_FILE = "metadata.json"
REQUIRED_FILES = (MODEL_FILE, CARD_FILE)
RESERVED_KEYS = frozenset({"format", "version", "released", "created", "versions", "files", "metadata_sha256"})

log = logging.getLogger(__name__)

_PLAIN_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
_SEMVER = re.compile(r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)")
_FOLDER = re.compile(re.escape(PREFIX) + _SEMVER.pattern)


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


# --------------------------------------------------------------------------- locations


def models_dir() -> Path:
    """The folder holding the model versions.

    Returns
    -------
    Path
        ``$B12RISK_MODELS`` if that variable is set and non-empty; else the installed
        package's ``b12risk/models`` folder if it holds at least one ``b12risk-*``
        version; else the source checkout's top-level ``models/`` folder (or, when no
        checkout exists, the package's own folder).
    """
    env = os.environ.get(ENV_VAR, "").strip()
    if env:
        return Path(env).expanduser()
    packaged = PACKAGE / "models"
    if _versions_in(packaged):
        return packaged
    checkout = CHECKOUT / "models"
    if not checkout.is_dir() and packaged.is_dir():
        return packaged
    return checkout


def _root(root: str | os.PathLike[str] | None) -> Path:
    return models_dir() if root is None else Path(root)


def _semver_key(version: str) -> tuple[int, int, int]:
    major, minor, patch = (int(part) for part in version.split("."))
    return major, minor, patch


def _versions_in(root: Path) -> dict[str, Path]:
    """Version -> folder for every ``b12risk-<semver>`` folder, in semver order.

    Anything else (``.tmp-*`` folders of unfinished saves, stray files) is ignored.
    """
    if not root.is_dir():
        return {}
    found = {p.name[len(PREFIX) :]: p for p in root.iterdir() if _FOLDER.fullmatch(p.name) and p.is_dir()}
    return {v: found[v] for v in sorted(found, key=_semver_key)}


def _available(root: Path) -> str:
    versions = _versions_in(root)
    return ", ".join(versions) if versions else "none"


def _check_version(version: object) -> str:
    if not isinstance(version, str) or not _SEMVER.fullmatch(version):
        raise ConfigError(
            "The 'version' argument of save_model must be a semantic version MAJOR.MINOR.PATCH "
            f"of whole numbers without leading zeros, such as '1.0.0'. Got {version!r} instead."
        )
    return version


# --------------------------------------------------------------------------- digests and JSON


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _canonical(obj: Any) -> bytes:
    """The one byte form of a JSON value that ``metadata_sha256`` is computed on."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()


def _metadata_digest(metadata: dict[str, Any]) -> str:
    return _sha256(_canonical({k: v for k, v in metadata.items() if k != "metadata_sha256"}))


def _to_json(value: Any) -> Any:
    """``default`` hook for :func:`json.dumps`: numpy scalars and arrays, paths."""
    if hasattr(value, "tolist"):  # numpy scalar or array
        return value.tolist()
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"key {key!r} appears twice")
        out[key] = value
    return out


# --------------------------------------------------------------------------- writing


def _write_file(path: Path, data: bytes) -> None:
    """Write ``data`` and flush it to disk before returning."""
    with path.open("xb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def _fsync_dir(path: Path) -> None:
    if os.name != "posix":  # Windows cannot open a folder for fsync
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _library_versions() -> dict[str, str]:
    import numpy
    import pandas
    import sklearn
    import skops

    return {
        "b12risk": __version__,
        "numpy": numpy.__version__,
        "pandas": pandas.__version__,
        "python": platform.python_version(),
        "scikit-learn": sklearn.__version__,
        "skops": skops.__version__,
    }


def _exists_error(version: str, final: Path) -> ModelIntegrityError:
    return ModelIntegrityError(
        f"version {version} already exists at {final}; versions are immutable: pick a new version"
    )


def save_model(
    estimator: Any,
    *,
    version: str,
    metadata: dict[str, Any],
    model_card: str,
    root: str | os.PathLike[str] | None = None,
    released: bool = True,
    extra_files: dict[str, bytes] | None = None,
) -> Path:
    """Write a new, immutable model version.

    Parameters
    ----------
    estimator : object
        A fitted scikit-learn estimator built only from types skops trusts by default
        and :data:`TRUSTED_TYPES`.
    version : str
        Semantic version ``MAJOR.MINOR.PATCH``; the folder is ``b12risk-<version>``.
    metadata : dict
        JSON-serialisable facts to store (schema, seed, knowledge fingerprint, metrics,
        ...). Numpy scalars and arrays are converted to lists and numbers. Must not use
        the keys the registry adds: ``format``, ``version``, ``released``, ``created``,
        ``versions``, ``files``, ``metadata_sha256``.
    model_card : str
        Markdown text for ``MODEL_CARD.md``.
    root : str or Path, optional
        Folder holding the versions; :func:`models_dir` by default. Created if missing.
    released : bool, default=True
        Whether the version may be picked as ``"latest"``.
    extra_files : dict of str to bytes, optional
        More files to store beside the model (evaluation tables, ...), by plain file
        name; their digests are recorded and verified like the model's.

    Returns
    -------
    Path
        The new version folder.

    Raises
    ------
    ConfigError
        If ``version``, ``metadata``, ``model_card`` or ``released`` is invalid.
    ModelIntegrityError
        If the version already exists (it is left untouched), or the estimator holds a
        type that :func:`load_model` would refuse.
    """
    import skops.io

    version = _check_version(version)
    if not isinstance(metadata, dict):
        raise ConfigError(
            f"The 'metadata' argument of save_model must be a dict. Got {type(metadata).__name__} instead."
        )
    clash = sorted(RESERVED_KEYS & set(metadata))
    if clash:
        raise ConfigError(
            f"The 'metadata' argument of save_model must not use the keys the registry writes itself: "
            f"{', '.join(sorted(RESERVED_KEYS))}. Got {', '.join(clash)}."
        )
    if not isinstance(model_card, str) or not model_card.strip():
        raise ConfigError(
            f"The 'model_card' argument of save_model must be non-empty Markdown text. Got {model_card!r}."
        )
    if not isinstance(released, bool):
        raise ConfigError(f"The 'released' argument of save_model must be True or False. Got {released!r} instead.")

    extra_files = dict(extra_files or {})
    for name, data in extra_files.items():
        if not _PLAIN_NAME.fullmatch(name) or name in (MODEL_FILE, CARD_FILE, METADATA_FILE):
            raise ConfigError(
                f"The 'extra_files' argument of save_model must map plain, unreserved file names to bytes. Got {name!r}."
            )
        if not isinstance(data, bytes):
            raise ConfigError(f"The 'extra_files' entry {name!r} must be bytes. Got {type(data).__name__} instead.")

    root = _root(root)
    final = root / f"{PREFIX}{version}"
    if final.exists():
        raise _exists_error(version, final)

    payload = skops.io.dumps(estimator)
    refused = sorted(set(skops.io.get_untrusted_types(data=payload)) - set(TRUSTED_TYPES))
    if refused:
        raise ModelIntegrityError(
            f"the estimator holds types that load_model would refuse: {', '.join(refused)}; "
            "build the model from trusted types, or review these types and add them to TRUSTED_TYPES in "
            "b12risk/registry.py (and bump FORMAT if older readers cannot load them)"
        )
    card = model_card.encode()
    meta = {
        **metadata,
        "format": FORMAT,
        "version": version,
        "released": released,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "versions": _library_versions(),
        "files": {
            MODEL_FILE: _sha256(payload),
            CARD_FILE: _sha256(card),
            **{name: _sha256(data) for name, data in extra_files.items()},
        },
    }
    try:  # round trip through JSON so the digest is computed on what a reader will see
        meta = json.loads(json.dumps(meta, default=_to_json, allow_nan=False))
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"The 'metadata' argument of save_model must be JSON serialisable (no NaN): {exc}.") from None
    meta["metadata_sha256"] = _metadata_digest(meta)
    text = json.dumps(meta, indent=2, sort_keys=True, ensure_ascii=False) + "\n"

    files = {MODEL_FILE: payload, CARD_FILE: card, **extra_files, METADATA_FILE: text.encode()}
    tmp: Path | None = None
    step = "creating the models folder"
    try:
        root.mkdir(parents=True, exist_ok=True)
        step = "creating a temporary folder"
        tmp = root / f"{TMP_PREFIX}{secrets.token_hex(8)}"
        tmp.mkdir()
        for name, data in files.items():  # metadata.json last: it vouches for the others
            step = f"writing {name}"
            _write_file(tmp / name, data)
        step = "flushing the new folder to disk"
        _fsync_dir(tmp)
        if final.exists():  # another process may have saved this version meanwhile
            raise _exists_error(version, final)
        step = f"renaming {tmp.name} to {final.name}"
        try:
            os.rename(tmp, final)
        except OSError:
            if final.exists():
                raise _exists_error(version, final) from None
            raise
    except BaseException as exc:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
        if isinstance(exc, OSError) and not isinstance(exc, B12RiskError):
            raise _write_error(exc, version=version, root=root, step=step, leftover=tmp) from exc
        raise
    try:  # the version is complete and in place; this only makes the rename durable sooner
        _fsync_dir(root)
    except OSError as exc:
        log.warning("saved %s, but flushing the folder %s to disk failed: %s", final, root, exc)
    return final


#: What a failed write means and what to do, by errno.
_WRITE_CAUSES: dict[int, str] = {
    errno.ENOSPC: "the disk is full (no space left on device); free some space or save to another folder",
    errno.EDQUOT: "the disk quota is exceeded; free some space or save to another folder",
    errno.EFBIG: (
        "a file is larger than this process may write (file size limit, see 'ulimit -f'); "
        "raise the limit or save from a process without it"
    ),
    errno.EACCES: (
        "permission denied: the models folder is not writable; make it writable or save to another "
        "folder (--models, or the B12RISK_MODELS variable)"
    ),
    errno.EPERM: (
        "operation not permitted: the models folder is not writable; make it writable or save to another "
        "folder (--models, or the B12RISK_MODELS variable)"
    ),
    errno.EROFS: (
        "the models folder is on a read-only file system; save to another folder (--models, or the "
        "B12RISK_MODELS variable)"
    ),
}


def _write_error(exc: OSError, *, version: str, root: Path, step: str, leftover: Path | None) -> ModelWriteError:
    code = exc.errno
    cause = _WRITE_CAUSES.get(code) if code is not None else None
    if cause is None:
        cause = exc.strerror or str(exc) or type(exc).__name__
    name = errno.errorcode.get(code, "") if code is not None else ""
    outside = exc.filename is not None and not Path(os.fsdecode(exc.filename)).is_relative_to(root)
    where = f" at {os.fsdecode(exc.filename)}" if outside else ""  # e.g. a parent folder of the root
    message = (
        f"could not save model version {version} in {root}: {step} failed{where}: {cause}"
        f"{f' [{name}]' if name else ''}. Nothing was saved: no {PREFIX}{version} folder was created"
    )
    if leftover is not None and leftover.exists():
        message += f"; the temporary folder {leftover.name} could not be removed (it is ignored and never loaded)"
    return ModelWriteError(message, errno=code, filename=exc.filename)


def _check_can_save(version: str, root: str | os.PathLike[str] | None) -> Path:
    """Fail early, before hours of work, if ``version`` could not be saved into ``root``.

    Raises the error :func:`save_model` would raise for an existing version, and
    :class:`ModelWriteError` if a folder cannot be created in ``root`` (created if
    missing). Returns the root. A full disk is not detected here.
    """
    version = _check_version(version)
    root = _root(root)
    final = root / f"{PREFIX}{version}"
    step = "creating the models folder"
    probe: Path | None = None
    try:
        if final.exists():
            raise _exists_error(version, final)
        root.mkdir(parents=True, exist_ok=True)
        step = "creating a temporary folder"
        probe = root / f"{TMP_PREFIX}{secrets.token_hex(8)}"
        probe.mkdir()
        probe.rmdir()
    except OSError as exc:
        raise _write_error(exc, version=version, root=root, step=step, leftover=probe) from exc
    return root


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
