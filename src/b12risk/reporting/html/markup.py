"""Small helpers that write escaped HTML for the report's sections.

Numbers keep Western digits and a true minus sign, and stay left to right inside
Arabic text (:func:`ltr`); data quoted from ``seeds/`` or the model folder keep their
own direction (:func:`bdi`).
"""

from __future__ import annotations

import html
import math
from typing import Any

__all__ = [
    "attributes",
    "bdi",
    "ci",
    "code",
    "esc",
    "listing",
    "ltr",
    "ltr_ci",
    "num",
    "pct",
    "probability_text",
    "section",
    "table",
    "td",
]


def esc(value: Any) -> str:
    """``value`` as text, HTML-escaped (quotes too)."""
    return html.escape(str(value), quote=True)


def attributes(attrs: dict[str, Any] | None) -> str:
    """HTML attributes from keyword-style names; None values are left out."""
    # Python names stand for HTML ones: class_ -> class, data_level -> data-level.
    return "".join(f' {k.rstrip("_").replace("_", "-")}="{esc(v)}"' for k, v in (attrs or {}).items() if v is not None)


def num(x: float, digits: int = 3, *, signed: bool = False) -> str:
    """A number as shown on the page: fixed digits, a true minus sign, '–' if missing."""
    if x is None or not math.isfinite(float(x)):
        return "–"
    text = f"{float(x):+.{digits}f}" if signed else f"{float(x):.{digits}f}"
    return text.replace("-", "−")


def ci(est: float, lo: float, hi: float, digits: int = 3, *, signed: bool = False) -> str:
    """``estimate (lo–hi)``; spaced dash when a bound is negative; '–' without an estimate."""
    if est is None or not math.isfinite(float(est)):
        return "–"
    a, b = num(lo, digits, signed=signed), num(hi, digits, signed=signed)
    sep = " – " if "−" in a + b else "–"
    return f"{num(est, digits, signed=signed)} ({a}{sep}{b})"


def bdi(text: Any) -> str:
    """Data as written in seeds/ or the model folder (often English): its own direction."""
    return f"<bdi>{esc(text)}</bdi>"


def ltr(text: str) -> str:
    """Numbers keep left-to-right order inside Arabic text."""
    return f'<span class="n" dir="ltr">{esc(text)}</span>'


def ltr_ci(text: str) -> str:
    """An ``estimate (interval)`` that may break before the interval in a narrow column."""
    est, sep, rest = text.partition(" (")
    return ltr(est) + (f" {ltr('(' + rest)}" if sep else "")


def probability_text(p: float) -> str:
    """A probability with three decimals; the extremes as bounds rather than a false 0 or 1."""
    return "<0.001" if p < 0.0005 else ">0.999" if p >= 0.9995 else f"{p:.3f}"


def td(content: str, **attrs: Any) -> tuple[str, dict[str, Any]]:
    """A table cell: its HTML and its attributes (see :func:`table`)."""
    return content, attrs


def table(head: list[str], rows: list[list[Any]], *, row_attrs: list[dict] | None = None, **attrs: Any) -> str:
    """A table; each cell is HTML text or ``(html, attributes)``."""
    out = [f'<div class="scroll"><table{attributes(attrs)}><thead><tr>']
    out += [f"<th>{h}</th>" for h in head]
    out.append("</tr></thead><tbody>")
    for i, row in enumerate(rows):
        out.append(f"<tr{attributes(row_attrs[i] if row_attrs else None)}>")
        for c in row:
            content, a = c if isinstance(c, tuple) else (c, {})
            out.append(f"<td{attributes(a)}>{content}</td>")
        out.append("</tr>")
    out.append("</tbody></table></div>")
    return "".join(out)


def listing(items: list[str], tag: str = "ul") -> str:
    """A ``<ul>`` (or ``tag``) of already escaped items."""
    return f"<{tag}>" + "".join(f"<li>{i}</li>" for i in items) + f"</{tag}>"


def section(sid: str, heading: str, body: str) -> str:
    """One section of the page: its id, heading and body."""
    return f'<section id="{sid}"><h2>{esc(heading)}</h2>{body}</section>'


def code(text: str) -> str:
    """Code or a key, left to right."""
    return f'<code dir="ltr">{esc(text)}</code>'


def pct(x: Any, digits: int = 1) -> str:
    """A share as a percentage with ``digits`` decimals; '–' if missing."""
    return f"{float(x):.{digits}%}" if x is not None and math.isfinite(float(x)) else "–"
