"""The CDS Hooks service under load on loopback, against predict() in-process, in the same run.

    python benchmarks/bench_serve.py [--rounds 5] [--clients 4] [--requests 12] [--model VERSION] [--max-spread 0.5]

Starts ``b12risk serve`` (a real uvicorn process, every request's JWT verified) on a free
loopback port with a key generated for the run, and waits until it is ready (the model is
loaded before the first request). Then, in interleaved rounds, so that a change in the
machine's load hits every measurement alike:

- in-process: ``predict()`` of the example patients' records (the dict ``from_fhir`` makes of
  each Bundle), and ``from_fhir`` + ``predict()`` (what the service computes per request);
- serial: one client, one request after another: the latency of a request;
- load: ``--clients`` clients at once, ``--requests`` each: requests per second and the p50 and
  p99 latency.

Each figure is the median over rounds, with its spread ((max - min) / median); ratios divide
the served latency by the in-process one. If a spread exceeds ``--max-spread`` the run exits
1: the machine was too busy for the ratios to mean anything. Bounded: rounds x (clients x
requests + 2 x patients) requests, a few seconds a round on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric import ec
from threadpoolctl import threadpool_info

from b12risk.fhir import from_fhir
from b12risk.serving.predict import predict

ROOT = Path(__file__).resolve().parents[1]
BUNDLES = ROOT / "tests" / "fhir" / "bundles"
VIEW = "/cds-services/b12risk-patient-view"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def body_of(bundle: dict) -> bytes:
    resources = [e["resource"] for e in bundle["entry"]]
    patient = next(r for r in resources if r["resourceType"] == "Patient")
    prefetch = {"patient": patient}
    for key, rtype in (
        ("observations", "Observation"),
        ("conditions", "Condition"),
        ("medicationStatements", "MedicationStatement"),
        ("medicationRequests", "MedicationRequest"),
    ):
        found = [{"resource": r} for r in resources if r["resourceType"] == rtype]
        prefetch[key] = {"resourceType": "Bundle", "type": "searchset", **({"entry": found} if found else {})}
    request = {
        "hook": "patient-view",
        "hookInstance": "bench",
        "context": {"patientId": patient["id"]},
        "prefetch": prefetch,
    }
    return json.dumps(request).encode()  # fmt: skip


class Tokens:
    """Signed, single-use tokens for the run's key (made before each timed section)."""

    def __init__(self, key, audience: str):
        self.key, self.audience = key, audience

    def make(self, n: int) -> list[str]:
        now = int(time.time())
        return [
            jwt.encode(
                {
                    "iss": "https://bench.local",
                    "aud": self.audience,
                    "iat": now,
                    "exp": now + 240,
                    "jti": f"{now}-{i}-{os.urandom(6).hex()}",
                },
                self.key,
                algorithm="ES384",
                headers={"kid": "bench", "typ": "JWT"},
            )
            for i in range(n)
        ]


def post(client: httpx.Client, url: str, body: bytes, tok: str) -> float:
    start = time.perf_counter()
    r = client.post(url, content=body, headers={"Content-Type": "application/json", "Authorization": f"Bearer {tok}"})
    elapsed = time.perf_counter() - start
    if r.status_code != 200:
        raise SystemExit(f"the service answered {r.status_code}: {r.text[:300]}")
    return elapsed


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def spread(values: list[float]) -> float:
    m = statistics.median(values)
    return (max(values) - min(values)) / m if m else float("inf")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--requests", type=int, default=12, help="requests per client per round")
    parser.add_argument("--model", default=None)
    parser.add_argument("--max-spread", type=float, default=0.5)
    args = parser.parse_args()

    bundles = [json.loads(p.read_text()) for p in sorted(BUNDLES.glob("*.json"))]
    bodies = [body_of(b) for b in bundles]
    records = [from_fhir(b) for b in bundles]
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} (1 min) before the run")
    pools = {(i["user_api"], i["internal_api"]): i["num_threads"] for i in threadpool_info()}
    print(f"thread pools in this process: {pools}; OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}; "
          "predict() runs small requests on one OpenMP thread")  # fmt: skip

    key = ec.generate_private_key(ec.SECP384R1())
    jwk = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(key.public_key()))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as tmp:
        keys = Path(tmp) / "jwks.json"
        keys.write_text(json.dumps({"keys": [{**jwk, "kid": "bench", "alg": "ES384"}]}))
        command = [sys.executable, "-m", "b12risk.cli", "serve", "--port", str(port), "--keys", str(keys)]
        if args.model:
            command += ["--model", args.model]
        server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 180
            while True:
                try:
                    if httpx.get(base + "/health", timeout=2).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if server.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("b12risk serve did not start")
                time.sleep(0.2)
            return run(args, base + VIEW, Tokens(key, base + VIEW), bodies, records)
        finally:
            server.terminate()
            server.wait(timeout=30)


