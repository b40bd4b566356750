"""b12risk: vitamin B12 deficiency risk, from documented knowledge to explained predictions.

Decision support, not a diagnosis. Heavy libraries (shap, matplotlib, dask) load only
where they are used.
"""

from __future__ import annotations

from b12risk._version import __version__
from b12risk.cohort import simulate
from b12risk.errors import (
    B12RiskError,
    ConfigError,
    InvalidPatientError,
    KnowledgeError,
    ModelIntegrityError,
    ReleaseGateError,
)

__all__ = [
    "B12RiskError",
    "ConfigError",
    "InvalidPatientError",
    "KnowledgeError",
    "ModelIntegrityError",
    "ReleaseGateError",
    "__version__",
    "simulate",
]
