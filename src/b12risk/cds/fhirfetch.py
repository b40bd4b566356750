"""Reading from the EHR's FHIR server when the EHR did not prefetch, only if configured.

The service reads from one FHIR server, the one its operator configured
(``b12risk serve --fhir-server URL``), and only when the request names that same server in
``fhirServer`` and carries a ``fhirAuthorization`` bearer token: a request can never make
the service fetch from an address of the request's choosing. Searches follow ``next`` links
on the same server up to a few pages.
"""

from __future__ import annotations

from typing import Any

__all__ = ["FetchError", "fetch", "same_server"]

MAX_PAGES = 5


class FetchError(Exception):
    """A FHIR read that failed; the message names the query and the cause (never the token)."""


def _norm(url: str) -> str:
    return url.strip().rstrip("/")


def same_server(configured: str | None, requested: str | None) -> bool:
    """Whether the request's ``fhirServer`` is the configured one (scheme, host, port and path)."""
    return configured is not None and requested is not None and _norm(configured) == _norm(requested)


def fetch(base: str, query: str, token: str, timeout: float) -> Any:
    """The resource or searchset Bundle a prefetch query reads (pages joined into one Bundle).

    Raises
    ------
    FetchError
        On a network error, a non-200 answer, a body that is not JSON, or a ``next`` link to
        another server.
    """
    import httpx  # only the service reads FHIR servers

    root = _norm(base)
    url = f"{root}/{query.lstrip('/')}"
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/fhir+json"}
    entries: list[Any] = []
    first: Any = None
    with httpx.Client(timeout=timeout, follow_redirects=False) as client:
        for _ in range(MAX_PAGES):
            try:
                response = client.get(url, headers=headers)
            except httpx.HTTPError as exc:
                raise FetchError(f"{query.split('?')[0]}: {type(exc).__name__}") from None
            if response.status_code != 200:
                raise FetchError(f"{query.split('?')[0]}: the FHIR server answered HTTP {response.status_code}")
            try:
                body = response.json()
            except ValueError:
                raise FetchError(f"{query.split('?')[0]}: the FHIR server's answer is not JSON") from None
            if not isinstance(body, dict) or body.get("resourceType") != "Bundle":
                return body
            first = first or body
            entries += body.get("entry", []) or []
            nxt = next((link.get("url") for link in body.get("link", []) or [] if link.get("relation") == "next"), None)
            if not nxt:
                break
            if not str(nxt).startswith(root + "/"):
                raise FetchError(f"{query.split('?')[0]}: a next link leaves the configured FHIR server")
            url = nxt
    return (
        {**first, "entry": entries, "link": []}
        if first is not None
        else {"resourceType": "Bundle", "type": "searchset"}
    )
