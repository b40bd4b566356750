"""Medicines: MedicationStatement and MedicationRequest into exposure years, daily dose and supplement use.

A medicine is recognised by its RxNorm ingredient or ATC code (or class), else by a generic
name appearing as a whole word in its code's text or display. Each use is a period:
a statement's ``effectivePeriod``, a request's ``dispenseRequest.validityPeriod`` (else from
``authoredOn``), running to the record's date when the use is still active. The years of a
class are the length of the union of its periods (two overlapping prescriptions are not
counted twice), in years of 365.25 days. A statement ``not-taken`` of a class, with no use
of it, is 0 years: only the record's explicit "does not take" makes a medicine field 0.

The daily dose comes from the most recent use's first dosage: dose x frequency per period,
converted through UCUM (milligrams for metformin; a count such as ``{tablet}`` for the
pills of a proton-pump inhibitor). A dose in a unit that cannot be a dose of that field is a
problem; a proton-pump inhibitor dose in milligrams is a note (pills per day cannot be told).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from b12risk.errors import Problem
from b12risk.fhir.codes import CodeBook
from b12risk.fhir.evidence import Finding, Note, Source, coding_text, codings
from b12risk.fhir.parse import Resource, instant, problem
from b12risk.fhir.units import UnitProblem, convert, is_count
from b12risk.knowledge import load

__all__ = ["Use", "combine", "read_medication"]

DAYS_PER_YEAR = 365.25
#: Statuses under which a statement or request records that the medicine was (or is) taken.
_TAKEN = frozenset({"active", "completed", "stopped", "on-hold"})
#: Of those, the ones under which it is still being taken (an open period runs to the record's date).
_ONGOING = frozenset({"active", "on-hold"})


@dataclass(frozen=True)
class Use:
    """One resource's statement about one class of medicine."""

    cause: str
    taken: bool
    start: dt.datetime | None
    end: dt.datetime | None
    current: bool
    dose: float | None  # per day, in the dose column's unit
    when: dt.datetime | None
    source: Source
    dose_text: str = ""  # the dosage as the record states it


def _medicine(res: Resource, contained: Mapping[str, Any]) -> tuple[Any, str | None]:
    """The CodeableConcept naming the medicine, and a problem text if it cannot be found."""
    model = res.model
    if model.medicationCodeableConcept is not None:
        return model.medicationCodeableConcept, None
    ref = model.medicationReference.reference if model.medicationReference is not None else None
    if ref is None:
        return None, "has no medication[x]"
    med = contained.get(ref) or contained.get(ref.split("/_history")[0])
    if med is None and ref.startswith("#"):
        med = next((c for c in (model.contained or []) if f"#{c.id}" == ref), None)
    if med is None:
        return None, f"refers to {ref}, which is not in the input"
    return med.code, None


def _cause(book: CodeBook, concept: Any) -> tuple[str | None, str]:
    """The cause a medicine concept names and the code or name that matched."""
    for system, code, _ in codings(concept):
        cause = book.medication_cause(system, code)
        if cause is not None:
            return cause, f"{system}|{code}"
    texts = [concept.text] if concept is not None and concept.text else []
    texts += [d for _, _, d in codings(concept) if d]
    for text in texts:
        cause = book.medication_cause_by_name(text)
        if cause is not None:
            return cause, f"name in {text!r}"
    return None, ""


def _per_day(timing: Any) -> tuple[float | None, str | None]:
    """Administrations per day from a Timing, or why it cannot be told."""
    repeat = timing.repeat if timing is not None else None
    if repeat is None or repeat.period is None or not repeat.periodUnit:
        return None, "the dosage has no timing.repeat period"
    frequency = float(repeat.frequency) if repeat.frequency is not None else 1.0
    try:
        return frequency * convert(1.0 / float(repeat.period), f"/{repeat.periodUnit}", "/d"), None
    except UnitProblem as exc:
        return None, f"timing period unit: {exc}"


