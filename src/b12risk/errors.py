"""Exception classes. Each subclasses ``ValueError`` so callers may catch either."""

from __future__ import annotations

__all__ = [
    "B12RiskError",
    "ConfigError",
    "InvalidPatientError",
    "KnowledgeError",
    "ModelIntegrityError",
    "ReleaseGateError",
]


class B12RiskError(ValueError):
    """Base class of every error this package raises on purpose."""


class KnowledgeError(B12RiskError):
    """A seeds file is missing, malformed or inconsistent (message names file and key)."""


class ConfigError(B12RiskError):
    """A training or simulation argument or config entry is invalid."""


class InvalidPatientError(B12RiskError):
    """Input to :func:`b12risk.predict` is invalid; ``problems`` lists every problem."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        head = f"{len(self.problems)} problem(s) with the patient input:"
        super().__init__("\n  - ".join([head, *self.problems]))

    def __reduce__(self) -> tuple[type, tuple[list[str]]]:
        # The default pickling passes the formatted message back to __init__ as
        # ``problems``; rebuild from the list instead, so the error survives a trip
        # between processes (a Dask worker to its client) unchanged.
        return (type(self), (self.problems,))


class ModelIntegrityError(B12RiskError):
    """A model artifact failed verification (digest, version or format mismatch)."""


class ReleaseGateError(B12RiskError):
    """A trained model failed the release gate."""
