"""Fixtures of the CDS Hooks tests: one real server (uvicorn, loopback) and a fake FHIR server for the session."""

from __future__ import annotations

import json

import httpx
import pytest

from b12risk.cds import Settings, create_app, load_keys
from cds_cases import ISSUER, FakeFhir, Server, jwks_of, new_key, token
from fhir_cases import NAMES, bundle

LIMIT = 64 * 1024  # a small body limit, so the oversized-body tests send little


@pytest.fixture(scope="session")
def ehr_key():
    return new_key()


@pytest.fixture(scope="session")
def fake_fhir():
    with FakeFhir([bundle(n) for n in NAMES]) as server:
        yield server


@pytest.fixture(scope="session")
def service(ehr_key, fake_fhir):
    keys = load_keys(json.dumps(jwks_of(ehr_key)), origin="test JWKS")
    settings = Settings(keys=keys, issuers=(ISSUER,), fhir_server=fake_fhir.url, max_body_bytes=LIMIT)
    with Server(create_app(settings)) as server:
        server.ehr_key = ehr_key
        yield server


@pytest.fixture
def call(service, ehr_key):
    """POST a body to a service (or GET discovery) with a fresh valid token, unless told otherwise."""

    def do(path: str, body=None, *, auth: str | None = "valid", headers: dict | None = None, content=None):
        url = service.url + path
        h = {"Content-Type": "application/json", **(headers or {})}
        if auth == "valid":
            h["Authorization"] = "Bearer " + token(ehr_key, url)
        elif auth is not None:
            h["Authorization"] = auth
        with httpx.Client(timeout=60) as client:
            if body is None and content is None:
                return client.get(url, headers=h)
            return client.post(url, headers=h, content=content if content is not None else json.dumps(body))

    return do
