"""Declared constraints on the arguments of public functions, checked in one place.

A declaration is a module-level dict next to its function, from parameter name to the
list of what the parameter may be; a value is valid when it satisfies any item of its
list. An item is one of:

- ``None``: the value None;
- a class: an instance of it (``bool`` is no int or real number here, and numpy's
  ``timedelta64`` no int, although numpy files it under the integers);
- :class:`Interval`: a number of a kind within bounds;
- :class:`Options`: one of a set of values (read from the call's arguments when it
  depends on them).

:func:`validate_params` checks a function's arguments against its declaration before
the function runs, and :func:`check_params` does the same for a dict of values. A value
outside its declaration is a :class:`~b12risk.errors.ConfigError` in the scikit-learn
style, naming the parameter, the function, what is allowed and the value.

Examples
--------
>>> from numbers import Integral
>>> from b12risk.validation.constraints import Interval, Options, validate_params
>>> @validate_params({"n": [Interval(Integral, 1, None, closed="left")], "labs": [Options(("clinical", "survey"))]})
... def draw(n, *, labs="clinical"):
...     return n
>>> draw(3)
3
>>> draw(0)
Traceback (most recent call last):
...
b12risk.errors.ConfigError: The 'n' parameter of draw must be an int in the range [1, inf). Got 0 instead.
>>> draw(2, labs="lab")
Traceback (most recent call last):
...
b12risk.errors.ConfigError: The 'labs' parameter of draw must be one of clinical, survey. Got 'lab' instead.
"""

from __future__ import annotations

import functools
import inspect
import math
import numbers
import os
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

import numpy as np

from b12risk.errors import ConfigError
from b12risk.validation.text import _num, _show

__all__ = ["Interval", "Options", "check_params", "constraints_of", "validate_params"]

F = TypeVar("F", bound=Callable[..., Any])

#: How a class reads in a message; any other class is "an instance of Name".
_TYPE_NAMES: dict[type, str] = {
    bool: "a bool",
    int: "an int",
    numbers.Integral: "an int",
    float: "a float",
    numbers.Real: "a real number",
    str: "a str",
    os.PathLike: "a path-like object",
    dict: "a dict",
    list: "a list",
}
_WHOLE = (int, numbers.Integral)
_REAL = (float, numbers.Real)


def _is_whole(value: Any) -> bool:
    """An integer, not a bool, nor numpy's timedelta64 (which numpy files under the integers)."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool | np.timedelta64)


def _is_instance(value: Any, cls: type) -> bool:
    if cls in _WHOLE:
        return _is_whole(value)
    if cls in _REAL:
        return isinstance(value, cls) and not isinstance(value, bool | np.bool_ | np.timedelta64)
    return isinstance(value, cls)


def _type_name(cls: type) -> str:
    return _TYPE_NAMES.get(cls, f"an instance of {cls.__name__}")


@dataclass(frozen=True)
class Interval:
    """Numbers of one kind between two bounds.

    Parameters
    ----------
    type : {numbers.Integral, numbers.Real, int, float}
        The kind of number: an int (not a bool), or any real number.
    low, high : float or None
        The bounds; None is minus or plus infinity.
    closed : {"left", "right", "both", "neither"}, default "both"
        Which bounds belong to the interval; an infinite bound belongs to it only when
        closed, so ``Interval(Real, 0, None, closed="left")`` refuses ``inf``.
    """

    type: type
    low: float | None
    high: float | None
    closed: Literal["left", "right", "both", "neither"] = "both"

    def __post_init__(self) -> None:
        if self.type not in (*_WHOLE, *_REAL):
            raise TypeError(f"Interval type must be Integral, Real, int or float; got {self.type!r}")
        if self.closed not in ("left", "right", "both", "neither"):
            raise ValueError(f"closed must be left, right, both or neither; got {self.closed!r}")
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError(f"low must not be above high; got [{self.low}, {self.high}]")

    def accepts(self, value: Any) -> bool:
        """Whether ``value`` is a number of the kind, inside the interval (NaN never is)."""
        if not _is_instance(value, self.type):
            return False
        low = -math.inf if self.low is None else self.low
        high = math.inf if self.high is None else self.high
        try:
            above = value >= low if self.closed in ("left", "both") else value > low
            below = value <= high if self.closed in ("right", "both") else value < high
            return bool(above and below)
        except (TypeError, ValueError, ArithmeticError):  # a number type that will not compare
            return False

    def _bound(self, bound: float | None, infinite: str) -> str:
        if bound is None:
            return infinite
        return str(int(bound)) if self.type in _WHOLE else _num(bound)

    def __str__(self) -> str:
        left = "[" if self.closed in ("left", "both") else "("
        right = "]" if self.closed in ("right", "both") else ")"
        return (
            f"{_type_name(self.type)} in the range "
            f"{left}{self._bound(self.low, '-inf')}, {self._bound(self.high, 'inf')}{right}"
        )


@dataclass(frozen=True)
class Options:
    """One of a set of values, such as strings.

    Parameters
    ----------
    values : collection, or callable of the call's arguments returning one
        The values allowed, in the order a message lists them. A callable is given the
        dict of the call's arguments (defaults included), for values that depend on
        another argument, such as the scenarios of the ``kb`` passed.
    """

    values: Collection[Any] | Callable[[Mapping[str, Any]], Collection[Any]]

    def resolve(self, arguments: Mapping[str, Any]) -> Options:
        """These options with the values for a call's ``arguments``."""
        return Options(tuple(self.values(arguments))) if callable(self.values) else self

    def _fixed(self) -> Collection[Any]:
        """The values, refusing dynamic options that were not resolved for a call (a bug in
        the caller, kept under ``python -O`` unlike an assert)."""
        if callable(self.values):
            raise TypeError("Options with dynamic values must be resolve()d for a call before use")
        return self.values

    def accepts(self, value: Any) -> bool:
        """Whether ``value`` is one of the values (of the same type: ``1`` is not ``"1"``)."""
        return any(isinstance(value, type(v)) and value == v for v in self._fixed())

    def __str__(self) -> str:
        return "one of " + ", ".join(map(str, self._fixed()))


