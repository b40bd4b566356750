"""FHIR R4 JSON into validated resources, each with a name a message can use.

Input is a Bundle (of any type, searchset Bundles nested inside included), a single
resource, or a list of those. Every resource is validated with the ``fhir.resources``
models of FHIR R4B (4.3): ``fhir.resources`` 8 ships R5 and R4B, not R4, and R4B changed R4
only in its medicinal-product definition, evidence and subscription resources (HL7's "R4B
explanation" page), so Patient, Observation, Condition, Procedure, Medication,
MedicationStatement, MedicationRequest and ServiceRequest read the same in both. A resource that is not valid FHIR is a problem naming it (``Observation/b12-1``, or
its place in the input when it has no id) and the element at fault; all problems are
raised together as one :class:`~b12risk.errors.FhirInputError`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from b12risk.errors import FhirInputError, Problem

__all__ = ["READ_TYPES", "Resource", "instant", "parse", "problem"]

#: Resource types whose content is read; any other valid resource is reported as not used.
READ_TYPES: tuple[str, ...] = (
    "Patient",
    "Observation",
    "Condition",
    "Procedure",
    "MedicationStatement",
    "MedicationRequest",
    "Medication",
)
#: Nesting deeper than this is refused (a Bundle in a Bundle in ...).
MAX_DEPTH = 4


@dataclass(frozen=True)
class Resource:
    """One resource of the input: its type, id, name for messages, and the parsed model."""

    type: str
    id: str | None
    name: str
    model: Any
    full_url: str | None = None


def problem(where: str, detail: str, value: Any = None, expected: str = "") -> Problem:
    """A problem about one resource, said as ``where: detail``."""
    return Problem(field=None, value=value, expected=expected, detail=f"{where}: {detail}")


def _models() -> Any:
    try:
        from fhir.resources.R4B import get_fhir_model_class  # heavy: hundreds of pydantic models, loaded on use
    except ImportError:  # pragma: no cover - the fhir extra is a test dependency
        raise ImportError("b12risk.fhir needs the 'fhir' extra: pip install 'b12risk[fhir]'") from None
    return get_fhir_model_class


def _validation_detail(exc: Exception) -> str:
    errors = getattr(exc, "errors", None)
    if not callable(errors):
        return str(exc).splitlines()[0]
    parts = []
    for e in errors()[:3]:
        loc = ".".join(str(p) for p in e.get("loc", ()) if p != "__root__") or "(resource)"
        msg = str(e.get("msg", "")).rstrip(".")
        parts.append(f"{loc}: {msg}")
    more = len(errors()) - 3
    return "; ".join(parts) + (f"; and {more} more" if more > 0 else "")


def parse(data: Any, types: tuple[str, ...] = READ_TYPES) -> tuple[list[Resource], list[Problem]]:
    """Every resource of ``data``, validated, in input order; and the problems found.

    Parameters
    ----------
    data : dict or list
        A Bundle, a resource, or a list of Bundles and resources, as parsed JSON.
    types : tuple of str, default :data:`READ_TYPES`
        Resource types to validate and keep the model of; others are kept without a model.

    Returns
    -------
    resources : list of Resource
        Bundles are replaced by their entries.
    problems : list of Problem
        One per resource that is not valid FHIR R4, or input that is not FHIR at all.

    Raises
    ------
    FhirInputError
        If ``data`` is neither a JSON object nor a list of objects.
    """
    get_model = _models()
    if isinstance(data, Mapping):
        items: Sequence[Any] = [data]
    elif isinstance(data, list | tuple):
        items = data
    else:
        raise FhirInputError(
            [f"FHIR input must be a Bundle, a resource or a list of them (JSON objects); got {type(data).__name__}"]
        )
    resources: list[Resource] = []
    problems: list[Problem] = []

    def walk(item: Any, where: str, full_url: str | None, depth: int) -> None:
        if not isinstance(item, Mapping):
            problems.append(problem(where, f"is not a FHIR resource (a JSON object); got {type(item).__name__}"))
            return
        rtype = item.get("resourceType")
        rid = item.get("id")
        name = f"{rtype}/{rid}" if isinstance(rtype, str) and isinstance(rid, str) and rid else where
        if not isinstance(rtype, str) or not rtype:
            problems.append(problem(where, "has no resourceType; expected a FHIR resource such as Observation"))
            return
        if rtype == "Bundle":
            if depth >= MAX_DEPTH:
                problems.append(problem(name, f"Bundles are nested more than {MAX_DEPTH} deep"))
                return
            entries = item.get("entry", [])
            if not isinstance(entries, list):
                problems.append(problem(name, "entry is not a list"))
                return
            for i, entry in enumerate(entries):
                here = f"{name if name != where else where} entry {i}"
                if not isinstance(entry, Mapping) or "resource" not in entry:
                    if isinstance(entry, Mapping) and ("search" in entry or "request" in entry):
                        continue  # a search or transaction entry without a resource carries no data
                    problems.append(problem(here, "has no resource"))
                    continue
                url = entry.get("fullUrl") if isinstance(entry.get("fullUrl"), str) else None
                walk(entry["resource"], here, url, depth + 1)
            return
        try:
            model_class = get_model(rtype)
        except (KeyError, ValueError, LookupError, AttributeError):
            problems.append(problem(name, f"resourceType {rtype!r} is not a FHIR R4 resource type"))
            return
        if rtype not in types:
            resources.append(Resource(type=rtype, id=rid if isinstance(rid, str) else None, name=name, model=None))
            return
        try:
            model = model_class.model_validate(dict(item))
        except Exception as exc:  # pydantic's ValidationError, and what fhir.resources' validators raise
            problems.append(problem(name, f"is not valid FHIR R4: {_validation_detail(exc)}"))
            return
        resources.append(
            Resource(type=rtype, id=rid if isinstance(rid, str) else None, name=name, model=model, full_url=full_url)
        )

    for i, item in enumerate(items):
        walk(item, f"input item {i}" if len(items) > 1 else "the input", None, 0)
    return resources, problems


def instant(value: Any) -> dt.datetime | None:
    """A FHIR date or dateTime as an aware UTC datetime (a date or partial date: its first moment).

    ``"2024"`` and ``"2024-05"`` are the first day of the year or month; a date is midnight
    UTC; a dateTime without a zone is read as UTC. None stays None.
    """
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
    text = str(value)
    parts = text.split("-")
    try:
        year = int(parts[0])
        month = int(parts[1]) if len(parts) > 1 else 1
        return dt.datetime(year, month, 1, tzinfo=dt.UTC)
    except (ValueError, IndexError):
        return None
