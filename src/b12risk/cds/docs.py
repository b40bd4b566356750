"""The OpenAPI page: the service's OpenAPI document as one self-contained HTML page.

FastAPI's own pages load scripts and styles from a CDN; this one has no script, font or
link outside itself, so it works offline and a browser makes no request to a third party.
"""

from __future__ import annotations

import html
import json
from typing import Any

__all__ = ["openapi_page"]


def openapi_page(spec: dict[str, Any]) -> str:
    """HTML listing every path and method of ``spec`` with its summary, description and responses."""
    e = html.escape
    info = spec.get("info", {})
    rows = []
    for path, methods in spec.get("paths", {}).items():
        for method, op in methods.items():
            responses = ", ".join(
                f"{code} {e(r.get('description', ''))}" for code, r in op.get("responses", {}).items()
            )
            rows.append(
                f"<section><h2><code>{e(method.upper())} {e(path)}</code></h2>"
                f"<p><b>{e(op.get('summary', ''))}</b></p><p>{e(op.get('description', ''))}</p>"
                f"<p>Responses: {responses}</p></section>"
            )
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        f"<title>{e(info.get('title', 'API'))}</title>"
        "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto;padding:0 1em}"
        "section{border-top:1px solid #ccc;padding:.5em 0}code{font-size:1.1em}pre{white-space:pre-wrap}</style>"
        f"</head><body><h1>{e(info.get('title', ''))} {e(info.get('version', ''))}</h1>"
        f"<p>{e(info.get('description', ''))}</p>{''.join(rows)}"
        "<h2>OpenAPI document</h2><p>The same, machine-readable, at <a href=openapi.json>openapi.json</a>:</p>"
        f"<pre>{e(json.dumps(spec, indent=1))}</pre></body></html>"
    )
