"""The reviewers' report as one HTML page: its style sheet, header, alerts, contents and sections.

One module per section (:mod:`~b12risk.reporting.html.card`,
:mod:`~b12risk.reporting.html.provenance`, ...); every text comes from the catalogue
(:mod:`b12risk.words`, English or Arabic) or from the knowledge base and the model
folder.
"""

from __future__ import annotations

from b12risk._version import __version__
from b12risk.reporting.data import SECTIONS, ReportData
from b12risk.reporting.figures.saving import FigureWriter
from b12risk.reporting.html import (
    card,
    explanations,
    knowledge,
    nhanes,
    nhanes_findings,
    performance,
    provenance,
    reproduce,
    tripod,
)
from b12risk.reporting.html.markup import esc, listing

__all__ = ["render_page"]


_CSS = """
:root{--red:#a4161a;--redbg:#fdecea;--green:#1e6b33;--greenbg:#e8f5ec;--amber:#8a5a00;--amberbg:#fff6e0}
*{box-sizing:border-box}
body{margin:0;font-family:system-ui,"Segoe UI","Noto Sans","Noto Sans Arabic","DejaVu Sans",sans-serif;color:#1d1d1f;line-height:1.5;background:#fff}
header,main,footer{max-width:1180px;margin:0 auto;padding:0 1.2rem}
h1{font-size:1.7rem;margin:1.2rem 0 .4rem}
h2{font-size:1.35rem;border-bottom:2px solid #1f4e9c;padding-bottom:.2rem;margin-top:2.4rem}
h3{font-size:1.08rem;margin-top:1.6rem}
h4{font-size:.98rem;margin:1.2rem 0 .2rem}
li.finding-bad{color:#7a1013}
li.finding-ok{color:var(--green)}
.banner{border-inline-start:6px solid;padding:.55rem .9rem;margin:.5rem 0;border-radius:3px}
.banner ul{margin:.3rem 0}
.banner a{color:inherit}
.danger{border-color:var(--red);background:var(--redbg);color:#5a0d0f}
.warn{border-color:var(--amber);background:var(--amberbg)}
.banner.ok{border-color:var(--green);background:var(--greenbg)}
#not-a-diagnosis{font-size:1.08rem}
.bad{color:var(--red);font-weight:600}
.ok{color:var(--green);font-weight:600}
.na{color:#555;font-style:italic}
.note{color:#444;font-style:italic}
nav ol{columns:2;margin:.3rem 0 1rem}
.scroll{overflow-x:auto;margin:.6rem 0 1rem}
table{border-collapse:collapse;font-size:.82rem;min-width:50%}
th,td{border:1px solid #d8d8d8;padding:.25rem .45rem;vertical-align:top;text-align:start}
th{background:#f1f3f6;position:sticky;top:0}
td.num{text-align:end}
.n{white-space:nowrap}
td.scorer{min-width:9em}
tbody tr:nth-child(even) td{background:#fafafa}
tr.scorer-model td{font-weight:600}
tr.flag td,tr.contradiction td{background:var(--redbg)!important}
code,pre,.n{unicode-bidi:isolate}
code{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:.9em;background:#f3f3f3;padding:0 .2em;border-radius:2px}
pre{direction:ltr;text-align:left;background:#f6f8fa;border:1px solid #e1e4e8;padding:.7rem;overflow:auto;font-size:.82rem}
figure{margin:1rem 0 1.6rem}
figure img{max-width:100%;height:auto;border:1px solid #eee}
figcaption{font-size:.85rem;color:#444;margin-top:.3rem}
footer{color:#555;font-size:.8rem;border-top:1px solid #ddd;margin-top:3rem;padding-top:.6rem;padding-bottom:2rem}
@media print{figure,table{break-inside:avoid}th{position:static}}
"""


def _alerts(d: ReportData) -> str:
    gate = d.meta.get("gate", {})
    passed = bool(gate.get("passed"))
    parts = [
        f'<p class="banner danger" id="not-a-diagnosis"><strong>{esc(d.w("not_diagnosis_head"))}</strong> '
        f"{esc(d.w('not_diagnosis'))}</p>",
        f'<p class="banner warn" id="synthetic">{esc(d.w("synthetic"))}</p>',
    ]
    n_fail = len(gate.get("failures", []))
    status = d.w("gate_passed") if passed else d.w("gate_failed", n=n_fail)
    parts.append(
        f'<p class="banner {"ok" if passed else "danger"}" id="gate-banner" data-passed="{str(passed).lower()}">'
        f'<a href="#gate">{esc(status)}</a></p>'
    )
    bad = [c for c in d.checks if c.verdict != "agrees"]
    if bad:
        items = [f'{esc(c.label)}: <span class="bad">{esc(d.w("verdict." + c.verdict))}</span>' for c in bad]
        parts.append(
            f'<div class="banner danger" id="contradictions"><a href="#knowledge-check">'
            f"{esc(d.w('kc_bad', n=len(bad)))}</a>{listing(items)}</div>"
        )
    else:
        parts.append(f'<p class="banner ok" id="contradictions">{esc(d.w("kc_ok"))}</p>')
    parts.append(nhanes_findings.banner(d))
    recorded, current = d.meta.get("knowledge_fingerprint"), d.kb.fingerprint
    if recorded != current:
        parts.append(
            f'<p class="banner warn" id="fingerprint">'
            f"{esc(d.w('fp_mismatch', recorded=str(recorded)[:12], current=current[:12]))}</p>"
        )
    return f'<div id="alerts">{"".join(parts)}</div>'


def _nav(d: ReportData) -> str:
    items = [f'<a href="#{s}">{esc(d.w("h." + s))}</a>' for s in SECTIONS]
    return (
        f'<nav aria-label="{esc(d.w("contents"))}"><strong>{esc(d.w("contents"))}</strong>{listing(items, "ol")}</nav>'
    )


def render_page(d: ReportData, fw: FigureWriter) -> str:
    """The whole page: header with the alerts, the sections, footer."""
    lang = d.language
    title = d.w("title", version=d.loaded.version)
    sections = [
        card.render(d),
        provenance.render(d),
        performance.render(d, fw),
        nhanes.render(d, fw),
        explanations.render(d, fw),
        knowledge.render(d),
        tripod.render(d),
        reproduce.render(d),
    ]
    footer = d.w("footer", pkg=__version__, version=d.loaded.version, created=d.meta.get("created", "–"))
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{lang}" dir="{"rtl" if lang == "ar" else "ltr"}">\n'
        '<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title><style>{_CSS}</style></head>\n"
        f'<body><header id="top"><h1>{esc(title)}</h1><p class="lead">{esc(d.w("subtitle"))}</p>{_alerts(d)}{_nav(d)}</header>\n'
        f"<main>{''.join(sections)}</main>\n"
        f"<footer><p>{esc(footer)}</p></footer></body></html>\n"
    )