def _dose(res: Resource, dosage: Any, column: str, book: CodeBook) -> tuple[float | None, Note | None, Problem | None]:
    """The daily dose in ``column``'s unit from one Dosage; or a note, or a problem."""
    rate = (dosage.doseAndRate or [None])[0] if dosage is not None else None
    q = rate.doseQuantity if rate is not None else None
    if q is None or q.value is None:
        return None, Note(res.name, f"{column}: no dose quantity; not set"), None
    per_day, why = _per_day(dosage.timing)
    if per_day is None:
        return None, Note(res.name, f"{column}: {why}; not set"), None
    unit = q.code or q.unit or "1"
    per_unit = book.ucum[column].removesuffix("/d") or "1"  # "mg/d" -> "mg"; "/d" -> a count
    if per_unit == "1":
        if is_count(unit):
            return float(q.value) * per_day, None, None
        try:
            convert(1.0, unit, "g")
        except UnitProblem:
            return (
                None,
                None,
                problem(res.name, f"dose {q.value} {unit} is not a count of pills; expected e.g. {{tablet}}"),
            )
        return None, Note(res.name, f"{column}: dose {q.value} {unit} is a mass; pills per day cannot be told"), None
    try:
        return convert(float(q.value), unit, per_unit) * per_day, None, None
    except UnitProblem as exc:
        return None, None, problem(res.name, f"dose {q.value} {unit} cannot be a dose for {column}: {exc}", value=unit)


def read_medication(
    res: Resource, book: CodeBook, contained: Mapping[str, Any], as_of: dt.datetime
) -> tuple[list[Use], list[Note], list[Problem]]:
    """What one MedicationStatement or MedicationRequest says about a medicine b12risk reads.

    Parameters
    ----------
    res : Resource
    book : CodeBook
    contained : mapping of str to Medication
        Medication resources of the input by reference (``Medication/id`` and fullUrl).
    as_of : datetime
        The record's date: an ongoing use runs to it.
    """
    model = res.model
    concept, why = _medicine(res, contained)
    if concept is None:
        return [], [], [problem(res.name, f"{why}; expected a coded medicine")]
    cause, matched = _cause(book, concept)
    if cause is None:
        return [], [Note(res.name, f"medicine {coding_text(concept)} is not one b12risk reads")], []
    kb_cause = load().causes[cause]
    status = model.status
    is_request = res.type == "MedicationRequest"
    if status == "not-taken" and not is_request:
        source = Source(cause, res.name, matched, kb_cause.label_en, None, "not-taken")
        return [Use(cause, False, None, None, False, None, None, source)], [], []
    if status not in _TAKEN:
        return [], [Note(res.name, f"{kb_cause.label_en}: status {status!r}; not used")], []
    if is_request and model.doNotPerform:
        return [], [Note(res.name, f"{kb_cause.label_en}: a request not to give it; not used")], []

    point = False
    if is_request:
        validity = model.dispenseRequest.validityPeriod if model.dispenseRequest is not None else None
        start = instant(validity.start if validity is not None and validity.start else model.authoredOn)
        end = instant(validity.end) if validity is not None else None
        dosages = model.dosageInstruction or []
    else:
        period = model.effectivePeriod
        start = instant(period.start) if period is not None else None
        end = instant(period.end) if period is not None else None
        point = period is None and model.effectiveDateTime is not None
        dosages = model.dosage or []
    current = status in _ONGOING and (end is None or end >= as_of)
    notes: list[Note] = []
    problems: list[Problem] = []
    if point:
        notes.append(Note(res.name, f"{kb_cause.label_en}: a single date, not a period; years taken not known from it"))
    elif start is None:
        notes.append(Note(res.name, f"{kb_cause.label_en}: no start date; years taken not known from it"))
    elif end is None and status not in _ONGOING:
        notes.append(
            Note(res.name, f"{kb_cause.label_en}: {status} without an end date; years taken not known from it")
        )
        start = None
    dose, dose_text = None, ""
    column = getattr(kb_cause, "dose_column", None)
    if column is not None and dosages:
        dose, note, bad = _dose(res, dosages[0], column, book)
        notes += [note] if note else []
        problems += [bad] if bad else []
        dose_text = _dosage_text(dosages[0])
    when = as_of if current else end if end is not None else start
    shown_start = start.date().isoformat() if start else "?"
    shown_end = "ongoing" if current else end.date().isoformat() if end else "?"
    source = Source(cause, res.name, matched, kb_cause.label_en, shown_start, f"{status} {shown_start} to {shown_end}")
    return [Use(cause, True, start, end, current, dose, when, source, dose_text)], notes, problems


