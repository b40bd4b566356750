"""The CDS Hooks service as an ASGI application (FastAPI), run by ``b12risk serve``.

Endpoints: ``GET /cds-services`` (discovery), ``POST /cds-services/{id}`` (a hook call),
``POST /cds-services/{id}/feedback``, ``GET /health``, ``GET /openapi.json`` and ``GET /docs``
(the same as a self-contained page). Every CDS endpoint checks the EHR's JWT bearer token
before it reads the body (401 otherwise); a body larger than the limit is refused unread
(413); a body that is not JSON is 400; not JSON from the EHR (``Content-Type``) is 415. Every
error is a JSON object ``{"error": ..., "problems": [...]}``; an unexpected one is 500 with a
request id and nothing else, never a stack trace. Each request is logged as one JSON line.

Examples
--------
>>> from b12risk.cds import Settings, create_app
>>> app = create_app(Settings(allow_unauthenticated=True))
>>> sorted(r.path for r in app.routes if r.path.startswith("/cds"))
['/cds-services', '/cds-services/{service_id}', '/cds-services/{service_id}/feedback']
"""

# No ``from __future__ import annotations`` here: FastAPI reads the endpoints' annotations
# (``request: Request``) at definition time, and Request is imported inside create_app so that
# importing this module does not load FastAPI.
import json
import sys
import time
import uuid
from contextlib import asynccontextmanager
from typing import Any

from b12risk._version import __version__
from b12risk.cds.auth import AuthError, ReplayCache, verify
from b12risk.cds.docs import openapi_page
from b12risk.cds.hooks import CdsError, answer
from b12risk.cds.logs import logger
from b12risk.cds.services import SERVICES, discovery
from b12risk.cds.settings import Settings
from b12risk.words import LANGUAGES

__all__ = ["create_app", "language_of"]

JSON_TYPES = ("application/json", "application/fhir+json")


def language_of(header: str | None) -> str:
    """The card language an ``Accept-Language`` header prefers among :data:`b12risk.words.LANGUAGES` (English by default).

    >>> language_of("ar-SA,ar;q=0.9,en;q=0.5"), language_of("fr, en;q=0.3"), language_of(None)
    ('ar', 'en', 'en')
    """
    best, best_q = "en", 0.0
    for part in (header or "").split(","):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGUAGES and q > best_q:
            best, best_q = primary, q
    return best


def _error(status: int, message: str, problems: tuple[str, ...] = (), headers: dict | None = None) -> Any:
    from fastapi.responses import JSONResponse

    content: dict[str, Any] = {"error": message}
    if problems:
        content["problems"] = list(problems)
    return JSONResponse(content, status_code=status, headers=headers)


def _warm_up(settings: Settings) -> str:
    """Load the model, the FHIR models and the UCUM registry before the first request."""
    from b12risk.fhir import from_fhir
    from b12risk.serving.runtime import resolve

    runtime = resolve(settings.model)
    record = from_fhir(
        [
            {"resourceType": "Patient", "id": "warm-up", "gender": "female", "birthDate": "1960-01-01"},
            {
                "resourceType": "Observation",
                "id": "w",
                "status": "final",
                "subject": {"reference": "Patient/warm-up"},
                "code": {"coding": [{"system": "http://loinc.org", "code": "2132-9"}]},
                "valueQuantity": {
                    "value": 250,
                    "unit": "pg/mL",
                    "system": "http://unitsofmeasure.org",
                    "code": "pg/mL",
                },
            },
        ]
    )
    record.predict(model=settings.model)
    return runtime.version


