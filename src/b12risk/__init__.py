"""b12risk: vitamin B12 deficiency risk, from documented knowledge to explained predictions.

Decision support, not a diagnosis. Heavy libraries (shap, matplotlib, dask) load only
where they are used.
"""

from __future__ import annotations

from b12risk._version import __version__
from b12risk.errors import (
    B12RiskError,
    ConfigError,
    InvalidPatientError,
    KnowledgeError,
    ModelIntegrityError,
    ModelWriteError,
    ReleaseGateError,
)
from b12risk.nhanes.release import train
from b12risk.nhanes.validation import validate
from b12risk.registry import load_model
from b12risk.serving.predict import Prediction, predict
from b12risk.simulation.cohort import simulate

__all__ = [
    "B12RiskError",
    "ConfigError",
    "InvalidPatientError",
    "KnowledgeError",
    "ModelIntegrityError",
    "ModelWriteError",
    "Prediction",
    "ReleaseGateError",
    "__version__",
    "load_model",
    "predict",
    "simulate",
    "train",
    "validate",
]