Constraint = type | Interval | Options | None


def _accepts(constraint: Constraint, value: Any) -> bool:
    if constraint is None:
        return value is None
    if isinstance(constraint, Interval | Options):
        return constraint.accepts(value)
    return _is_instance(value, constraint)


def _describe(constraint: Constraint) -> str:
    if constraint is None:
        return "None"
    if isinstance(constraint, Interval | Options):
        return str(constraint)
    return _type_name(constraint)


def _check_declaration(constraints: Mapping[str, Sequence[Constraint]]) -> None:
    for name, allowed in constraints.items():
        if isinstance(allowed, str | bytes) or not isinstance(allowed, Sequence) or not allowed:
            raise TypeError(f"the constraints of {name!r} must be a non-empty list; got {allowed!r}")
        for c in allowed:
            if not (c is None or isinstance(c, Interval | Options | type)):
                raise TypeError(f"a constraint of {name!r} must be None, a class, Interval or Options; got {c!r}")


def check_params(function: str, params: Mapping[str, Any], constraints: Mapping[str, Sequence[Constraint]]) -> None:
    """Check values against a declaration, in the declaration's order.

    Parameters
    ----------
    function : str
        The function's name, for the message.
    params : mapping
        Argument name to value; declared names missing here are not checked.
    constraints : mapping of str to list
        The declaration: parameter name to what it may be.

    Raises
    ------
    ConfigError
        For the first value that satisfies none of its constraints:
        ``The 'n' parameter of simulate must be an int in the range [1, inf). Got 0 instead.``
    """
    for name, allowed in constraints.items():
        if name not in params:
            continue
        value = params[name]
        resolved = [c.resolve(params) if isinstance(c, Options) else c for c in allowed]
        if any(_accepts(c, value) for c in resolved):
            continue
        parts = [_describe(c) for c in resolved]
        what = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " or " + parts[-1]
        raise ConfigError(f"The {name!r} parameter of {function} must be {what}. Got {_show(value)} instead.")


def validate_params(
    constraints: Mapping[str, Sequence[Constraint]], *, function: str | None = None
) -> Callable[[F], F]:
    """Decorate a function so that its arguments are checked against ``constraints`` first.

    Parameters
    ----------
    constraints : mapping of str to list
        The function's declaration: parameter name to what it may be. Every name must
        be a parameter of the function.
    function : str, optional
        The name messages give the function; its own name by default.

    Returns
    -------
    callable
        The decorator. The decorated function keeps its name, docstring and signature,
        and :func:`constraints_of` gives back its declaration.
    """
    _check_declaration(constraints)

    def decorate(func: F) -> F:
        signature = inspect.signature(func)
        missing = set(constraints) - set(signature.parameters)
        if missing:
            raise TypeError(f"{func.__qualname__} has no parameter {', '.join(sorted(missing))}")
        positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
        slots = [
            (p.name, i if p.kind in positional else None, p.default)
            for i, p in enumerate(signature.parameters.values())
            if p.kind not in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
        ]
        name = function or func.__name__

        @functools.wraps(func)
        def checked(*args: Any, **kwargs: Any) -> Any:
            arguments: dict[str, Any] = {}
            for param, position, default in slots:
                if param in kwargs:
                    arguments[param] = kwargs[param]
                elif position is not None and position < len(args):
                    arguments[param] = args[position]
                elif default is not inspect.Parameter.empty:
                    arguments[param] = default
            check_params(name, arguments, constraints)
            return func(*args, **kwargs)

        checked._parameter_constraints = (name, constraints)  # type: ignore[attr-defined]
        return checked  # type: ignore[return-value]

    return decorate


def constraints_of(func: Callable[..., Any]) -> tuple[str, Mapping[str, Sequence[Constraint]]] | None:
    """The name and declaration a function was decorated with by :func:`validate_params`, or None."""
    return getattr(func, "_parameter_constraints", None)
