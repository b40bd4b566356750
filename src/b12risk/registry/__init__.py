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
:data:`TRUSTED_TYPES` written in :mod:`b12risk.registry.format` (never a list read
from the file being loaded). Every failure raises :class:`~b12risk.errors.ModelIntegrityError` naming the
file, what was expected and what was found.

The package is split by direction: :mod:`~b12risk.registry.format` (what a folder
holds and how it is named and digested), :mod:`~b12risk.registry.save` (writing) and
:mod:`~b12risk.registry.load` (listing, loading, verifying). Every name other code
uses is re-exported here; patch a function where it is looked up (``_write_file`` and
``_fsync_dir`` in :mod:`b12risk.registry.save`).

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

from b12risk.errors import ModelWriteError
from b12risk.registry.format import (  # noqa: F401  the _names are internal: training and tests use them
    CARD_FILE,
    ENV_VAR,
    FORMAT,
    METADATA_FILE,
    MODEL_FILE,
    PREFIX,
    REQUIRED_FILES,
    RESERVED_KEYS,
    TMP_PREFIX,
    TRUSTED_TYPES,
    _check_version,
    _semver_key,
    _versions_in,
    models_dir,
)
from b12risk.registry.load import LoadedModel, describe, list_models, load_model, verify
from b12risk.registry.save import (  # noqa: F401  the _names are internal: training and tests use them
    _check_can_save,
    _fsync_dir,
    _write_file,
    save_model,
)

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
    "LoadedModel",
    "ModelWriteError",
    "describe",
    "list_models",
    "load_model",
    "models_dir",
    "save_model",
    "verify",
]
