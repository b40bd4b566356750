"""What a record says about a field, where it says it, and which statement wins.

Each reader (observations, conditions, medicines) turns resources into
:class:`Finding` records (a field, a value, the moment it refers to, the resource) and
:class:`Note` records (a resource or element that is not used, and why). :func:`latest`
picks, per field, the most recent finding: undated findings count only when no dated one
exists. Statements that disagree without one being more recent (two undated, or two of the
same moment) are a problem, never a coin toss, unless one category refines the other
(vegan and vegetarian): then the narrower holds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
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


def _narrowest(group: list[Finding], refines: Callable[[str, Any, Any], bool] | None) -> Finding | None:
    """The finding of ``group`` whose value refines every other's (or equals it), if one does."""
    for f in group:
        if all(g.value == f.value or (refines is not None and refines(f.field, f.value, g.value)) for g in group):
            return f
    return None


def latest(
    findings: list[Finding], refines: Callable[[str, Any, Any], bool] | None = None
) -> tuple[dict[str, Finding], list[Problem]]:
    """Per field, the finding that holds: the most recent dated one, else the one undated one.

    Parameters
    ----------
    findings : list of Finding
    refines : callable, optional
        ``refines(field, narrow, broad)``: whether category ``narrow`` is a narrower case of
        ``broad`` (:meth:`~b12risk.fhir.codes.CodeBook.refines`), so that statements of the
        same moment that differ only so resolve to the narrower.

    Returns
    -------
    chosen : dict of str to Finding
    problems : list of Problem
        A field stated with different values by several undated resources, or by several
        resources of the same (latest) moment.
    """
    by_field: dict[str, list[Finding]] = {}
    for f in findings:
        by_field.setdefault(f.field, []).append(f)
    chosen: dict[str, Finding] = {}
    problems: list[Problem] = []
    for name, group in by_field.items():
        dated = [f for f in group if f.when is not None]
        newest = max((f.when for f in dated), default=None)
        candidates = [f for f in dated if f.when == newest] if dated else group
        pick = _narrowest(candidates, refines)
        if pick is not None:
            chosen[name] = pick
            continue
        values = {repr(f.value) for f in candidates}
        where = ", ".join(f.source.resource for f in candidates)
        if newest is not None:
            detail = (
                f"state different values of {name} ({', '.join(sorted(values))}) for the same moment "
                f"({candidates[0].source.date or newest.isoformat()}), so which holds cannot be told; expected one "
                "statement per moment"
            )
        else:
            detail = (
                f"state different values of {name} ({', '.join(sorted(values))}) and none has a date, so which "
                "is current cannot be told; expected a date on each (effective[x], recordedDate or issued)"
            )
        problems.append(problem(where, detail))
    return chosen, problems
