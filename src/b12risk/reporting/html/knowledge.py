"""Section 5 of the report: the knowledge check (:mod:`b12risk.reporting.knowledge_check`) as a table."""

from __future__ import annotations

from b12risk.reporting.data import ReportData
from b12risk.reporting.html.markup import ci, code, esc, ltr, ltr_ci, num, section, table, td

__all__ = ["render"]


def render(d: ReportData) -> str:
    """One row per documented cause: its learned effect against its documented direction."""
    rows, attrs = [], []
    for c in d.checks:
        bad = c.verdict != "agrees"
        rows.append(
            [
                esc(c.label),
                " + ".join(code(f) for f in c.fields),
                td(ltr(f"{c.n_with:,} / {c.n_without:,}"), class_="num"),
                esc(d.w("basis." + c.basis)),
                td(ltr(num(c.mean_with, 3, signed=True)), class_="num"),
                td(ltr(num(c.mean_without, 3, signed=True)), class_="num"),
                td(ltr_ci(ci(c.diff, c.lo, c.hi, 3, signed=True)), class_="num"),
                esc(d.w("dir." + ("raises" if c.expected > 0 else "lowers"))),
                esc(d.w("dir." + {1: "raises", -1: "lowers", 0: "none"}[c.learned])),
                f'<span class="{"bad" if bad else "ok"}">{esc(d.w("verdict." + c.verdict))}</span>',
            ]
        )
        attrs.append(
            {
                "class": "contradiction" if bad else None,
                "data_cause": c.cause,
                "data_level": c.level,
                "data_verdict": c.verdict,
            }
        )
    head = d.head("cause fields with_without basis mean_with mean_without difference documented learned verdict")
    hidden = [d.label(c) for c in d.kb.causes.values() if c.kind == "hidden"]
    body = [
        f"<p>{esc(d.w('kc_intro', min=d.settings['MIN_PRESENT'], k=d.settings['WHAT_IF_ROWS'], eps=d.settings['MIN_EFFECT']))}</p>",
        table(head, rows, row_attrs=attrs, id="knowledge-check-table"),
        f'<p class="note">{esc(d.w("kc_hidden", names="; ".join(hidden)))}</p>',
    ]
    return section("knowledge-check", d.w("h.knowledge-check"), "".join(body))
