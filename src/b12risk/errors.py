"""Exception classes. Each subclasses ``ValueError`` so callers may catch either.

:class:`ModelWriteError` is also an :class:`OSError`, carrying ``errno`` and ``filename``.
:class:`InvalidPatientError` carries its problems as :class:`Problem` records, which
:mod:`b12risk.validation` makes and re-exports (the record is defined here so that the
error can be built from plain text too, without this module importing the validation).
"""

from __future__ import annotations

import math
import numbers
import pickle
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from typing import Any

__all__ = [
    "B12RiskError",
    "ConfigError",
    "FhirInputError",
    "InvalidPatientError",
    "KnowledgeError",
    "ModelIntegrityError",
    "ModelWriteError",
    "Problem",
    "ReleaseGateError",
]


@dataclass(frozen=True, eq=False, repr=False)
class Problem:
    """One thing wrong with patient input: where it is, what was given, what is allowed.

    Attributes
    ----------
    row : hashable or None
        The row the problem is in, as the message names it: the position (from 0) in a
        list, or in a DataFrame with a RangeIndex, else the DataFrame's index label.
        None when ``in_batch`` is False.
    field : str or None
        The input column the problem is about; two columns joined by ``+`` when their
        values contradict each other (``"pregnant+sex"``); None when the problem is not
        about one given field (an unknown field, an empty batch).
    value : object
        The value refused (for a contradiction, the two values), or None.
    expected : str
        What is allowed instead, in words: ``"a number in years"``.
    detail : str
        What is wrong, in words, without the row and without the ``field 'name': ``
        lead of a one-field problem: ``"150 is impossible; expected 18 to 120 years"``.
    in_batch : bool, default False
        Whether the problem belongs to one row of a batch (its message then starts
        with the row); False for a single patient and for problems of the whole input.

    Notes
    -----
    Two problems are equal when they say the same thing (message, field and
    ``expected``); ``value`` is left out, as it may be anything, NaN included. A value
    that cannot be pickled is pickled as its text, so the error that carries it can
    always travel between processes.

    Examples
    --------
    >>> p = Problem(row=3, field="age", value=150, expected="18 to 120 years", detail="150 is impossible", in_batch=True)
    >>> p.message
    "row 3: field 'age': 150 is impossible"
    >>> p.statement
    "field 'age': 150 is impossible"
    """

    row: Hashable | None = None
    field: str | None = None
    value: Any = None
    expected: str = ""
    detail: str = ""
    in_batch: bool = False

    @property
    def statement(self) -> str:
        """The problem as said of its row: ``detail``, led by ``field 'name': `` for one field."""
        if self.field is None or "+" in self.field:  # a contradiction's detail names both fields itself
            return self.detail
        return f"field {self.field!r}: {self.detail}"

    @property
    def message(self) -> str:
        """The whole problem in one line, as :class:`InvalidPatientError` lists it."""
        if not self.in_batch:
            return self.statement
        row = self.row
        lead = f"row {row}: " if isinstance(row, numbers.Integral) else f"row {str(row)!r}: "
        return lead + self.statement

    def _key(self) -> tuple[str, str | None, str]:
        return (self.message, self.field, self.expected)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Problem):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return f"Problem({self.message!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        fields = (_portable(self.row), self.field, _portable(self.value), self.expected, self.detail, self.in_batch)
        return (type(self), fields)


def _portable(value: Any) -> Any:
    """``value`` if it can be pickled, else a short text standing for it."""
    try:
        pickle.dumps(value)
    except Exception:  # an object that will not pickle, or one nested too deeply to
        try:
            text = repr(value)
        except Exception:  # an int beyond Python's digit limit for text, or a __repr__ that fails
            if isinstance(value, int):
                return f"<an integer of {math.floor(value.bit_length() * math.log10(2)) + 1} digits>"
            return f"<{type(value).__name__} object>"
        return text if len(text) <= 60 else text[:57] + "..."
    return value


class B12RiskError(ValueError):
    """Base class of every error this package raises on purpose."""


class KnowledgeError(B12RiskError):
    """A seeds file is missing, malformed or inconsistent (message names file and key)."""


class ConfigError(B12RiskError):
    """A training or simulation argument or config entry is invalid."""


class InvalidPatientError(B12RiskError):
    """Input to :func:`b12risk.serving.predict` is invalid; ``problems`` lists every problem.

    Parameters
    ----------
    problems : iterable of Problem or str
        Every problem found; a str is a problem of the whole input, said in those words.

    Attributes
    ----------
    problems : tuple of Problem
        In the order given; the message lists their :attr:`Problem.message`, one a line.
    """

    def __init__(self, problems: Iterable[Problem | str]):
        self.problems: tuple[Problem, ...] = tuple(
            p if isinstance(p, Problem) else Problem(detail=str(p)) for p in problems
        )
        head = f"{len(self.problems)} problem(s) with the patient input:"
        super().__init__("\n  - ".join([head, *(p.message for p in self.problems)]))

    def __reduce__(self) -> tuple[type, tuple[tuple[Problem, ...]]]:
        # The default pickling passes the formatted message back to __init__ as
        # ``problems``; rebuild from the records instead, so the error survives a trip
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


class FhirInputError(InvalidPatientError):
    """FHIR input (a Bundle or resources) cannot be read as a patient.

    An :class:`InvalidPatientError` whose every problem names the resource it is about
    (``Observation/b12-1``), the value and what was expected: a resource that is not valid
    FHIR R4, a laboratory value in a unit that cannot express it, resources of two patients,
    or a field the record fills with a value :func:`b12risk.predict` refuses.
    """
