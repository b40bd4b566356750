"""Exception classes. Each subclasses ``ValueError`` so callers may catch either.

:class:`ModelWriteError` is also an :class:`OSError`, carrying ``errno`` and ``filename``.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "B12RiskError",
    "ConfigError",
    "InvalidPatientError",
    "KnowledgeError",
    "ModelIntegrityError",
    "ModelWriteError",
    "ReleaseGateError",
]


class B12RiskError(ValueError):
    """Base class of every error this package raises on purpose."""


class KnowledgeError(B12RiskError):
    """A seeds file is missing, malformed or inconsistent (message names file and key)."""


class ConfigError(B12RiskError):
    """A training or simulation argument or config entry is invalid."""


class InvalidPatientError(B12RiskError):
    """Input to :func:`b12risk.serving.predict` is invalid; ``problems`` lists every problem."""

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


class ModelWriteError(ModelIntegrityError, OSError):
    """Saving a version failed in the file system: full disk, unwritable folder, ...

    Both a :class:`~b12risk.errors.ModelIntegrityError` (so ``except B12RiskError``
    and the command line report it as one line) and an :class:`OSError` carrying the
    ``errno`` and ``filename`` of the operation that failed (so code that handles
    file-system errors still does). The message names the models folder, the step
    that failed, the cause and what to do; no version folder was created.
    """

    def __init__(self, message: str, *, errno: int | None = None, filename: str | None = None):
        super().__init__(message)
        self.errno = errno
        self.filename = filename

    def __str__(self) -> str:  # not OSError's "[Errno n] ..." form: the message says it all
        return str(self.args[0])

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.args[0],), {"errno": self.errno, "filename": self.filename})

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.errno = state["errno"]
        self.filename = state["filename"]


class ReleaseGateError(B12RiskError):
    """A trained model failed the release gate."""
