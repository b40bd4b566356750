"""Concurrency: many threads and several processes predicting at once get exactly the
answers of one caller alone, and a model version being written is never seen half done.

(``test_predict.py::test_concurrent_callers_get_the_serial_answers`` covers eight
threads scoring single patients with explanations on a model already in hand.)
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd

from b12risk import registry, simulate
from b12risk.knowledge.schema import truth_columns
from b12risk.registry import list_models, load_model, verify
from b12risk.serving import runtime as runtime_module
from b12risk.serving.predict import predict

SHIPPED = Path(__file__).resolve().parents[2] / "models" / "b12risk-1.0.0"
THREADS = 16
PROCESSES = 4
READERS = 3
NEW_VERSIONS = 3  # written by the writer while the readers load
TIMEOUT = 180  # seconds any child process or wait may take

PATIENT = {"age": 71, "sex": "female", "diet": "vegan", "ppi_years": 6, "ppi_pills_per_day": 1, "paresthesia": True}
LAB_PATIENT = {"age": 58, "sex": "male", "metformin_years": 9, "serum_b12_pg_ml": 240, "mma_umol_l": 0.41}


def cohort(n: int, seed: int) -> pd.DataFrame:
    return simulate(n, scenario="older_adults", seed=seed).drop(columns=list(truth_columns()))


SMALL, LARGE = cohort(12, seed=21), cohort(2100, seed=22)  # below and above predict's threaded size


#: The calls each thread makes, every thread starting at a different one so that all
#: kinds run at the same moment: single and batch, with and without explanations.
CALLS = {
    "single, explained": lambda model: predict(PATIENT, model=model),
    "single with labs, quick": lambda model: predict(LAB_PATIENT, model=model, explain=False),
    "single, Arabic": lambda model: predict(LAB_PATIENT, model=model, language="ar"),
    "batch, explained": lambda model: predict(SMALL, model=model),
    "large batch, quick": lambda model: predict(LARGE, model=model, explain=False),
}


def comparable(result) -> object:
    """A form that is equal only when every value is equal to the last bit (NaN equals NaN)."""
    if isinstance(result, pd.DataFrame):
        columns = {
            c: result[c].to_numpy().tobytes() if result[c].dtype.kind == "f" else result[c].tolist() for c in result
        }
        return list(result.index), columns
    return json.dumps(result.to_dict(), sort_keys=True)


def test_threads_at_once_get_the_serial_answers_and_load_the_model_once(monkeypatch):
    """Sixteen threads start together on a model named by its path, so they also race to
    load it: it is loaded once, and every answer equals the one a lone caller gets."""
    monkeypatch.setattr(runtime_module, "_CACHE", {})
    loads = []
    real_load = registry.load_model

    def counting_load(*args, **kwargs):
        loads.append(args)
        return real_load(*args, **kwargs)

    monkeypatch.setattr(registry, "load_model", counting_load)
    spec = str(SHIPPED)
    names = list(CALLS)
    start = threading.Barrier(THREADS)
    results: dict[int, dict[str, object]] = {}
    errors: list[BaseException] = []

    def worker(k: int) -> None:
        try:
            start.wait(timeout=TIMEOUT)
            order = names[k % len(names) :] + names[: k % len(names)]
            results[k] = {name: comparable(CALLS[name](spec)) for name in order}
        except BaseException as exc:  # reported below, with the thread's number
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=TIMEOUT)
    assert not any(thread.is_alive() for thread in threads)
    assert errors == []
    assert len(loads) == 1
    serial = {name: comparable(call(spec)) for name, call in CALLS.items()}
    assert len(loads) == 1  # the lone caller used the cached model too
    for k in range(THREADS):
        assert results[k] == serial, f"thread {k}"


# --------------------------------------------------------------------------- processes

#: A child process: imports, says it is ready, waits for the go file (so that all children
#: start their work at the same moment), then does its job and writes what it saw.
CHILD = """
import json, os, signal, sys, time
from pathlib import Path

import pandas as pd

from b12risk import registry, simulate
from b12risk.serving.predict import predict
from b12risk.knowledge.schema import to_model_frame

job = json.loads(sys.argv[1])
work, name = Path(job["work"]), job["name"]


def wait_for(paths):
    deadline = time.monotonic() + job["timeout"]
    while not all(p.exists() for p in paths):
        if time.monotonic() > deadline:
            sys.exit(f"{name}: timed out waiting for {[str(p) for p in paths if not p.exists()]}")
        time.sleep(0.005)


(work / f"ready-{name}").touch()
wait_for([work / "go"])
report = {}

if job["role"] == "scorer":
    report["load_started"] = time.time()
    model = registry.load_model(job["model"])
    report["load_ended"] = time.time()
    predict(pd.read_parquet(job["batch"]), model=model).to_parquet(work / f"{name}.parquet")

elif job["role"] == "writer":  # pauses inside every save, half done, until each reader made a full pass
    from b12risk.registry import save as registry_save  # where save_model looks the writer up

    real_write = registry_save._write_file

    def write(path, data):
        real_write(path, data)
        if path.name == registry.MODEL_FILE:
            half = work / f"half-{job['version']}"
            half.touch()
            wait_for([work / f"seen-{half.name}-{reader}" for reader in job["readers"]])

    registry_save._write_file = write
    source = registry.load_model(job["source"])
    meta = {k: v for k, v in source.metadata.items() if k not in registry.RESERVED_KEYS}
    for version in job["versions"]:
        job["version"] = version
        registry.save_model(
            source.estimator, version=version, metadata=meta, model_card="# copy", root=job["root"], released=True
        )
    (work / "writer-done").touch()

