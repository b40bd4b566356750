"""Model resolution for serving: which fitted model a call means, loaded and checked once.

``predict()``, the explanation figures and batch scoring all accept ``model=None`` (the
shipped latest release), a version string or path, or a
:class:`~b12risk.registry.LoadedModel`; :func:`resolve` turns any of them into a
:class:`Runtime` (estimator, version, risk bands, metadata), caching by version and
registry folder. It lives below both :mod:`b12risk.serving.predict` and :mod:`b12risk.serving.explain`
so that neither imports the other.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from b12risk.errors import ConfigError, ModelIntegrityError
from b12risk.knowledge.schema import features

__all__ = ["Runtime", "resolve", "runtime_for"]


@dataclass(frozen=True, eq=False)
class Runtime:
    """A loaded model as serving needs it."""

    estimator: Any
    version: str
    bands: tuple[float, float]
    metadata: dict[str, Any]


_CACHE: dict[Any, Runtime] = {}
_LOCK = threading.Lock()


def runtime_for(loaded: Any) -> Runtime:
    """The runtime of a :class:`~b12risk.registry.LoadedModel`, after checking its fields match this b12risk's."""
    meta = loaded.metadata
    expected = list(features())
    if meta.get("model_features") != expected:
        raise ModelIntegrityError(
            f"model {loaded.version} was trained on fields {meta.get('model_features')}, but this b12risk "
            f"defines {expected}; use the b12risk version it was trained with ({meta.get('b12risk_version')}) or retrain"
        )
    bands = meta["risk_bands"]
    return Runtime(loaded.estimator, loaded.version, (float(bands["moderate"]), float(bands["high"])), meta)


def resolve(model: Any) -> Runtime:
    """The runtime for ``model``: None (the shipped latest release), a version string or
    path, or a :class:`~b12risk.registry.LoadedModel`. Loaded once and cached."""
    from b12risk import registry

    if isinstance(model, registry.LoadedModel):
        # Not cached: the check is cheap, and a cache keyed by id() could hand a new
        # model the runtime of a collected one that had the same address.
        return runtime_for(model)
    if model is None or isinstance(model, str):
        key = ("spec", model or "latest", str(registry.models_dir()))
    else:
        raise ConfigError(f"model must be None, a version, a path or a LoadedModel; got {type(model).__name__}")
    with _LOCK:
        if key not in _CACHE:
            _CACHE[key] = runtime_for(registry.load_model(model or "latest"))
        return _CACHE[key]
