"""Answering one CDS Hooks call: the request checked, the record gathered, the cards made.

:func:`answer` takes the parsed JSON body of a call to one service and returns the
response (``{"cards": [...]}``) or raises :class:`CdsError` with the HTTP status the spec
and the project's rules call for: 400 for a body that is not a CDS request of this hook,
412 when the patient's data cannot be had (not prefetched and no configured FHIR server to
read), 422 for FHIR that cannot be read as the patient (naming the resource).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from urllib.parse import quote

from pydantic import BaseModel, ConfigDict, ValidationError

from b12risk.cds.cards import display_of, risk_card, suggestion_card
from b12risk.cds.fhirfetch import FetchError, fetch, same_server
from b12risk.cds.services import PREFETCH_KEYS, Service, prefetch_templates
from b12risk.cds.settings import Settings
from b12risk.cds.suggestions import suggest
from b12risk.errors import FhirInputError
from b12risk.fhir import from_fhir
from b12risk.fhir.codes import code_book
from b12risk.fhir.evidence import codings
from b12risk.fhir.parse import parse

__all__ = ["CdsError", "CdsRequest", "answer"]

#: A FHIR id (FHIR R4 datatype ``id``).
FHIR_ID = re.compile(r"[A-Za-z0-9\-.]{1,64}")
#: Fields whose test being ordered triggers the order-select card.
B12_TESTS = ("serum_b12_pmol_l", "mma_umol_l", "hcy_umol_l", "holotc_pmol_l")


class CdsError(Exception):
    """A call that gets an HTTP error: its status, a message, and the problems behind it."""

    def __init__(self, status: int, message: str, problems: tuple[str, ...] = ()):
        super().__init__(message)
        self.status = status
        self.message = message
        self.problems = problems


class FhirAuthorization(BaseModel):
    model_config = ConfigDict(extra="allow")

    access_token: str
    token_type: str
    expires_in: int
    scope: str
    subject: str


class CdsRequest(BaseModel):
    """The body of a CDS service call (CDS Hooks 2.0; unknown fields, such as ``extension``, are kept)."""

    model_config = ConfigDict(extra="allow")

    hook: str
    hookInstance: str
    fhirServer: str | None = None
    fhirAuthorization: FhirAuthorization | None = None
    context: dict[str, Any]
    prefetch: dict[str, Any] | None = None


def _request(body: Any, service: Service) -> CdsRequest:
    if not isinstance(body, dict):
        raise CdsError(400, f"the body is a JSON {type(body).__name__}; expected a CDS Hooks request object")
    try:
        req = CdsRequest.model_validate(body)
    except ValidationError as exc:
        problems = tuple(
            f"{'.'.join(str(p) for p in e['loc']) or '(body)'}: {e['msg']}" for e in exc.errors(include_input=False)
        )
        raise CdsError(400, "the body is not a CDS Hooks request: " + "; ".join(problems), problems) from None
    if req.hook != service.hook:
        raise CdsError(400, f"service {service.id} answers the {service.hook!r} hook; the request is for {req.hook!r}")
    patient_id = req.context.get("patientId")
    if not isinstance(patient_id, str) or not FHIR_ID.fullmatch(patient_id):
        raise CdsError(400, f"context.patientId must be a FHIR id (letters, digits, '-' and '.'); got {patient_id!r}")
    if req.fhirAuthorization is not None and not req.fhirServer:
        raise CdsError(400, "fhirAuthorization is given without fhirServer; the spec requires both")
    return req


def _gather(req: CdsRequest, settings: Settings) -> tuple[list[Any], tuple[str, ...]]:
    """The prefetched (or fetched) FHIR data, and the prefetch keys that could not be had."""
    prefetch = dict(req.prefetch or {})
    patient_id = req.context["patientId"]
    failed = [k for k, v in prefetch.items() if isinstance(v, dict) and v.get("resourceType") == "OperationOutcome"]
    missing = [k for k in PREFETCH_KEYS if k not in prefetch or k in failed]
    can_read = (
        settings.fhir_server is not None
        and same_server(settings.fhir_server, req.fhirServer)
        and req.fhirAuthorization is not None
    )
    if missing and can_read:
        templates = prefetch_templates()
        for key in missing:
            query = templates[key].replace("{{context.patientId}}", quote(patient_id, safe=""))
            try:
                prefetch[key] = fetch(
                    settings.fhir_server, query, req.fhirAuthorization.access_token, settings.fhir_timeout
                )
            except FetchError as exc:
                raise CdsError(412, f"cannot read the patient's data from the FHIR server: {exc}") from None
        missing = []
    if "patient" in missing:
        if settings.fhir_server is None:
            why = "this service is configured without a FHIR server to read from"
        elif not same_server(settings.fhir_server, req.fhirServer):
            why = f"the request's fhirServer is not the configured one ({settings.fhir_server})"
        else:
            why = "the request carries no fhirAuthorization"
        raise CdsError(412, f"the Patient was not prefetched (prefetch key 'patient') and {why}")
    data = [v for k, v in prefetch.items() if k in PREFETCH_KEYS and v is not None and k not in missing]
    return data, tuple(missing)


def _ordered_tests(req: CdsRequest) -> list[str]:
    """Display names of the B12-related tests among the selected draft orders (order-select)."""
    draft = req.context.get("draftOrders")
    selections = req.context.get("selections")
    if not isinstance(draft, dict) or not isinstance(selections, list):
        raise CdsError(400, "order-select needs context.draftOrders (a Bundle) and context.selections (a list)")
    resources, problems = parse(draft, types=("ServiceRequest", "MedicationRequest"))
    if problems:
        messages = tuple(p.message for p in problems)
        raise CdsError(422, "context.draftOrders is not valid FHIR R4: " + "; ".join(messages), messages)
    book = code_book()
    wanted = set(map(str, selections))
    out = []
    for r in resources:
        if r.type != "ServiceRequest" or f"ServiceRequest/{r.id}" not in wanted:
            continue
        for system, code, _ in codings(r.model.code):
            lab = book.lab(system, code)
            if lab is not None and lab.field in B12_TESTS:
                out.append(lab.display)
    return out


def answer(
    service: Service, body: Any, settings: Settings, language: str, *, now: dt.datetime | None = None
) -> dict[str, Any]:
    """The response to one call of ``service``.

    Parameters
    ----------
    service : Service
    body : object
        The request body, parsed JSON.
    settings : Settings
    language : {"en", "ar"}
        Of the cards' text.
    now : datetime, optional
        The date the record is read at; now by default.

    Raises
    ------
    CdsError
        400, 412 or 422 (see the module's description).
    """
    from b12risk.serving.predict import predict
    from b12risk.validation import validate

    req = _request(body, service)
    ordering = _ordered_tests(req) if service.hook == "order-select" else []
    if service.hook == "order-select" and not ordering:
        return {"cards": []}
    data, missing = _gather(req, settings)
    try:
        record = from_fhir(data, as_of=now, region=settings.region, patient_id=req.context["patientId"])
    except FhirInputError as exc:
        problems = tuple(p.message for p in exc.problems)
        raise CdsError(422, "the FHIR data cannot be read as the patient: " + "; ".join(problems), problems) from None
    prediction = predict(record.data, model=settings.model, language=language)
    row = validate(record.data).frame.iloc[0].to_dict()
    cards = [risk_card(prediction, record, language, missing=missing, ordering=", ".join(ordering) or None)]
    rule = suggest(row, prediction.risk_band)
    if rule is not None and display_of(rule) not in ordering:
        cards.append(suggestion_card(rule, record.patient_id, language, prediction.model_version))
    return {"cards": cards}
