"""Observations: laboratory results (by LOINC code, through UCUM), pregnancy status, and
findings asked as yes/no questions (a symptom, a diet; see :mod:`~b12risk.fhir.conditions`).

Only results with status ``final``, ``amended`` or ``corrected`` are used; a preliminary,
cancelled or erroneous one is a note. A result of a known code must carry a value
(``valueQuantity``) in a unit that can express the field: a unit that is not UCUM, or one
that measures something else, or a value behind a comparator (``< 50``), is a problem
naming the resource. A result with a ``dataAbsentReason`` is a note. A code b12risk does
not read is a note too: nothing is dropped without saying so.
"""

from __future__ import annotations

from typing import Any

from b12risk.errors import Problem
from b12risk.fhir.codes import CodeBook
from b12risk.fhir.conditions import finding_entry, read_finding_observation
from b12risk.fhir.evidence import Finding, Note, Source, coding_text, codings
from b12risk.fhir.parse import Resource, instant, problem
from b12risk.fhir.units import UnitProblem, to_field

__all__ = ["USED_STATUSES", "read_observation"]

#: Observation statuses whose value is used (FHIR R4 observation-status).
USED_STATUSES = frozenset({"final", "amended", "corrected"})
UCUM = "http://unitsofmeasure.org"


def _when(obs: Any) -> Any:
    period = obs.effectivePeriod
    return instant(
        obs.effectiveDateTime
        or obs.effectiveInstant
        or (period.end or period.start if period is not None else None)
        or obs.issued
    )


def _date_text(obs: Any) -> str | None:
    when = _when(obs)
    return when.date().isoformat() if when is not None else None


def _unit_of(q: Any) -> tuple[str | None, str | None]:
    """(UCUM unit, problem text): the UCUM code of a Quantity, or why there is none."""
    if q.system is not None and q.system != UCUM:
        shown = q.code or q.unit or ""
        return None, f"unit {shown!r} is from the code system {q.system!r}; expected a UCUM unit ({UCUM})"
    unit = q.code or q.unit
    if not unit:
        return None, "the value has no unit; expected a UCUM unit"
    return unit, None


def read_observation(res: Resource, book: CodeBook) -> tuple[list[Finding], list[Note], list[Problem]]:
    """What one Observation says about predict()'s fields.

    Returns
    -------
    findings, notes, problems : lists
    """
    obs = res.model
    concept = obs.code
    lab = next((book.lab(s, c) for s, c, _ in codings(concept) if book.lab(s, c)), None)
    coded = next((book.coded(s, c) for s, c, _ in codings(concept) if book.coded(s, c)), None)
    finding = finding_entry(book, concept) if lab is None and coded is None else None
    if lab is None and coded is None and finding is None:
        return [], [Note(res.name, f"code {coding_text(concept)} is not one b12risk reads")], []
    entry = lab or coded or finding
    code = f"{book.systems[entry.system][0]}|{entry.code}"
    if obs.status not in USED_STATUSES:
        return [], [Note(res.name, f"{entry.display}: status {obs.status!r} is not a final result; not used")], []
    if obs.dataAbsentReason is not None:
        return [], [Note(res.name, f"{entry.display}: no value ({coding_text(obs.dataAbsentReason)})")], []
    when, date = _when(obs), _date_text(obs)
    if finding is not None:
        return read_finding_observation(res, book, finding, when)

    if coded is not None:
        if obs.valueCodeableConcept is None:
            return [], [], [problem(res.name, f"{coded.display} has no coded value; expected valueCodeableConcept")]
        answer = next(
            (book.answer(coded, s, c) for s, c, _ in codings(obs.valueCodeableConcept) if book.answer(coded, s, c)),
            None,
        )
        if answer is None:
            text = coding_text(obs.valueCodeableConcept)
            expected = ", ".join(f"{a.code} {a.display}" for a in coded.answers)
            return [], [], [problem(res.name, f"{coded.display} answer {text} is not one of {expected}")]
        if answer.value == "unknown":
            return [], [Note(res.name, f"{coded.display}: {answer.display}; field {coded.field} left unobserved")], []
        source = Source(coded.field, res.name, code, coded.display, date, answer.display)
        return [Finding(coded.field, bool(answer.value), when, source)], [], []

    q = obs.valueQuantity
    if q is None:
        kind = next(
            (k for k in ("valueString", "valueCodeableConcept", "valueRange", "valueRatio") if getattr(obs, k)), None
        )
        got = f"a {kind}" if kind else "no value"
        return [], [], [problem(res.name, f"{lab.display} has {got}; expected valueQuantity with a UCUM unit")]
    if q.value is None:
        return [], [], [problem(res.name, f"{lab.display} has a Quantity without a value")]
    if q.comparator is not None:
        return (
            [],
            [],
            [
                problem(
                    res.name,
                    f"{lab.display} is '{f'{q.comparator} {q.value} {q.code or q.unit or str()}'.rstrip()}', "
                    "a bound, not a measured value; expected the measured value",
                    value=str(q.value),
                )
            ],
        )
    unit, why = _unit_of(q)
    if unit is None:
        return [], [], [problem(res.name, f"{lab.display}: {why}", value=q.code or q.unit)]
    try:
        column, value = to_field(float(q.value), unit, lab.field)
    except UnitProblem as exc:
        return [], [], [problem(res.name, f"{lab.display} value {q.value} {unit}: {exc}", value=unit)]
    recorded = f"{q.value} {unit}"
    source = Source(column, res.name, code, lab.display, date, recorded)
    # the finding is about the canonical field; the column says which unit the value is in
    return [Finding(lab.field, (column, value), when, source)], [], []
