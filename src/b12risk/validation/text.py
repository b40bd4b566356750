"""How a value is shown in a message: numbers as a person writes them, anything else as a
short ``repr`` that never raises, whatever the caller passed."""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

__all__: list[str] = []  # helpers of the messages of b12risk.validation and its callers


def _num(x: Any, digits: int = 6) -> str:
    """A number as a person writes it, to ``digits`` significant digits: 18, 0.01, 191.88, inf."""
    try:
        x = float(x)
    except (OverflowError, TypeError, ValueError):
        return _repr(x)
    if not math.isfinite(x):
        return str(x)
    if x == int(x) and abs(x) < 1e15:
        return str(int(x))
    rounded = float(np.format_float_positional(x, precision=digits, unique=True, fractional=False, trim="-"))
    return str(int(rounded)) if rounded == int(rounded) and abs(rounded) < 1e15 else repr(rounded)


def _repr(value: Any, limit: int = 60) -> str:
    """``repr(value)``, cut to ``limit`` characters; never raises."""
    try:
        text = repr(value)
    except Exception:  # an int beyond Python's digit limit for text, or a __repr__ that fails
        if isinstance(value, int):
            return f"<an integer of {math.floor(value.bit_length() * math.log10(2)) + 1} digits>"
        return f"<{type(value).__name__} object>"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _show(value: Any) -> str:
    """A real number as :func:`_num` writes it (bools excepted), anything else as :func:`_repr`."""
    if isinstance(value, int | np.integer) and not isinstance(value, bool | np.bool_ | np.timedelta64):
        return _repr(int(value))  # exactly, however large (a float would round 2**63 to 9.22337e+18)
    if isinstance(value, numbers.Real) and not isinstance(value, bool | np.bool_):
        return _num(value)
    return _repr(value)


def _got(value: Any) -> str:
    """The value and its type, as in ``'seventy' (str)``."""
    return f"{_show(value)} ({type(value).__name__})"