def _dosage_text(dosage: Any) -> str:
    """A Dosage in words for a card: ``1000 mg, 2 per 1 d``."""
    rate = (dosage.doseAndRate or [None])[0]
    q = rate.doseQuantity if rate is not None else None
    repeat = dosage.timing.repeat if dosage.timing is not None else None
    parts = [f"{q.value} {q.code or q.unit or ''}".strip()] if q is not None else []
    if repeat is not None and repeat.period is not None:
        parts.append(f"{repeat.frequency or 1} per {repeat.period} {repeat.periodUnit}")
    return ", ".join(parts)


def _union_years(spans: list[tuple[dt.datetime, dt.datetime]]) -> float:
    total = dt.timedelta(0)
    current_start, current_end = None, None
    for start, end in sorted(spans):
        if current_end is None or start > current_end:
            if current_end is not None:
                total += current_end - current_start
            current_start, current_end = start, end
        else:
            current_end = max(current_end, end)
    if current_end is not None:
        total += current_end - current_start
    return total.total_seconds() / (DAYS_PER_YEAR * 86400.0)


def combine(uses: list[Use], as_of: dt.datetime) -> tuple[list[Finding], list[Note]]:
    """Per class of medicine, the years taken, the daily dose and current use, as findings."""
    findings: list[Finding] = []
    notes: list[Note] = []
    causes = load().causes
    for cause in sorted({u.cause for u in uses}):
        group = [u for u in uses if u.cause == cause]
        kb_cause = causes[cause]
        taken = [u for u in group if u.taken]
        names = ", ".join(u.source.resource for u in group)
        if kb_cause.kind == "binary":  # supplement use: taking it now
            if any(u.current for u in taken):
                src = next(u.source for u in taken if u.current)
                findings.append(Finding(kb_cause.column, True, as_of, _renamed(src, kb_cause.column)))
            elif not taken:
                src = group[0].source
                findings.append(Finding(kb_cause.column, False, None, _renamed(src, kb_cause.column)))
            else:
                notes.append(Note(names, f"{kb_cause.label_en}: taken in the past, not now; {kb_cause.column} not set"))
            continue
        years_col, dose_col = kb_cause.years_column, kb_cause.dose_column
        spans = [(u.start, min(u.end or as_of, as_of)) for u in taken if u.start is not None]
        spans = [(s, e) for s, e in spans if e >= s]
        if taken and not spans:
            notes.append(Note(names, f"{kb_cause.label_en}: taken, for an unknown time; {years_col} not set"))
        elif taken:
            years = _union_years(spans)
            src = Source(years_col, names, taken[0].source.code, kb_cause.label_en, None,
                         "; ".join(u.source.recorded for u in taken))  # fmt: skip
            findings.append(Finding(years_col, years, None, src))
        else:
            src = _renamed(group[0].source, years_col)
            findings.append(Finding(years_col, 0.0, None, src))
        dosed = [u for u in taken if u.dose is not None]
        if dose_col is not None and dosed:
            last = max(dosed, key=lambda u: u.when or dt.datetime.min.replace(tzinfo=dt.UTC))
            src = last.source
            dose_src = Source(dose_col, src.resource, src.code, src.display, None, last.dose_text or src.recorded)
            findings.append(Finding(dose_col, last.dose, None, dose_src))
    return findings, notes


def _renamed(source: Source, field: str) -> Source:
    return Source(field, source.resource, source.code, source.display, source.date, source.recorded)
