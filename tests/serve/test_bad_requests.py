"""Every bad request gets a clear 4xx as a JSON object, and nothing ever shows a stack trace."""

from __future__ import annotations

import json
import time

import httpx
import pytest

from cds_cases import new_key, request_body, token
from fhir_cases import bundle

VIEW = "/cds-services/b12risk-patient-view"


def assert_error(r, status: int, fragment: str):
    assert r.status_code == status, r.text
    body = r.json()
    assert isinstance(body["error"], str) and fragment in body["error"], body
    assert "Traceback" not in r.text and 'File "' not in r.text


def with_bad_b12_unit(unit: str) -> dict:
    b = bundle("borderline_b12_high_mma")
    obs = next(
        e["resource"]
        for e in b["entry"]
        if e["resource"].get("code", {}).get("coding", [{}])[0].get("code") == "2132-9"
    )
    obs["valueQuantity"].update(unit=unit, code=unit)
    return request_body(b)


BODY_CASES = [
    ("not JSON", b'{"hook": "patient-view",', 400, "the body is not valid JSON: Expecting"),
    ("not UTF-8", b'{"hook": "\xff"}', 400, "the body is not UTF-8 text"),
    ("JSON but not an object", b"[1, 2, 3]", 400, "the body is a JSON list; expected a CDS Hooks request object"),
    (
        "no hookInstance",
        json.dumps({"hook": "patient-view", "context": {"patientId": "p"}}).encode(),
        400,
        "the body is not a CDS Hooks request: hookInstance: Field required",
    ),
    (
        "another hook",
        json.dumps({**request_body(bundle("vegan_pregnancy")), "hook": "order-sign"}).encode(),
        400,
        "service b12risk-patient-view answers the 'patient-view' hook; the request is for 'order-sign'",
    ),
    (
        "a patient id that is no FHIR id",
        json.dumps({**request_body(bundle("vegan_pregnancy")), "context": {"patientId": "../../etc"}}).encode(),
        400,
        "context.patientId must be a FHIR id",
    ),
    (
        "a unit that cannot express the result (wrong FHIR)",
        json.dumps(with_bad_b12_unit("fL")).encode(),
        422,
        "'fL' cannot express this result",
    ),
    (
        "the prefetched patient is another one",
        json.dumps({**request_body(bundle("vegan_pregnancy")), "context": {"patientId": "someone-else"}}).encode(),
        422,
        "is not the patient asked about (Patient/someone-else)",
    ),
    (
        "no patient prefetched and no FHIR server to read",
        json.dumps(request_body(bundle("vegan_pregnancy"), prefetch={})).encode(),
        412,
        "the Patient was not prefetched (prefetch key 'patient') and the request's fhirServer is not the configured one",
    ),
]


@pytest.mark.parametrize(("what", "content", "status", "fragment"), BODY_CASES, ids=[c[0] for c in BODY_CASES])
def test_bad_bodies(call, what, content, status, fragment):
    assert_error(call(VIEW, content=content), status, fragment)


def test_invalid_fhir_names_the_resource_and_the_element(call):
    b = bundle("vegan_pregnancy")
    del b["entry"][1]["resource"]["status"]
    r = call(VIEW, request_body(b))
    assert_error(r, 422, "the FHIR data cannot be read as the patient")
    assert r.json()["problems"] == [
        "Observation/vegan-pregnancy-lab1: is not valid FHIR R4: status: Value for the field 'status' is required"
    ]


def test_oversized_bodies_are_refused_unread(call, service):
    big = json.dumps({**request_body(bundle("vegan_pregnancy")), "padding": "x" * (70 * 1024)}).encode()
    assert_error(call(VIEW, content=big), 413, "at most 65,536 are accepted")

    def chunks():  # no Content-Length: the stream is counted as it arrives
        for _ in range(100):
            yield b" " * 1024

    headers = {
        "Content-Type": "application/json",
        "Authorization": "Bearer " + token(service.ehr_key, service.url + VIEW),
    }
    with httpx.Client() as client:
        r = client.post(service.url + VIEW, content=chunks(), headers=headers)
    assert_error(r, 413, "the body is more than 65,536 bytes")


