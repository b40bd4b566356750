"""Section 6 of the report: the TRIPOD+AI checklist.

:data:`TRIPOD` lists the reporting items of the TRIPOD+AI statement (Collins et al.,
BMJ 2024) and where the page covers each: section ids, or ``n/a:<reason>`` for items
about real participants that do not apply to synthetic data. The items' texts are the
catalogue's ``tripod.<item>`` entries and the reasons its ``na.<reason>`` entries.
"""

from __future__ import annotations

from b12risk.reporting.data import ReportData
from b12risk.reporting.html.markup import esc, ltr, section, table

__all__ = ["TRIPOD", "render"]

#: (item, section ids covering it, or "n/a:<reason key>"), in the statement's order.
TRIPOD: tuple[tuple[str, str], ...] = (
    ("1", "top"),
    ("2", "top model-card"),
    ("3", "model-card provenance"),
    ("4", "model-card"),
    ("5a", "model-card provenance nhanes"),
    ("5b", "nhanes"),
    ("6", "model-card provenance nhanes"),
    ("7", "model-card reproduce"),
    ("8", "model-card nhanes"),
    ("9", "provenance model-card"),
    ("10", "model-card performance"),
    ("11", "model-card"),
    ("12", "model-card performance"),
    ("13", "model-card"),
    ("14", "subgroups"),
    ("15", "model-card"),
    ("16", "model-card performance nhanes"),
    ("17", "n/a:ethics"),
    ("18a–b", "n/a:funding"),
    ("18c–d", "n/a:protocol"),
    ("18e–f", "reproduce"),
    ("19", "n/a:public"),
    ("20", "model-card performance nhanes"),
    ("22", "model-card reproduce"),
    ("23", "performance subgroups nhanes"),
    ("24", "model-card gate"),
    ("25", "explanations knowledge-check"),
    ("26", "model-card nhanes"),
    ("27", "model-card nhanes"),
)


def render(d: ReportData) -> str:
    """The TRIPOD+AI items, each with the sections that cover it or why it does not apply."""
    rows = []
    for number, where in TRIPOD:
        if where.startswith("n/a:"):
            cell = f'<span class="na">{esc(d.w("na_synthetic"))}</span>: {esc(d.w("na." + where[4:]))}'
        else:
            cell = ", ".join(f'<a href="#{s}">{esc(d.w("h." + s))}</a>' for s in where.split())
        rows.append([ltr(number), esc(d.w(f"tripod.{number}")), cell])
    head = d.head("item what where")
    return section(
        "tripod", d.w("h.tripod"), f"<p>{esc(d.w('tripod_intro'))}</p>" + table(head, rows, id="tripod-table")
    )
