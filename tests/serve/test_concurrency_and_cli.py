"""Many clients at once get the serial answers; the installed command serves; logs are JSON without patient data."""

from __future__ import annotations

import json
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from b12risk import predict
from b12risk.fhir import from_fhir
from cds_cases import jwks_of, request_body, token
from fhir_cases import NAMES, bundle, example

VIEW = "/cds-services/b12risk-patient-view"
CLIENTS = 12
CALLS_EACH = 4


def test_many_clients_at_once_get_the_serial_answers(service):
    serial = {}
    for name in NAMES:
        data = dict(example(name))  # the whole example: the Bundle carries every field
        data["age"] = from_fhir(bundle(name)).data["age"]
        serial[name] = predict(data).probability
    bodies = {name: json.dumps(request_body(bundle(name))) for name in NAMES}
    url = service.url + VIEW

    def client(i: int) -> list[tuple[str, float, int]]:
        out = []
        with httpx.Client(timeout=120) as c:
            for k in range(CALLS_EACH):
                name = NAMES[(i * CALLS_EACH + k) % len(NAMES)]
                headers = {"Content-Type": "application/json", "Authorization": "Bearer " + token(service.ehr_key, url)}
                r = c.post(url, headers=headers, content=bodies[name])
                out.append((name, r.json()["cards"][0]["extension"]["b12risk"]["probability"], r.status_code))
        return out

    with ThreadPoolExecutor(CLIENTS) as pool:
        results = [x for chunk in pool.map(client, range(CLIENTS)) for x in chunk]
    assert len(results) == CLIENTS * CALLS_EACH
    assert all(status == 200 for _, _, status in results)
    assert {name: p for name, p, _ in results} == {name: serial[name] for name, _, _ in results}
    assert all(p == serial[name] for name, p, _ in results)


def test_each_request_is_one_json_log_line_without_patient_data(call, caplog):
    caplog.set_level(logging.INFO, logger="b12risk.cds")
    body = request_body(bundle("vegan_pregnancy"))
    r = call(VIEW, body)
    assert r.status_code == 200
    lines = [rec for rec in caplog.records if rec.getMessage() == "request" and rec.path == VIEW]
    assert lines, "no request log line"
    rec = lines[-1]
    assert (rec.status, rec.service, rec.cards, rec.request_id) == (
        200,
        "b12risk-patient-view",
        1,
        r.headers["x-request-id"],
    )
    from b12risk.cds.logs import JsonFormatter

    line = json.loads(JsonFormatter().format(rec))
    assert line["event"] == "request" and line["status"] == 200
    # the random identifiers are what they must be, then left out of the search: a hex id
    # holds "175" or "1997" by chance in about one run in a hundred
    assert line.pop("request_id") == r.headers["x-request-id"]
    assert line.pop("hookInstance") == body["hookInstance"]
    text = json.dumps(line)
    for secret in ("1997", "pg/mL", "Bearer", "vegan", "175"):  # birth year, a lab, the token, the patient
        assert secret not in text, secret


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_b12risk_serve_runs_the_service(tmp_path, ehr_key):
    keys = tmp_path / "ehr-jwks.json"
    keys.write_text(json.dumps(jwks_of(ehr_key)))
    port = free_port()
    src = Path(__file__).resolve().parents[2] / "src"
    env = {**os.environ, "PYTHONPATH": str(src) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "b12risk.cli", "serve", "--port", str(port), "--keys", str(keys)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                health = httpx.get(base + "/health", timeout=2)
                if health.status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert proc.poll() is None, proc.stderr.read()
            assert time.monotonic() < deadline, "b12risk serve did not come up"
            time.sleep(0.2)
        url = base + VIEW
        r = httpx.post(url, headers={"Authorization": "Bearer " + token(ehr_key, url)},
                       json=request_body(bundle("hiv_latin_america")), timeout=60)  # fmt: skip
        assert r.status_code == 200, r.text
        assert httpx.post(url, json=request_body(bundle("hiv_latin_america"))).status_code == 401
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=30)
    # uvicorn shuts down gracefully on SIGTERM, then re-raises the signal so the exit status tells it
    assert proc.returncode in (0, -signal.SIGTERM), err
    assert "Traceback" not in err
    logged = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    assert any(e.get("event") == "ready" for e in logged) and any(e.get("status") == 401 for e in logged)


def test_b12risk_serve_refuses_to_start_without_keys_or_off_loopback(tmp_path):
    run = [sys.executable, "-m", "b12risk.cli", "serve"]
    env = {k: v for k, v in os.environ.items() if k != "B12RISK_CDS_KEYS"}
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[2] / "src")
    res = subprocess.run(run, capture_output=True, text=True, env=env, timeout=60)
    assert res.returncode == 2 and "no keys to verify the EHR's JWT" in res.stderr
    res = subprocess.run(
        [*run, "--allow-unauthenticated", "--host", "0.0.0.0"], capture_output=True, text=True, env=env, timeout=60
    )
    assert res.returncode == 2 and "loopback host only" in res.stderr
    res = subprocess.run(
        [*run, "--allow-unauthenticated", "--max-body-bytes", "10"], capture_output=True, text=True, env=env, timeout=60
    )
    assert res.returncode == 2 and "max_body_bytes must be at least 1024; got 10" in res.stderr
    bad = tmp_path / "bad.json"
    bad.write_text('{"keys": [{"kty": "oct", "k": "c2VjcmV0"}]}')
    res = subprocess.run([*run, "--keys", str(bad)], capture_output=True, text=True, env=env, timeout=60)
    assert res.returncode == 2 and "a shared secret" in res.stderr
