"""``from_fhir()``: a patient's FHIR R4 record as :func:`b12risk.predict` input.

One Patient and the Observations, Conditions, Procedures, MedicationStatements and
MedicationRequests about that patient (in a Bundle, a list, or several Bundles) become one
predict() dict: age and sex from the Patient, region from the country of its address; and
through the code book (``seeds/codes.toml``) laboratory results, pregnancy status,
diagnoses, symptoms, diet, operations and medicines. Every value keeps its
:class:`Source`, and every resource or element that is not used leaves a :class:`Note`
saying why. A field the record does not state stays unobserved, as predict() allows,
unless the caller knows it (``extra``); ``region`` is a fallback for a record whose address
does not say.

The result is validated as predict() would; a problem is raised as one
:class:`~b12risk.errors.FhirInputError` listing every problem, each naming the resource.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from b12risk.errors import FhirInputError, InvalidPatientError, Problem
from b12risk.fhir.codes import code_book
from b12risk.fhir.conditions import read_condition
from b12risk.fhir.evidence import Finding, Note, Source, latest
from b12risk.fhir.medications import combine, read_medication
from b12risk.fhir.observations import read_observation
from b12risk.fhir.parse import Resource, instant, parse, problem
from b12risk.fhir.procedures import read_procedure
from b12risk.knowledge.schema import features

__all__ = ["FhirPatient", "from_fhir"]

_GENDERS = {"male": "male", "female": "female"}


@dataclass(frozen=True)
class FhirPatient:
    """A FHIR record read as one patient's predict() input.

    Attributes
    ----------
    data : dict
        The predict() input: field -> value (labs in the unit the record gave them when
        it is the field's own or alternative unit; years, doses, true/false).
    sources : dict of str to tuple of Source
        Per field of ``data``, the resources it came from (several for years of a medicine).
        Fields from ``extra`` have none.
    notes : tuple of Note
        Resources and elements read but not used, and why (a code b12risk does not read, a
        preliminary result, an unconfirmed diagnosis, a resource type not read).
    as_of : datetime
        The record's date: age and ongoing medicines are counted to it.
    patient_id : str or None
        The Patient's id.
    """

    data: dict[str, Any]
    sources: dict[str, tuple[Source, ...]]
    notes: tuple[Note, ...]
    as_of: dt.datetime
    patient_id: str | None = None
    extra_fields: tuple[str, ...] = field(default=())

    def predict(self, **kwargs: Any) -> Any:
        """:func:`b12risk.predict` of :attr:`data` (keyword arguments passed on)."""
        from b12risk.serving.predict import predict

        return predict(self.data, **kwargs)


def _as_of(value: dt.date | dt.datetime | None) -> dt.datetime:
    if value is None:
        return dt.datetime.now(dt.UTC)
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
    raise TypeError(f"as_of must be a date or datetime; got {type(value).__name__}")


def _age(birth: Any, as_of: dt.datetime) -> tuple[int | None, str | None]:
    """Whole years from a FHIR birthDate to ``as_of``; a partial date gives the age at its middle."""
    if birth is None:
        return None, None
    if isinstance(birth, dt.date):
        born, note = birth, None
    else:
        parts = str(birth).split("-")
        year = int(parts[0])
        if len(parts) == 1:
            born, note = dt.date(year, 7, 1), f"birthDate {birth} gives only the year; age counted from {year}-07-01"
        else:
            born = dt.date(year, int(parts[1]), 15)
            note = f"birthDate {birth} gives only the month; age counted from {born.isoformat()}"
    today = as_of.date()
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day)), note


def _subject_ref(res: Resource) -> str | None:
    model = res.model
    ref = model.subject if res.type != "Patient" else None
    return ref.reference if ref is not None else None


def _the_patient(resources: list[Resource], patient_id: str | None) -> tuple[Resource | None, list[Problem]]:
    patients = [r for r in resources if r.type == "Patient"]
    ids = {p.id for p in patients}
    if not patients:
        return None, [Problem(detail="the input has no Patient resource; expected one, for age and sex")]
    if len(ids) > 1:
        names = ", ".join(p.name for p in patients)
        return None, [Problem(detail=f"the input has Patient resources of {len(ids)} patients ({names}); expected one")]
    patient = patients[0]
    if patient_id is not None and patient.id != patient_id:
        return None, [problem(patient.name, f"is not the patient asked about (Patient/{patient_id})", value=patient.id)]
    return patient, []


def _belongs(ref: str | None, patient: Resource) -> bool:
    if ref is None:
        return False
    if patient.full_url is not None and ref == patient.full_url:
        return True
    return patient.id is not None and (ref == f"Patient/{patient.id}" or ref.endswith(f"/Patient/{patient.id}"))


def from_fhir(
    data: Any,
    *,
    as_of: dt.date | dt.datetime | None = None,
    region: str | None = None,
    extra: Mapping[str, Any] | None = None,
    patient_id: str | None = None,
) -> FhirPatient:
    """Read a FHIR R4 record (a Bundle, resources, or a list of them) as predict() input.

    Parameters
    ----------
    data : dict or list
        Parsed FHIR JSON: a Bundle (any type; searchset Bundles may be nested), a resource,
        or a list of them. It must hold exactly one Patient; every Observation, Condition,
        MedicationStatement and MedicationRequest must be about that patient.
    as_of : date or datetime, optional
        The date the record is read at (age, ongoing medicines); now (UTC) by default.
    region : str, optional
        The region (a category of the schema's ``region``) to use when the Patient's address
        does not give one (a deployment's patients live there). When the address does give
        one, the address's is used and a differing ``region`` is reported as a note.
    extra : mapping, optional
        Fields known outside the record, in predict()'s names and units. A field the record
        also fills must agree with it (else a problem).
    patient_id : str, optional
        The id the Patient must have (a CDS Hooks request's ``context.patientId``).

    Returns
    -------
    FhirPatient
        ``.data`` is predict() input; ``.sources`` and ``.notes`` say where each value came
        from and what was not used.

    Raises
    ------
    FhirInputError
        Listing every problem, each naming the resource: invalid FHIR, a resource about
        another patient, a laboratory value in a unit that cannot express it (or that is
        not UCUM, or behind a comparator), undated conflicting statements, a value predict()
        refuses. Also an :class:`~b12risk.errors.InvalidPatientError`.
    ImportError
        If the ``fhir`` extra (fhir.resources, ucumvert) is not installed.

    Examples
    --------
    >>> from b12risk.fhir import from_fhir
    >>> bundle = {"resourceType": "Bundle", "type": "collection", "entry": [
    ...     {"resource": {"resourceType": "Patient", "id": "p1", "gender": "female", "birthDate": "1955-03-02"}},
    ...     {"resource": {"resourceType": "Observation", "id": "b12", "status": "final",
    ...                   "subject": {"reference": "Patient/p1"}, "effectiveDateTime": "2026-11-20",
    ...                   "code": {"coding": [{"system": "http://loinc.org", "code": "2132-9"}]},
    ...                   "valueQuantity": {"value": 260, "unit": "pg/mL",
    ...                                     "system": "http://unitsofmeasure.org", "code": "pg/mL"}}}]}
    >>> record = from_fhir(bundle, as_of=__import__("datetime").date(2026, 12, 4))
    >>> record.data
    {'age': 71, 'sex': 'female', 'serum_b12_pg_ml': 260.0}
    >>> record.sources["serum_b12_pg_ml"][0].resource
    'Observation/b12'
    """
    book = code_book()
    when = _as_of(as_of)
    resources, problems = parse(data)
    notes: list[Note] = []
    patient, bad = _the_patient(resources, patient_id)
    problems += bad
    out: dict[str, Any] = {}
    sources: dict[str, tuple[Source, ...]] = {}
    findings: list[Finding] = []
    if patient is not None:
        model = patient.model
        age, note = _age(model.birthDate, when)
        if note:
            notes.append(Note(patient.name, note))
        if age is not None:
            out["age"] = age
            sources["age"] = (Source("age", patient.name, "birthDate", "Age", None, str(model.birthDate)),)
        else:
            notes.append(Note(patient.name, "no birthDate; age unobserved"))
        if model.gender in _GENDERS:
            out["sex"] = _GENDERS[model.gender]
            sources["sex"] = (Source("sex", patient.name, "gender", "Sex", None, model.gender),)
        elif model.gender is not None:
            notes.append(
                Note(patient.name, f"gender {model.gender!r} is not one the model knows (female, male); sex unobserved")
            )
        found, why = _region(patient, book, when)
        findings += found
        notes += why

    medications_by_ref: dict[str, Any] = {}
    for r in resources:
        if r.type == "Medication" and r.model is not None:
            medications_by_ref.update({k: r.model for k in (r.full_url, f"Medication/{r.id}" if r.id else None) if k})
    uses = []
    for r in resources:
        if r.type in ("Patient", "Medication"):
            continue
        if r.model is None:
            notes.append(Note(r.name, f"{r.type} resources are not read"))
            continue
        if patient is not None and not _belongs(_subject_ref(r), patient):
            ref = _subject_ref(r)
            got = f"is about {ref}" if ref else "names no subject"
            problems.append(problem(r.name, f"{got}; expected {patient.name}, the patient of this record", value=ref))
            continue
        if r.type == "Observation":
            f, n, p = read_observation(r, book)
        elif r.type == "Condition":
            f, n, p = read_condition(r, book)
        elif r.type == "Procedure":
            f, n, p = read_procedure(r, book, when)
        else:
            u, n, p = read_medication(r, book, medications_by_ref, when)
            uses += u
            f = []
        findings += f
        notes += n
        problems += p
    med_findings, med_notes = combine(uses, when)
    notes += med_notes
    chosen, bad = latest(findings + med_findings, book.refines)
    problems += bad
    for name, finding in chosen.items():
        if isinstance(finding.value, tuple):  # a lab: (column, value in that column's unit)
            column, value = finding.value
        else:
            column, value = name, finding.value
        out[column] = value
        sources[column] = (finding.source,)  # a medicine's years name every resource of its class
        for loser in (f for f in findings if f.field == name and f is not finding):
            better = "more recent" if loser.when != finding.when else "narrower"
            notes.append(
                Note(loser.source.resource, f"{name}: a {better} statement ({finding.source.resource}) is used")
            )

    extra = dict(extra or {})
    if region is not None and "region" not in extra:
        if "region" not in out:
            extra["region"] = region
        elif out["region"] != region:
            src = sources["region"][0]
            notes.append(
                Note(
                    src.resource,
                    f"region: the address gives {out['region']} ({src.recorded}); the fallback region "
                    f"{region!r} is not used",
                )
            )
    feats = features()
    for name, value in extra.items():
        canonical = _canonical(name, feats)
        filled = [c for c in out if _canonical(c, feats) == canonical]
        if filled and out[filled[0]] != value:
            where = ", ".join(s.resource for s in sources.get(filled[0], ()))
            problems.append(
                problem(
                    where or "the record", f"{filled[0]} is {out[filled[0]]!r} in the record but {value!r} in extra"
                )
            )
            continue
        out[name] = value
    if problems:
        raise FhirInputError(problems)
    _check(out, sources)
    return FhirPatient(
        data=out,
        sources=sources,
        notes=tuple(notes),
        as_of=when,
        patient_id=patient.id if patient is not None else None,
        extra_fields=tuple(extra),
    )


def _current(address: Any, as_of: dt.datetime) -> bool:
    """Whether an address is the patient's now: not ``old``, and its period (if any) covers ``as_of``."""
    if address.use == "old":
        return False
    period = address.period
    start = instant(period.start) if period is not None else None
    end = instant(period.end) if period is not None else None
    return (start is None or start <= as_of) and (end is None or end >= as_of)


def _region(patient: Resource, book: Any, as_of: dt.datetime) -> tuple[list[Finding], list[Note]]:
    """The region the Patient's current address (home first) lies in, through the code book's table."""
    addresses = [a for a in (patient.model.address or []) if _current(a, as_of)]
    home = [a for a in addresses if a.use == "home"]
    countries = list(dict.fromkeys(a.country.strip() for a in (home or addresses) if a.country and a.country.strip()))
    if not countries:
        return [], []
    levels = {c: book.region_of(c) for c in countries}
    unknown = [c for c, level in levels.items() if level is None]
    known = {level for level in levels.values() if level is not None}
    notes = []
    if unknown:
        notes.append(
            Note(
                patient.name,
                f"address country {', '.join(map(repr, unknown))} is not one the region table of "
                "seeds/codes.toml places (ISO 3166-1 codes of the US and UK, and of Latin America)",
            )
        )
    if len(known) != 1 or unknown:
        if len(known) > 1:
            notes.append(
                Note(
                    patient.name,
                    f"current addresses lie in different regions ({', '.join(sorted(known))}); region not set",
                )
            )
        return [], notes
    level = known.pop()
    shown = ", ".join(countries)
    source = Source("region", patient.name, "address.country", "Region", None, shown)
    return [Finding("region", level, None, source)], notes


def _canonical(name: str, feats: Mapping[str, Any]) -> str:
    for f in feats.values():
        if name == f.name or any(name == alt[0] for alt in f.alt_units):
            return f.name
    return name


def _check(data: dict[str, Any], sources: Mapping[str, tuple[Source, ...]]) -> None:
    """Validate as predict() will, naming the resources a refused value came from."""
    from b12risk.validation import validate

    try:
        validate(data)
    except InvalidPatientError as exc:
        problems = []
        for p in exc.problems:
            names = [s.resource for f in (p.field or "").split("+") for s in sources.get(f, ())]
            lead = ", ".join(dict.fromkeys(names)) if names else "extra"
            problems.append(Problem(field=None, value=p.value, expected=p.expected, detail=f"{lead}: {p.statement}"))
        raise FhirInputError(problems) from None
