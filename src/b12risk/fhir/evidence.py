"""What a record says about a field, where it says it, and which statement wins.

Each reader (observations, conditions, medicines) turns resources into
:class:`Finding` records (a field, a value, the moment it refers to, the resource) and
:class:`Note` records (a resource or element that is not used, and why). :func:`latest`
picks, per field, the most recent finding: undated findings count only when no dated one
exists, and two undated ones that disagree are a problem, never a coin toss.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from b12risk.errors import Problem
from b12risk.fhir.parse import problem

__all__ = ["Finding", "Note", "Source", "coding_text", "codings", "latest"]


@dataclass(frozen=True)
class Source:
    """Where a predict() field's value came from.

    Attributes
    ----------
    field : str
        The predict() field (``serum_b12_pmol_l``, or the alternative column it went to).
    resource : str
        The resource, ``Observation/b12-1``.
    code : str
        The coding that matched, ``http://loinc.org|2132-9`` (or the generic name matched).
    display : str
        What the code means, from the code book.
    date : str or None
        The date the value refers to (ISO), when the resource gives one.
    recorded : str
        The value as the resource states it (``175 pg/mL``, ``refuted``, ``not-taken``).
    """

    field: str
    resource: str
    code: str
    display: str
    date: str | None
    recorded: str


@dataclass(frozen=True)
class Note:
    """A resource (or part of one) that was read but not used, and why."""

    resource: str
    detail: str


@dataclass(frozen=True)
class Finding:
    """One statement of a field's value by one resource."""

    field: str
    value: Any
    when: dt.datetime | None
    source: Source


def codings(concept: Any) -> list[tuple[str | None, str | None, str | None]]:
    """(system, code, display) of every coding of a CodeableConcept (empty for None)."""
    if concept is None:
        return []
    return [(c.system, c.code, c.display) for c in (concept.coding or [])]


def coding_text(concept: Any) -> str:
    """A CodeableConcept in words for messages: its text, else its codings."""
    if concept is None:
        return "(no code)"
    if concept.text:
        return concept.text
    parts = [f"{s or '?'}|{c or '?'}" + (f" {d!r}" if d else "") for s, c, d in codings(concept)]
    return ", ".join(parts) or "(no code)"


def latest(findings: list[Finding]) -> tuple[dict[str, Finding], list[Problem]]:
    """Per field, the finding that holds: the most recent dated one, else the one undated one.

    Returns
    -------
    chosen : dict of str to Finding
    problems : list of Problem
        A field stated by several undated resources with different values.
    """
    by_field: dict[str, list[Finding]] = {}
    for f in findings:
        by_field.setdefault(f.field, []).append(f)
    chosen: dict[str, Finding] = {}
    problems: list[Problem] = []
    for name, group in by_field.items():
        dated = [f for f in group if f.when is not None]
        if dated:
            chosen[name] = max(dated, key=lambda f: f.when)
            continue
        values = {repr(f.value) for f in group}
        if len(values) > 1:
            where = ", ".join(f.source.resource for f in group)
            problems.append(
                problem(
                    where,
                    f"state different values of {name} ({', '.join(sorted(values))}) and none has a date, so which "
                    "is current cannot be told; expected a date on each (effective[x], recordedDate or issued)",
                )
            )
            continue
        chosen[name] = group[0]
    return chosen, problems
