"""Writing a model version: checked arguments, then an atomic, flushed export.

:func:`save_model` writes every file into a temporary folder ``.tmp-<random>``,
flushes each file and the folder to disk, and only then renames the folder to
``b12risk-<version>``: a reader sees a whole version or none. A refusal of the file
system becomes a :class:`~b12risk.errors.ModelWriteError` naming the folder, the step
and the cause (:func:`_write_error`), and the temporary folder is removed.
:func:`_check_can_save` runs the cheap part of those checks before a long training run.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import platform
import secrets
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from b12risk._version import __version__
from b12risk.errors import B12RiskError, ConfigError, ModelIntegrityError, ModelWriteError
from b12risk.registry.format import (
    _PLAIN_NAME,
    CARD_FILE,
    FORMAT,
    METADATA_FILE,
    MODEL_FILE,
    PREFIX,
    RESERVED_KEYS,
    TMP_PREFIX,
    TRUSTED_TYPES,
    _check_version,
    _metadata_digest,
    _root,
    _sha256,
)

__all__ = ["save_model"]

log = logging.getLogger(__name__)


# --------------------------------------------------------------------------- writing


def _to_json(value: Any) -> Any:
    """``default`` hook for :func:`json.dumps`: numpy scalars and arrays, paths."""
    if hasattr(value, "tolist"):  # numpy scalar or array
        return value.tolist()
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


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
            "b12risk/registry/format.py (and bump FORMAT if older readers cannot load them)"
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
