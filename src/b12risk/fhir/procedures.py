"""Procedures: an operation done (a gastrectomy) as a finding, dated when it was performed.

A Procedure whose code is a finding of the code book (``[[condition]]`` in
``seeds/codes.toml``) states that finding *present* when its status is ``completed``; the
code book says what that means for the field (total or partial gastrectomy). A procedure
dated after the record's date has not happened yet as far as the record is read, and any
other status (not-done, in-progress, stopped, entered-in-error, ...) does not say it was
done: both are notes, never findings. A record states that an operation was *not* done
through a refuted Condition or a "no" answer (:mod:`~b12risk.fhir.conditions`), not through
a Procedure.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from b12risk.errors import Problem
from b12risk.fhir.codes import CodeBook
from b12risk.fhir.conditions import finding_entry, stated
from b12risk.fhir.evidence import Finding, Note, coding_text
from b12risk.fhir.parse import Resource, instant

__all__ = ["read_procedure"]


def _performed(proc: Any) -> dt.datetime | None:
    """When a procedure was performed: performedDateTime, else its period's end (or start)."""
    period = getattr(proc, "performedPeriod", None)
    return instant(
        getattr(proc, "performedDateTime", None) or (period.end or period.start if period is not None else None)
    )


def read_procedure(
    res: Resource, book: CodeBook, as_of: dt.datetime
) -> tuple[list[Finding], list[Note], list[Problem]]:
    """What one Procedure says about predict()'s fields.

    Returns
    -------
    findings, notes, problems : lists
    """
    proc = res.model
    entry = finding_entry(book, proc.code)
    if entry is None:
        return [], [Note(res.name, f"code {coding_text(proc.code)} is not one b12risk reads")], []
    if proc.status != "completed":
        return [], [Note(res.name, f"{entry.display}: status {proc.status!r}, not a completed procedure; not used")], []
    when = _performed(proc)
    if when is not None and when > as_of:
        shown = when.date().isoformat()
        return [], [Note(res.name, f"{entry.display}: performed {shown}, after the record's date; not used")], []
    recorded = "completed" + (f" {when.date().isoformat()}" if when is not None else "")
    f, n = stated(res, book, entry, True, when, recorded)
    return f, n, []