def client_loop(url: str, bodies: list[bytes], i: int, toks: list[str], lock: threading.Lock, out: list[float]) -> None:
    """One client of the load test: its requests one after another, latencies added to ``out``."""
    mine = []
    with httpx.Client(timeout=120) as c:
        for k, tok in enumerate(toks):
            mine.append(post(c, url, bodies[(i + k) % len(bodies)], tok))
    with lock:
        out.extend(mine)


def run(args, url: str, tokens: Tokens, bodies: list[bytes], records) -> int:
    n = len(bodies)
    with httpx.Client(timeout=60) as warm:  # one pass of each patient, not timed: caches, connections
        for body, tok in zip(bodies, tokens.make(n), strict=True):
            post(warm, url, body, tok)
    prefetched = [list(json.loads(b)["prefetch"].values()) for b in bodies]  # parsed JSON, as the service has it
    for resources in prefetched:  # the in-process path warmed up the same way, not timed
        predict(from_fhir(resources).data, model=args.model)
    rows = []
    for r in range(1, args.rounds + 1):
        t = time.perf_counter()
        for rec in records:
            predict(rec.data, model=args.model)
        in_process = (time.perf_counter() - t) / n
        t = time.perf_counter()
        for resources in prefetched:
            predict(from_fhir(resources).data, model=args.model)
        convert_predict = (time.perf_counter() - t) / n

        with httpx.Client(timeout=60) as client:
            serial = [post(client, url, body, tok) for body, tok in zip(bodies, tokens.make(n), strict=True)]

        per_client = [tokens.make(args.requests) for _ in range(args.clients)]
        latencies: list[float] = []
        lock = threading.Lock()
        threads = [
            threading.Thread(target=client_loop, args=(url, bodies, i, per_client[i], lock, latencies))
            for i in range(args.clients)
        ]
        t = time.perf_counter()
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        wall = time.perf_counter() - t
        row = {
            "in_process_ms": in_process * 1e3,
            "convert_predict_ms": convert_predict * 1e3,
            "serial_ms": statistics.median(serial) * 1e3,
            "rps": len(latencies) / wall,
            "p50_ms": percentile(latencies, 0.50) * 1e3,
            "p99_ms": percentile(latencies, 0.99) * 1e3,
        }
        rows.append(row)
        print(f"round {r}: predict() {row['in_process_ms']:.1f} ms, from_fhir+predict {row['convert_predict_ms']:.1f} ms, "
              f"served serially {row['serial_ms']:.1f} ms; {args.clients} clients: {row['rps']:.1f} req/s, "
              f"p50 {row['p50_ms']:.1f} ms, p99 {row['p99_ms']:.1f} ms; load {os.getloadavg()[0]:.2f}", flush=True)  # fmt: skip

    med = {k: statistics.median(r[k] for r in rows) for k in rows[0]}
    spr = {k: spread([r[k] for r in rows]) for k in rows[0]}
    print(f"\nmedians over {args.rounds} rounds (spread = (max - min) / median):")
    for k, label in (("in_process_ms", "predict() in-process, ms"), ("convert_predict_ms", "from_fhir + predict() in-process, ms"),
                     ("serial_ms", "served, one client, ms"), ("rps", f"served, {args.clients} clients, requests/s"),
                     ("p50_ms", f"served, {args.clients} clients, p50 ms"), ("p99_ms", f"served, {args.clients} clients, p99 ms")):  # fmt: skip
        print(f"  {label:<42} {med[k]:>9.1f}   spread {spr[k]:.2f}")
    print(f"ratio served (one client) / predict() in-process: {med['serial_ms'] / med['in_process_ms']:.2f}")
    print(
        f"ratio served (one client) / from_fhir + predict() in-process: {med['serial_ms'] / med['convert_predict_ms']:.2f}"
    )
    print(f"ratio served p50 under load / predict() in-process: {med['p50_ms'] / med['in_process_ms']:.2f}")
    print(f"throughput vs one in-process caller (1000 / predict ms): {med['rps'] / (1e3 / med['in_process_ms']):.2f}")
    too_wide = {k: v for k, v in spr.items() if v > args.max_spread and k != "p99_ms"}
    if too_wide:
        print(f"FAIL: spread above {args.max_spread} in {', '.join(too_wide)}: the machine was too busy for these "
              "ratios to mean anything; run again on a quieter machine", file=sys.stderr)  # fmt: skip
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
