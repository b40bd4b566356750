"""Every problem validation reports, worded in one place.

Each function here returns one :class:`~b12risk.errors.Problem` without its row (the
caller of :func:`b12risk.validation.validate` gets the row added when the input is a
batch): the field, the value refused, what is allowed (``expected``) and the sentence
saying so (``detail``), so that a message names the field, the value and what is allowed.
"""

from __future__ import annotations

import difflib
from typing import Any

from b12risk.errors import Problem
from b12risk.knowledge.schema import truth_columns
from b12risk.validation.rules import UNIT_TOLERANCE, _Field, _Rules
from b12risk.validation.text import _got, _num, _repr, _show

__all__: list[str] = []  # used by b12risk.validation's modules only

NO_PATIENTS = "no patients given"
_CONTAINERS = "a patient dict, a list of dicts or a pandas DataFrame"
_RECORD = "a patient dict of field: value"
_NOT_TAKEN = "give both as 0 if the medicine is not taken"


# --------------------------------------------------------------------------- one value


def wrong_type(fld: _Field, value: Any) -> Problem:
    """A value of a type the field does not take (text for a number, 2 for a yes-no ...)."""
    hint = ""
    if fld.kind == "binary":
        expected = "true or false (or 1 or 0)"
    elif fld.kind == "categorical":
        expected = f"one of {', '.join(fld.categories)}"
    else:
        expected = f"a number in {fld.unit}"
        if isinstance(value, str):
            try:
                float(value)
                hint = "; give it as a number, not as text"
            except ValueError:
                pass
    return Problem(
        field=fld.name, value=value, expected=expected, detail=f"expected {expected}, got {_got(value)}{hint}"
    )


def impossible(fld: _Field, value: float) -> Problem:
    """A number outside the field's plausible range (or not finite)."""
    expected = fld.describe_range()
    return Problem(
        field=fld.name, value=value, expected=expected, detail=f"{_num(value)} is impossible; expected {expected}"
    )


def not_a_category(fld: _Field, value: str) -> Problem:
    """Text that is none of the field's categories."""
    expected = f"one of {', '.join(fld.categories)}"
    return Problem(field=fld.name, value=value, expected=expected, detail=f"{_repr(value)} is not {expected}")


# --------------------------------------------------------------------------- names and shapes


def _suggest(name: str, rules: _Rules) -> str:
    """' did you mean ...?' with the nearest valid names, canonical ones first."""
    key = name.strip().lower()
    names = list(rules.fields)
    if key in names:
        return f"; did you mean {key!r}?"
    if key in truth_columns():
        return "; it is the simulator's truth, not an input: drop the true_* columns"
    near = [n for n in names if key and n.startswith(key)]
    near += [n for n in difflib.get_close_matches(key, names, n=3, cutoff=0.6) if n not in near]
    near = sorted(near[:3], key=lambda n: n != rules.fields[n].canonical)[:2]
    if not near:
        return "; it is not an input field (see b12risk.knowledge.schema.features())"
    return "; did you mean " + " or ".join(repr(n) for n in near) + "?"


def unknown_field(name: Any, value: Any, rules: _Rules, where: str = "value") -> Problem:
    """A key or column that is no input field, with the nearest valid names."""
    try:
        text = str(name)
    except Exception:  # an int key beyond Python's digit limit for text, or a __str__ that fails
        text = _repr(name)
    detail = f"unknown field {_repr(text)} ({where} {_show(value)}){_suggest(text, rules)}"
    return Problem(value=name, expected="a field of b12risk.knowledge.schema.features()", detail=detail)


def repeated_column(name: str) -> Problem:
    """A DataFrame column name given twice."""
    detail = f"column {name!r} appears more than once; give each field once"
    return Problem(value=name, expected="each field once", detail=detail)


def not_a_record(record: Any) -> Problem:
    """A row of a list that is not a mapping."""
    return Problem(value=record, expected=_RECORD, detail=f"expected {_RECORD}, got {_got(record)}")


def no_patients() -> Problem:
    """An empty batch."""
    return Problem(expected="at least one patient", detail=NO_PATIENTS)


def not_patients(data: Any) -> Problem:
    """Input that is neither a patient, nor a list of patients, nor a DataFrame."""
    return Problem(value=data, expected=_CONTAINERS, detail=f"expected {_CONTAINERS}, got {type(data).__name__}")


# --------------------------------------------------------------------------- combinations


def units_disagree(name: str, value: float, alt: _Field, alt_value: float, unit: str | None) -> Problem:
    """A lab given in both of its units, the two apart by more than :data:`UNIT_TOLERANCE`.

    ``alt_value`` is the alternative-unit value converted to the canonical ``unit``.
    """
    limit = f"{_num(100 * UNIT_TOLERANCE)}%"
    canonical = f"{name!r} ({_num(value)})"
    other = f"{alt.name!r} ({_num(alt_value / alt.factor)} {alt.unit}, which is {_num(alt_value)} {unit})"
    detail = f"fields {canonical} and {other} disagree by more than {limit}; give one, or make them agree"
    return Problem(
        field=f"{name}+{alt.name}",
        value=(value, alt_value / alt.factor),
        expected=f"the two to agree within {limit}",
        detail=detail,
    )


def pregnant_male() -> Problem:
    """``pregnant`` true with sex male."""
    return Problem(
        field="pregnant+sex",
        value=(True, "male"),
        expected="sex female when pregnant",
        detail="fields 'pregnant' (true) and 'sex' ('male') are impossible together",
    )


def pregnant_too_old(age: float, oldest: float) -> Problem:
    """``pregnant`` true above ``oldest`` (the seeds' plausible age, :func:`~b12risk.validation.rules.pregnancy_max_age`)."""
    limit = f"pregnancy is accepted up to age {_num(oldest)}"
    return Problem(
        field="pregnant+age",
        value=(True, age),
        expected=limit,
        detail=f"fields 'pregnant' (true) and 'age' ({_num(age)}) are impossible together; {limit}",
    )


def exposure_contradiction(years: str, y: float, dose: str, d: float) -> Problem:
    """A medicine's years and dose, one 0 and the other above 0."""
    what = "a dose above 0 needs years above 0" if y == 0.0 else "years above 0 need a dose above 0"
    pair = f"{years!r} ({_num(y)}) and {dose!r} ({_num(d)})"
    return Problem(
        field=f"{years}+{dose}",
        value=(y, d),
        expected="both 0, or both above 0",
        detail=f"fields {pair} contradict each other: {what} ({_NOT_TAKEN})",
    )
