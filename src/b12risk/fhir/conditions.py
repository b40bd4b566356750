"""Conditions: diagnoses and findings (SNOMED CT, ICD-10) into true/false fields.

A condition of a known code sets its field true when confirmed (or when the record gives
no verification status, as problem lists do), and false when ``refuted``: the record's
explicit "ruled out" is the only way a condition field becomes false, since the absence of
a diagnosis from a record is not its absence from the patient. Unconfirmed, provisional and
differential diagnoses, and entries in error, are notes. A lifelong diagnosis (pernicious
anaemia, HIV) counts whatever its clinical status; a state that passes (pregnancy, a
symptom) counts as present only while active.
"""

from __future__ import annotations

from b12risk.errors import Problem
from b12risk.fhir.codes import CodeBook
from b12risk.fhir.evidence import Finding, Note, Source, coding_text, codings
from b12risk.fhir.parse import Resource, instant
from b12risk.knowledge.schema import features

__all__ = ["read_condition"]

_PRESENT = frozenset({"confirmed"})
_NOT_USED = frozenset({"unconfirmed", "provisional", "differential", "entered-in-error"})
_ACTIVE = frozenset({"active", "recurrence", "relapse"})


def _status(concept) -> str | None:
    return next((c for _, c, _ in codings(concept) if c), None)


def _passing(field: str) -> bool:
    """Whether a field describes a state that passes (pregnancy, a symptom), not a lasting diagnosis."""
    f = features()[field]
    return f.level == "symptoms" or field == "pregnant"


def read_condition(res: Resource, book: CodeBook) -> tuple[list[Finding], list[Note], list[Problem]]:
    """What one Condition says about predict()'s fields.

    Returns
    -------
    findings, notes, problems : lists
    """
    cond = res.model
    entry = next((book.condition_of(s, c) for s, c, _ in codings(cond.code) if book.condition_of(s, c)), None)
    if entry is None:
        return [], [Note(res.name, f"code {coding_text(cond.code)} is not one b12risk reads")], []
    verification = _status(cond.verificationStatus)
    clinical = _status(cond.clinicalStatus)
    if verification in _NOT_USED:
        return [], [Note(res.name, f"{entry.display}: verification status {verification!r}; not used")], []
    when = instant(cond.recordedDate or cond.onsetDateTime)
    date = when.date().isoformat() if when is not None else None
    code = f"{book.systems[entry.system][0]}|{entry.code}"
    if verification == "refuted":
        source = Source(entry.field, res.name, code, entry.display, date, "refuted")
        return [Finding(entry.field, False, when, source)], [], []
    if verification not in (None, *_PRESENT):
        return (
            [],
            [Note(res.name, f"{entry.display}: verification status {verification!r} is not one b12risk reads")],
            [],
        )
    if _passing(entry.field) and clinical is not None and clinical not in _ACTIVE:
        return [], [Note(res.name, f"{entry.display}: clinical status {clinical!r}, no longer present; not used")], []
    recorded = ", ".join(x for x in (clinical, verification) if x) or "present"
    source = Source(entry.field, res.name, code, entry.display, date, recorded)
    return [Finding(entry.field, True, when, source)], [], []