def create_app(settings: Settings) -> Any:
    """The service's FastAPI application.

    Parameters
    ----------
    settings : Settings
        Keys, issuers, public URL, FHIR server, limits, region and model.

    Returns
    -------
    fastapi.FastAPI

    Raises
    ------
    ImportError
        If the ``serve`` extra (FastAPI, uvicorn, PyJWT, httpx) is not installed.
    """
    try:
        from fastapi import FastAPI, Request
        from fastapi.exceptions import RequestValidationError
        from fastapi.responses import HTMLResponse, JSONResponse
        from starlette.concurrency import run_in_threadpool
        from starlette.exceptions import HTTPException as StarletteHTTPException
    except ImportError:  # pragma: no cover - the serve extra is a test dependency
        raise ImportError("b12risk serve needs the 'serve' extra: pip install 'b12risk[serve]'") from None

    replay = ReplayCache()
    state: dict[str, Any] = {"model_version": None}

    @asynccontextmanager
    async def lifespan(_app: Any):
        state["model_version"] = await run_in_threadpool(_warm_up, settings)
        logger.info("ready", extra={"model_version": state["model_version"], "services": list(SERVICES)})
        yield

    app = FastAPI(
        title="b12risk CDS Hooks service",
        version=__version__,
        description=(
            "Vitamin B12 deficiency risk as CDS Hooks cards, from the patient's FHIR R4 record. "
            "Decision support, not a diagnosis."
        ),
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )

    @app.middleware("http")
    async def log_and_contain(request: Request, call_next: Any) -> Any:
        request_id = uuid.uuid4().hex[:16]
        request.state.request_id = request_id
        request.state.log = {}
        start = time.perf_counter()
        try:
            response = await call_next(request)
        except Exception:  # anything unexpected: 500 with an id, the cause in the log only
            logger.error("unhandled error", exc_info=sys.exc_info(), extra={"request_id": request_id,
                         "error_type": sys.exc_info()[0].__name__})  # fmt: skip
            response = _error(500, f"internal error (request {request_id}); see the service's log")
        response.headers["X-Request-ID"] = request_id
        logger.info(
            "request",
            extra={
                "request_id": request_id,
                "method": request.method,
                "path": request.url.path,
                "status": response.status_code,
                "ms": round((time.perf_counter() - start) * 1000, 1),
                **request.state.log,
            },
        )
        return response

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException) -> Any:
        return _error(exc.status_code, str(exc.detail))

    @app.exception_handler(RequestValidationError)
    async def validation_error(_request: Request, exc: RequestValidationError) -> Any:
        problems = tuple(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        return _error(422, "the request is not valid", problems)

    def audience(request: Request) -> str:
        base = (settings.public_url or str(request.base_url)).rstrip("/")
        return base + request.url.path

    def authenticate(request: Request) -> Any:
        """None when the token is accepted; else the 401 response."""
        header = request.headers.get("authorization")
        if settings.allow_unauthenticated and not header:
            return None
        try:
            claims = verify(header, settings.keys, audience(request), issuers=settings.issuers,
                            max_lifetime=settings.max_token_lifetime, replay=replay)  # fmt: skip
        except AuthError as exc:
            request.state.log["auth"] = "refused"
            return _error(401, str(exc), headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
        request.state.log["iss"] = claims.get("iss")
        return None

    async def read_json(request: Request) -> Any:
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if kind not in JSON_TYPES:
            raise CdsError(415, f"Content-Type {kind or '(none)'!r} is not JSON; expected application/json")
        limit = settings.max_body_bytes
        declared = request.headers.get("content-length")
        if declared is not None:
            if not declared.isdigit():
                raise CdsError(400, f"Content-Length {declared!r} is not a number of bytes")
            if int(declared) > limit:
                raise CdsError(413, f"the body is {int(declared):,} bytes; at most {limit:,} are accepted")
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise CdsError(413, f"the body is more than {limit:,} bytes; at most {limit:,} are accepted")
            chunks.append(chunk)
        body = b"".join(chunks)
        try:
            return json.loads(body)
        except UnicodeDecodeError:
            raise CdsError(400, "the body is not UTF-8 text") from None
        except json.JSONDecodeError as exc:
            raise CdsError(
                400, f"the body is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
            ) from None
        except RecursionError:
            raise CdsError(400, "the body's JSON is nested too deeply") from None
        except ValueError:  # a number with more digits than Python turns into an int
            raise CdsError(400, "the body's JSON has a number too long to read") from None

    @app.get("/cds-services", summary="Discovery: the services and their prefetch templates")
    async def cds_services(request: Request) -> Any:
        refused = authenticate(request)
        return refused or JSONResponse(discovery())

    @app.post(
        "/cds-services/{service_id}",
        summary="Call a service with a CDS Hooks request; answers cards",
        description=(
            "Body: a CDS Hooks 2.0 request (hook, hookInstance, context.patientId, prefetch keyed as the discovery "
            "document says). Cards are in English, or Arabic when Accept-Language prefers it. Errors: 400 not a CDS "
            "request or not JSON, 401 token, 404 unknown service, 412 patient data neither prefetched nor readable, "
            "413 body too large, 415 not JSON, 422 FHIR that cannot be read as the patient."
        ),
        responses={
            400: {"description": "bad request"},
            401: {"description": "token missing or refused"},
            404: {"description": "no such service"},
            412: {"description": "patient data not available"},
            413: {"description": "body too large"},
            415: {"description": "not JSON"},
            422: {"description": "FHIR not readable as the patient"},
        },
    )
    async def call_service(service_id: str, request: Request) -> Any:
        service = SERVICES.get(service_id)
        if service is None:
            return _error(404, f"no service {service_id!r}; the services are {', '.join(SERVICES)}")
        refused = authenticate(request)
        if refused is not None:
            return refused
        language = language_of(request.headers.get("accept-language"))
        request.state.log.update(service=service_id, language=language)
        try:
            body = await read_json(request)
            if isinstance(body, dict) and isinstance(body.get("hookInstance"), str):
                request.state.log["hookInstance"] = body["hookInstance"][:64]
            result = await run_in_threadpool(answer, service, body, settings, language)
        except CdsError as exc:
            request.state.log["error"] = exc.status
            return _error(exc.status, exc.message, exc.problems)
        request.state.log["cards"] = len(result["cards"])
        return JSONResponse(result)

    @app.post("/cds-services/{service_id}/feedback", summary="Feedback on cards (accepted or overridden)")
    async def feedback(service_id: str, request: Request) -> Any:
        if service_id not in SERVICES:
            return _error(404, f"no service {service_id!r}")
        refused = authenticate(request)
        if refused is not None:
            return refused
        try:
            body = await read_json(request)
        except CdsError as exc:
            return _error(exc.status, exc.message)
        items = body.get("feedback") if isinstance(body, dict) else None
        if not isinstance(items, list) or not all(
            isinstance(i, dict) and "card" in i and "outcome" in i for i in items
        ):
            return _error(400, "feedback must be {'feedback': [{'card': ..., 'outcome': ..., ...}, ...]}")
        outcomes = [str(i["outcome"]) for i in items]
        request.state.log.update(service=service_id, feedback=outcomes)
        return JSONResponse({})

    @app.get("/health", summary="Liveness: the model version in use")
    async def health() -> Any:
        return {"status": "ok", "model_version": state["model_version"], "services": list(SERVICES)}

    @app.get("/docs", summary="This API as a self-contained HTML page", response_class=HTMLResponse)
    async def docs() -> Any:
        return HTMLResponse(openapi_page(app.openapi()))

    return app
