"""Shared by the CDS Hooks tests: a real uvicorn server on a loopback port, signed tokens,
a fake FHIR server, and CDS requests built from the example Bundles."""

from __future__ import annotations

import datetime as dt
import json
import socket
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

ISSUER = "https://ehr.example.org"
KID = "ehr-key-1"
FHIR_TOKEN = "fhir-access-token-for-tests"
PREFETCH_TYPES = {
    "observations": "Observation",
    "conditions": "Condition",
    "procedures": "Procedure",
    "medicationStatements": "MedicationStatement",
    "medicationRequests": "MedicationRequest",
}


def new_key():
    from cryptography.hazmat.primitives.asymmetric import ec

    return ec.generate_private_key(ec.SECP384R1())


def jwks_of(private_key, kid: str = KID) -> dict:
    import jwt

    jwk = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(private_key.public_key()))
    return {"keys": [{**jwk, "kid": kid, "use": "sig", "alg": "ES384"}]}


def token(private_key, audience: str, *, kid: str = KID, alg: str = "ES384", **claims: Any) -> str:
    import jwt

    now = int(time.time())
    payload = {"iss": ISSUER, "aud": audience, "iat": now, "exp": now + 120, "jti": uuid.uuid4().hex, **claims}
    payload = {k: v for k, v in payload.items() if v is not None}
    return jwt.encode(payload, private_key, algorithm=alg, headers={"kid": kid, "typ": "JWT"})


class Server:
    """uvicorn serving an app on 127.0.0.1 at a free port, in a thread, until stopped."""

    def __init__(self, app: Any):
        import uvicorn

        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.socket.bind(("127.0.0.1", 0))
        self.port = self.socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, log_config=None, access_log=False, lifespan="on", timeout_graceful_shutdown=2)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.socket]}, daemon=True)

    def __enter__(self) -> Server:
        self.thread.start()
        deadline = time.monotonic() + 120  # the lifespan loads the model once
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the CDS server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)
        self.socket.close()


def split_bundle(bundle: dict) -> dict[str, Any]:
    """A Bundle's resources as the prefetch of the discovery document's keys (searchsets)."""
    resources = [e["resource"] for e in bundle["entry"]]
    prefetch: dict[str, Any] = {"patient": next(r for r in resources if r["resourceType"] == "Patient")}
    for key, rtype in PREFETCH_TYPES.items():
        found = [{"resource": r} for r in resources if r["resourceType"] == rtype]
        prefetch[key] = {
            "resourceType": "Bundle",
            "type": "searchset",
            "total": len(found),
            **({"entry": found} if found else {}),
        }
    return prefetch


def request_body(bundle: dict, hook: str = "patient-view", *, prefetch: Any = "all", **more: Any) -> dict:
    patient = next(e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient")
    body = {
        "hook": hook,
        "hookInstance": str(uuid.uuid4()),
        "context": {"userId": "Practitioner/example", "patientId": patient["id"]},
        **more,
    }
    if prefetch == "all":
        body["prefetch"] = split_bundle(bundle)
    elif prefetch is not None:
        body["prefetch"] = prefetch
    return body


class FakeFhir:
    """A FHIR server on loopback answering reads and searches from one Bundle, if the token is right."""

    def __init__(self, bundles: list[dict]):
        resources = [e["resource"] for b in bundles for e in b["entry"]]
        self.requests: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def do_GET(self) -> None:
                outer.requests.append(self.path)
                if self.headers.get("Authorization") != f"Bearer {FHIR_TOKEN}":
                    return self._send(401, {"resourceType": "OperationOutcome"})
                parts = urlsplit(self.path)
                path = parts.path.removeprefix("/fhir/")
                if "/" in path:  # a read: Type/id
                    rtype, rid = path.split("/", 1)
                    hit = next((r for r in resources if r["resourceType"] == rtype and r.get("id") == rid), None)
                    return self._send(200, hit) if hit else self._send(404, {"resourceType": "OperationOutcome"})
                patient = parse_qs(parts.query).get("patient", [""])[0]
                found = [
                    r
                    for r in resources
                    if r["resourceType"] == path and r.get("subject", {}).get("reference") == f"Patient/{patient}"
                ]
                self._send(
                    200, {"resourceType": "Bundle", "type": "searchset", "entry": [{"resource": r} for r in found]}
                )

            def _send(self, status: int, body: Any) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/fhir+json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/fhir"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> FakeFhir:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def today() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
