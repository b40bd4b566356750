"""Conditions and findings: diagnoses, symptoms, diet (SNOMED CT, ICD-10, HL7 diet codes).

A finding of the code book (``[[condition]]`` in ``seeds/codes.toml``) is read wherever a
record states it:

- a Condition with the code: confirmed (or no verification status, as problem lists have)
  is *present*, ``refuted`` is *absent*; unconfirmed, provisional, differential and
  entered-in-error are notes;
- an Observation whose code is the finding, answered yes or no (``valueBoolean``), as a
  questionnaire or a symptom review records it: true is present, false absent.

What presence and absence mean for the field comes from the code book
(:meth:`~b12risk.fhir.codes.CodeBook.implied`): true and false for a true/false field, a
category (or nothing, with a note) for diet and gastrectomy. Absence is only ever what the
record states: a finding missing from a record is not absent from the patient. A lifelong
diagnosis (pernicious anaemia, HIV) counts whatever its clinical status; a state that passes
(pregnancy, a symptom, a diet) counts as present only while active.
"""

from __future__ import annotations

from typing import Any

from b12risk.errors import Problem
from b12risk.fhir.codes import CodeBook, ConditionCode
from b12risk.fhir.evidence import Finding, Note, Source, coding_text, codings
from b12risk.fhir.parse import Resource, instant, problem
from b12risk.knowledge.schema import features

__all__ = ["finding_entry", "read_condition", "read_finding_observation", "stated"]

_PRESENT = frozenset({"confirmed"})
_NOT_USED = frozenset({"unconfirmed", "provisional", "differential", "entered-in-error"})
_ACTIVE = frozenset({"active", "recurrence", "relapse"})
#: Fields that describe a state that passes (besides the symptoms).
_PASSING = frozenset({"pregnant", "diet"})


def _status(concept: Any) -> str | None:
    return next((c for _, c, _ in codings(concept) if c), None)


def _passing(field: str) -> bool:
    """Whether a field describes a state that passes (pregnancy, a symptom, a diet), not a lasting one."""
    return features()[field].level == "symptoms" or field in _PASSING


def finding_entry(book: CodeBook, concept: Any) -> ConditionCode | None:
    """The code-book finding a CodeableConcept names, if any."""
    return next((book.condition_of(s, c) for s, c, _ in codings(concept) if book.condition_of(s, c)), None)


def stated(
    res: Resource, book: CodeBook, entry: ConditionCode, present: bool, when: Any, recorded: str
) -> tuple[list[Finding], list[Note]]:
    """The finding (or the note) of ``res`` stating ``entry`` present or absent at ``when``."""
    value = book.implied(entry, present)
    if value is None:
        what = "present" if present else "absent"
        return [], [Note(res.name, f"{entry.display}: {what}, which does not tell {entry.field}; not set")]
    date = when.date().isoformat() if when is not None else None
    code = f"{book.systems[entry.system][0]}|{entry.code}"
    source = Source(entry.field, res.name, code, entry.display, date, recorded)
    return [Finding(entry.field, value, when, source)], []


def read_condition(res: Resource, book: CodeBook) -> tuple[list[Finding], list[Note], list[Problem]]:
    """What one Condition says about predict()'s fields.

    Returns
    -------
    findings, notes, problems : lists
    """
    cond = res.model
    entry = finding_entry(book, cond.code)
    if entry is None:
        return [], [Note(res.name, f"code {coding_text(cond.code)} is not one b12risk reads")], []
    verification = _status(cond.verificationStatus)
    clinical = _status(cond.clinicalStatus)
    if verification in _NOT_USED:
        return [], [Note(res.name, f"{entry.display}: verification status {verification!r}; not used")], []
    when = instant(cond.recordedDate or cond.onsetDateTime)
    if verification == "refuted":
        f, n = stated(res, book, entry, False, when, "refuted")
        return f, n, []
    if verification not in (None, *_PRESENT):
        return (
            [],
            [Note(res.name, f"{entry.display}: verification status {verification!r} is not one b12risk reads")],
            [],
        )
    if _passing(entry.field) and clinical is not None and clinical not in _ACTIVE:
        return [], [Note(res.name, f"{entry.display}: clinical status {clinical!r}, no longer present; not used")], []
    recorded = ", ".join(x for x in (clinical, verification) if x) or "present"
    f, n = stated(res, book, entry, True, when, recorded)
    return f, n, []


def read_finding_observation(
    res: Resource, book: CodeBook, entry: ConditionCode, when: Any
) -> tuple[list[Finding], list[Note], list[Problem]]:
    """An Observation asking about a finding (a symptom, a diet): its yes/no answer.

    The caller has checked the status (a final result) and found ``entry`` for the code.
    """
    obs = res.model
    if obs.valueBoolean is None:
        kinds = ("valueCodeableConcept", "valueString", "valueQuantity", "valueInteger")
        kind = next((k for k in kinds if getattr(obs, k, None) is not None), None)
        got = f"a {kind}" if kind else "no value"
        return (
            [],
            [],
            [problem(res.name, f"{entry.display} has {got}; expected valueBoolean (true: present, false: absent)")],
        )
    answer = bool(obs.valueBoolean)
    f, n = stated(res, book, entry, answer, when, "yes" if answer else "no")
    return f, n, []