def test_a_body_that_is_not_json_by_content_type(call):
    r = call(VIEW, content=b"hook=patient-view", headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert_error(r, 415, "Content-Type 'application/x-www-form-urlencoded' is not JSON")


def test_unknown_service_and_method(call, service):
    assert_error(call("/cds-services/nope", {"hook": "patient-view"}), 404, "no service 'nope'")
    with httpx.Client() as client:
        assert_error(client.delete(service.url + "/cds-services"), 405, "Method Not Allowed")


def expired(key, aud):
    now = int(time.time())
    return token(key, aud, iat=now - 600, exp=now - 300)


TOKEN_CASES = [
    ("no token", lambda key, aud: None, "no Authorization header; expected 'Bearer <JWT>'"),
    ("not bearer", lambda key, aud: "Basic dXNlcjpwYXNz", "the Authorization header is not 'Bearer <JWT>'"),
    ("not a JWT", lambda key, aud: "Bearer not.a.jwt", "the bearer token is not a JWT"),
    ("signed by another key", lambda key, aud: "Bearer " + token(new_key(), aud), "signature does not verify"),
    ("unknown kid", lambda key, aud: "Bearer " + token(key, aud, kid="other"), "no configured key has kid 'other'"),
    ("expired", lambda key, aud: "Bearer " + expired(key, aud), "the token has expired"),
    (
        "for another endpoint",
        lambda key, aud: "Bearer " + token(key, aud + "-other"),
        "the token's aud is not this endpoint",
    ),
    (
        "another issuer",
        lambda key, aud: "Bearer " + token(key, aud, iss="https://evil.example"),
        "issuer 'https://evil.example' is not allowed",
    ),
    ("no jti", lambda key, aud: "Bearer " + token(key, aud, jti=None), "the token has no 'jti' claim"),
    (
        "valid for an hour",
        lambda key, aud: "Bearer " + token(key, aud, exp=int(time.time()) + 3600),
        "valid for more than 300 s",
    ),
    (
        "a shared secret (HS256)",
        lambda key, aud: "Bearer " + token("secret" * 6, aud, alg="HS256"),
        "JWT algorithm 'HS256' is not accepted",
    ),
]


@pytest.mark.parametrize(("what", "make", "fragment"), TOKEN_CASES, ids=[c[0] for c in TOKEN_CASES])
def test_a_bad_token_is_401_before_the_body_is_read(service, what, make, fragment):
    url = service.url + VIEW
    auth = make(service.ehr_key, url)
    headers = {"Content-Type": "application/json", **({"Authorization": auth} if auth else {})}
    with httpx.Client() as client:
        r = client.post(url, headers=headers, content=b"{ not even json")  # a 400 would mean the body was read
    assert_error(r, 401, fragment)
    assert r.headers["www-authenticate"].startswith("Bearer")


def test_discovery_needs_a_token_too(call):
    assert_error(call("/cds-services", auth=None), 401, "no Authorization header")


def test_a_replayed_token_is_refused(service):
    url = service.url + VIEW
    jwt_ = token(service.ehr_key, url)
    headers = {"Content-Type": "application/json", "Authorization": "Bearer " + jwt_}
    body = json.dumps(request_body(bundle("vegan_pregnancy")))
    with httpx.Client(timeout=60) as client:
        assert client.post(url, headers=headers, content=body).status_code == 200
        assert_error(client.post(url, headers=headers, content=body), 401, "the token's jti was already used (replay)")


def test_an_unexpected_failure_is_500_with_a_request_id_and_nothing_else(call, monkeypatch):
    import b12risk.serving.predict as predict_module

    def broken(*args, **kwargs):
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(predict_module, "predict", broken)
    r = call(VIEW, request_body(bundle("vegan_pregnancy")))
    assert_error(r, 500, "internal error (request ")
    assert "secret internal detail" not in r.text and "RuntimeError" not in r.text
    assert r.json()["error"].split("request ")[1].startswith(r.headers["x-request-id"])
