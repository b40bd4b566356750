"""What a model folder is: its format number, file names, trusted types and digests.

Everything a writer and a reader of the registry must agree on lives here, so that
:mod:`b12risk.registry.save` and :mod:`b12risk.registry.load` cannot drift apart: the
:data:`FORMAT` number, the folder and file names, the metadata keys the registry owns,
the types skops may construct beyond its defaults (:data:`TRUSTED_TYPES`), where the
versions live (:func:`models_dir`), which folder names are versions, and how the
``files`` and ``metadata_sha256`` digests are computed. A change to any of these that an
older reader would misread needs a new :data:`FORMAT`.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path
from typing import Any

from b12risk.errors import ConfigError
from b12risk.paths import CHECKOUT, PACKAGE

__all__ = [
    "CARD_FILE",
    "ENV_VAR",
    "FORMAT",
    "METADATA_FILE",
    "MODEL_FILE",
    "PREFIX",
    "REQUIRED_FILES",
    "RESERVED_KEYS",
    "TMP_PREFIX",
    "TRUSTED_TYPES",
    "models_dir",
]

#: Format number of a model folder, recorded in every ``metadata.json``.
#:
#: Bump it whenever a folder written by the new code could be misread by the old code,
#: or the other way round: a file added, removed or renamed; a required metadata key
#: added, removed or given a new meaning; a change to how ``files`` or
#: ``metadata_sha256`` is computed; a change to the estimator's serialisation. Adding
#: an optional key that old readers can ignore does not need a bump. :func:`load_model`
#: reads only this exact number.
#:
#: Model 2.0.0 stays at format 1 (decided for issue [3/5], World 2.0): its fitted
#: monotone constraints are the estimator parameter ``monotonic_cst``, which skops
#: stores as a plain list or array (no type beyond :data:`TRUSTED_TYPES` and skops'
#: defaults, checked under scikit-learn 1.9.1 and skops 0.16), and prediction does not
#: read it; its real-data gate record is the optional ``gate.real_data`` entry and real
#: failures join ``gate.failures`` in the shape the simulated ones have. A format-1
#: reader loads and shows such a folder correctly, and 1.0.0 (no record) stays loadable.
#: Fields of the model that differ from this b12risk's are refused where they are used
#: (``model_features``, :func:`b12risk.serving.runtime.runtime_for`), not here.
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

_PLAIN_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
_SEMVER = re.compile(r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)")
_FOLDER = re.compile(re.escape(PREFIX) + _SEMVER.pattern)


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


# --------------------------------------------------------------------------- digests


def _sha256(data: bytes) -> str:
    """Hex SHA-256 of ``data``, as recorded in ``files``."""
    return hashlib.sha256(data).hexdigest()


def _canonical(obj: Any) -> bytes:
    """The one byte form of a JSON value that ``metadata_sha256`` is computed on."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()


def _metadata_digest(metadata: dict[str, Any]) -> str:
    """The ``metadata_sha256`` of ``metadata``: its canonical JSON without that key."""
    return _sha256(_canonical({k: v for k, v in metadata.items() if k != "metadata_sha256"}))
