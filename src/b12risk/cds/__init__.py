"""A CDS Hooks service: b12risk's cards while a clinician views a patient or orders a B12 test.

Needs the optional extra ``b12risk[serve]`` (FastAPI, uvicorn, PyJWT, httpx) and
``b12risk[fhir]``; importing this package loads none of them, :func:`create_app` does.
Run it with ``b12risk serve``.

Modules: :mod:`~b12risk.cds.app` (the ASGI application), :mod:`~b12risk.cds.hooks` (one
call answered), :mod:`~b12risk.cds.services` (discovery and prefetch),
:mod:`~b12risk.cds.cards`, :mod:`~b12risk.cds.suggestions` (which test informs most),
:mod:`~b12risk.cds.auth` (JWT), :mod:`~b12risk.cds.fhirfetch` (reads from the configured FHIR
server), :mod:`~b12risk.cds.settings`, :mod:`~b12risk.cds.logs` and :mod:`~b12risk.cds.docs`.
"""

from b12risk.cds.app import create_app
from b12risk.cds.auth import Keys, load_keys, read_keys
from b12risk.cds.settings import Settings

__all__ = ["Keys", "Settings", "create_app", "load_keys", "read_keys"]