else:  # reader: list, then load and use every version, until the writer is done
    frame = to_model_frame(simulate(300, seed=5))
    root, acked, reference = Path(job["root"]), set(), None
    report.update(passes=0, passes_beside_half_version=0, seen=[], problems=[])
    while True:
        done = (work / "writer-done").exists()
        halves = {p.name for p in work.glob("half-*")} - acked
        if any(n.startswith(registry.TMP_PREFIX) for n in os.listdir(root)):
            report["passes_beside_half_version"] += 1
        try:
            listed = registry.list_models(root)
            report["problems"] += [m["problem"] for m in listed if "problem" in m]
            for entry in listed:
                p = registry.load_model(entry["path"]).estimator.predict_proba(frame)[:, 1].tobytes()
                reference = reference or p
                if p != reference:
                    report["problems"].append(f"version {entry['version']} predicts differently")
                report["seen"] = sorted({*report["seen"], entry["version"]})
            released = [m["version"] for m in listed if m["released"]]
            if released:  # the writer may have added a version since the listing, never removed one
                latest = registry.load_model("latest", root=root).version
                if registry._semver_key(latest) < registry._semver_key(released[-1]):
                    report["problems"].append(f"latest is {latest}, older than {released[-1]} listed before")
        except Exception as exc:
            report["problems"].append(f"{type(exc).__name__}: {exc}")
        report["passes"] += 1
        for half in halves:
            (work / f"seen-{half}-{name}").touch()
        acked |= halves
        if done:
            break

(work / f"{name}.json").write_text(json.dumps(report))
"""


def run_together(work: Path, jobs: dict[str, dict]) -> dict[str, dict]:
    """Start one child per job, release them together once all are ready, wait for all."""
    procs = {
        name: subprocess.Popen(
            [sys.executable, "-c", CHILD, json.dumps({**job, "name": name, "work": str(work), "timeout": TIMEOUT})],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for name, job in jobs.items()
    }
    try:
        deadline = time.monotonic() + TIMEOUT
        while not all((work / f"ready-{name}").exists() for name in jobs):
            assert all(p.poll() is None for p in procs.values()), "a child died before it was ready"
            assert time.monotonic() < deadline, "the children did not get ready in time"
            time.sleep(0.01)
        (work / "go").touch()
        outputs = {name: proc.communicate(timeout=TIMEOUT)[0] for name, proc in procs.items()}
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    for name, proc in procs.items():
        assert proc.returncode == 0, f"{name}:\n{outputs[name][-3000:]}"
    return {name: json.loads((work / f"{name}.json").read_text()) for name in jobs if (work / f"{name}.json").exists()}


def test_processes_loading_at_once_predict_exactly_the_serial_result(tmp_path):
    batch = cohort(50, seed=23)
    batch.to_parquet(tmp_path / "batch.parquet")
    serial = predict(batch, model=load_model(SHIPPED))
    jobs = {
        f"scorer{k}": {"role": "scorer", "model": str(SHIPPED), "batch": str(tmp_path / "batch.parquet")}
        for k in range(PROCESSES)
    }
    reports = run_together(tmp_path, jobs)
    # the loads really ran at the same moment: the last one started before the first one ended
    assert max(r["load_started"] for r in reports.values()) < min(r["load_ended"] for r in reports.values())
    for name in jobs:
        got = pd.read_parquet(tmp_path / f"{name}.parquet")
        pd.testing.assert_frame_equal(got, serial, check_exact=True)
        assert got["probability"].to_numpy().tobytes() == serial["probability"].to_numpy().tobytes()


def test_readers_never_see_a_version_being_written(tmp_path, tiny_model):
    """Readers list and load every version while a writer adds versions to the same folder.
    The writer stops in the middle of each save (its model file written, its metadata not)
    until every reader has made a full pass, so each reader works beside a half-written
    version each time: none ever sees it, and every version it sees loads and predicts."""
    root = tmp_path / "models"
    root.mkdir()
    shutil.copytree(tiny_model.path, root / "b12risk-0.1.0")
    meta = json.loads((root / "b12risk-0.1.0" / "metadata.json").read_text())
    assert meta["released"] is False  # the copy is not "latest"; the writer's versions are
    versions = [f"1.0.{k}" for k in range(1, NEW_VERSIONS + 1)]
    readers = [f"reader{k}" for k in range(READERS)]
    jobs = {name: {"role": "reader", "root": str(root)} for name in readers}
    jobs["writer"] = {
        "role": "writer",
        "root": str(root),
        "source": str(tiny_model.path),
        "versions": versions,
        "readers": readers,
    }
    reports = run_together(tmp_path, jobs)
    for name in readers:
        report = reports[name]
        assert report["problems"] == [], name
        assert report["passes_beside_half_version"] >= NEW_VERSIONS, name
        assert report["seen"] == ["0.1.0", *versions], name
    listed = list_models(root)
    assert [m["version"] for m in listed] == ["0.1.0", *versions]
    assert all(verify(m["version"], root=root)["ok"] for m in listed)
    assert not [p for p in root.iterdir() if p.name.startswith(registry.TMP_PREFIX)]
