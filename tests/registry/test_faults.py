"""Faults: a training run or an export killed with SIGKILL at any point, a full disk and a
read-only models folder.

Whatever happens, the registry stays as it was (or, when the kill came after the final
rename, holds one more complete version), ``list_models`` and ``load_model`` keep
working, and the same version can be written again. A failed write raises
:class:`~b12risk.ModelWriteError` naming the folder, the step and the cause.

Scoring interrupted and resumed is specified in tests/scale/test_scale.py
(``test_an_interrupted_run_resumes_without_duplicating_or_skipping_rows`` and
``test_a_run_killed_with_sigkill_resumes``).
"""

from __future__ import annotations

import ctypes
import errno
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from b12risk import registry, simulate
from b12risk.cli import main as cli_main
from b12risk.errors import B12RiskError, ModelIntegrityError
from b12risk.knowledge.schema import to_model_frame
from b12risk.registry import ModelWriteError, list_models, load_model, save_model, verify
from b12risk.registry import save as registry_save

TINY = Path(__file__).resolve().parents[1] / "data" / "tiny.toml"
CHILD_TIMEOUT = 240  # seconds; a child that neither finishes nor dies by then fails the test

# --------------------------------------------------------------------------- helpers


def export_args(source: Path) -> dict:
    """What train() hands to save_model, read back from an exported version."""
    loaded = load_model(source)
    meta = {k: v for k, v in loaded.metadata.items() if k not in registry.RESERVED_KEYS}
    extra = {
        name: (source / name).read_bytes()
        for name in loaded.metadata["files"]
        if name not in (registry.MODEL_FILE, registry.CARD_FILE)
    }
    card = (source / registry.CARD_FILE).read_text(encoding="utf-8")
    return {
        "estimator": loaded.estimator,
        "metadata": meta,
        "model_card": card,
        "released": loaded.released,
        "extra_files": extra,
    }


def folders(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir())


def probabilities(model_folder: Path) -> np.ndarray:
    return load_model(model_folder).estimator.predict_proba(FRAME)[:, 1]


FRAME = to_model_frame(simulate(500, scenario="older_adults", seed=77))


def expected(model) -> np.ndarray:
    return model.estimator.predict_proba(FRAME)[:, 1]


# --------------------------------------------------------------------------- SIGKILL

#: The program of a killed run. It wraps one function so that, at the chosen call, it
#: writes a marker naming the kill point and dies by SIGKILL: sent by itself, or by the
#: parent, which waits for the marker (then the child blocks in signal.pause()).
CHILD = """
import fnmatch, importlib, json, os, signal, sys
from pathlib import Path

job = json.loads(sys.argv[1])


def die():
    part = Path(job["marker"] + ".part")  # renamed into place: the parent never sees it empty
    part.write_text(job["point"])
    os.replace(part, job["marker"])
    if job["killer"] == "parent":
        signal.pause()
    os.kill(os.getpid(), signal.SIGKILL)


module_name, attr = job["target"].rsplit(".", 1)
module = importlib.import_module(module_name)
real = getattr(module, attr)
calls = 0


def hook(*args, **kwargs):
    global calls
    name = str(getattr(args[0], "name", "")) if args else ""
    if not fnmatch.fnmatchcase(name, job["name"]):
        return real(*args, **kwargs)
    calls += 1
    if calls < job["call"]:
        return real(*args, **kwargs)
    if job["when"] == "half-written":  # part of the file reached the disk, then the power went
        path, data = args
        with open(path, "xb") as fh:
            fh.write(data[: len(data) // 2])
            fh.flush()
            os.fsync(fh.fileno())
    elif job["when"] == "after":
        real(*args, **kwargs)
    die()


setattr(module, attr, hook)

from b12risk import registry
from b12risk.modelling.training import train

if job["run"] == "train":
    train(job["config"], root=job["root"], version=job["version"], force=True, progress=False)
else:  # the export step of train(): save a trained model as a new version
    source = Path(job["source"])
    loaded = registry.load_model(source)
    registry.save_model(
        loaded.estimator,
        version=job["version"],
        metadata={k: v for k, v in loaded.metadata.items() if k not in registry.RESERVED_KEYS},
        model_card=(source / registry.CARD_FILE).read_text(encoding="utf-8"),
        root=job["root"],
        released=loaded.released,
        extra_files={n: (source / n).read_bytes() for n in loaded.metadata["files"] if n not in (registry.MODEL_FILE, registry.CARD_FILE)},
    )
print("finished without being killed")
"""


@dataclass(frozen=True)
class KillPoint:
    id: str
    run: str  # "train": train() on tiny.toml; "export": save_model of a trained model, as train() ends
    target: str  # the function wrapped in the child
    version: str  # the version the run writes
    name: str = "*"  # pattern the first argument's .name must match ("*": any call)
    call: int = 1  # die at this matching call
    when: str = "before"  # "before" or "after" the real call, or "half-written" (a torn file)
    killer: str = "self"  # who sends SIGKILL: the child itself, or the "parent"
    complete: bool = False  # the kill comes after the final rename: the version is whole

    def job(self, root: Path, source: Path, marker: Path) -> str:
        fields = {k: getattr(self, k) for k in ("run", "target", "name", "call", "when", "killer", "version")}
        paths = {"root": root, "source": source, "marker": marker, "config": TINY}
        return json.dumps({**fields, "point": self.id, **{k: str(v) for k, v in paths.items()}})


GROWER = "sklearn.ensemble._hist_gradient_boosting.gradient_boosting.TreeGrower"

KILL_POINTS = [
    KillPoint(
        "simulating", "train", "b12risk.modelling.training.cohorts.simulate", "0.2.0"
    ),  # where training looks it up
    KillPoint("fitting", "train", GROWER, "0.3.0", call=5),  # growing the fifth tree
    KillPoint("evaluating", "train", "b12risk.modelling.metrics.bootstrap_ci", "0.4.0", killer="parent"),
    KillPoint(
        "writing-model-half-done",
        "export",
        "b12risk.registry.save._write_file",
        "0.5.0",
        name="model.skops",
        when="half-written",
        killer="parent",
    ),
    KillPoint("writing-metadata", "export", "b12risk.registry.save._write_file", "0.6.0", name="metadata.json"),
    KillPoint(
        "flushed-before-rename", "export", "b12risk.registry.save._fsync_dir", "0.7.0", name=".tmp-*", when="after"
    ),
    KillPoint("after-rename", "export", "os.rename", "0.8.0", name=".tmp-*", when="after", complete=True),
]


@pytest.fixture(scope="module")
def killed(tiny_model, tmp_path_factory):
    """One registry holding version 0.1.0, into which every kill point's run writes its
    own version at the same time; each run dies by SIGKILL at its point."""
    root = tmp_path_factory.mktemp("killed") / "models"
    root.mkdir()
    shutil.copytree(tiny_model.path, root / "b12risk-0.1.0")
    work = tmp_path_factory.mktemp("kill-markers")
    procs = {}
    for point in KILL_POINTS:
        marker = work / f"{point.id}.marker"
        err = (work / f"{point.id}.stderr").open("w")
        proc = subprocess.Popen(
            [sys.executable, "-c", CHILD, point.job(root, tiny_model.path, marker)],
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
        )
        procs[point.id] = (proc, marker, err)
    deadline = time.monotonic() + CHILD_TIMEOUT
    while any(proc.poll() is None for proc, _, _ in procs.values()) and time.monotonic() < deadline:
        for point in KILL_POINTS:
            proc, marker, _ = procs[point.id]
            if point.killer == "parent" and proc.poll() is None and marker.exists():
                proc.send_signal(signal.SIGKILL)
        time.sleep(0.05)
    results = {}
    for point_id, (proc, marker, err) in procs.items():
        if proc.poll() is None:
            proc.kill()
        stdout, _ = proc.communicate(timeout=30)
        err.close()
        results[point_id] = SimpleNamespace(
            returncode=proc.returncode,
            marker=marker.read_text() if marker.exists() else None,
            output=stdout + (work / f"{point_id}.stderr").read_text(),
        )
    return SimpleNamespace(root=root, results=results)


@pytest.mark.parametrize("point", KILL_POINTS, ids=[p.id for p in KILL_POINTS])
def test_a_killed_run_leaves_no_half_version_and_a_working_registry(killed, tiny_model, point):
    result = killed.results[point.id]
    assert result.returncode == -signal.SIGKILL, result.output[-3000:]
    assert result.marker == point.id  # it died at this point, not before or after
    folder = killed.root / f"b12risk-{point.version}"
    if point.complete:
        assert verify(point.version, root=killed.root)["ok"] is True
        np.testing.assert_array_equal(probabilities(folder), expected(tiny_model))
    else:
        assert not folder.exists()
    listed = list_models(killed.root)
    assert [m for m in listed if "problem" in m] == []
    complete = {p.version for p in KILL_POINTS if p.complete}
    assert {m["version"] for m in listed} == {"0.1.0", *complete}
    for entry in listed:  # every version there, the one that was there before too, loads and predicts
        np.testing.assert_array_equal(probabilities(entry["path"]), expected(tiny_model))


def test_killed_writes_leave_only_ignored_temporary_folders(killed, tiny_model):
    leftovers = sorted(p for p in killed.root.iterdir() if p.name.startswith(registry.TMP_PREFIX))
    # one per export killed before its rename; the killed training runs never began writing
    assert len(leftovers) == sum(p.run == "export" and not p.complete for p in KILL_POINTS)
    full = (tiny_model.path / registry.MODEL_FILE).stat().st_size
    torn = [p for p in leftovers if 0 < (p / registry.MODEL_FILE).stat().st_size < full]
    assert len(torn) == 1  # the half-written model file exists only under a temporary name
    for tmp in leftovers:
        with pytest.raises(ModelIntegrityError, match="unfinished save; it is never loaded"):
            load_model(tmp)


def test_the_killed_versions_can_be_written_again(killed, tiny_model, tmp_path):
    """Leftover temporary folders block nothing: train() writes the same version again,
    and so does the export of every other version killed before its rename."""
    from b12risk.modelling.training import train

    root = tmp_path / "models"
    shutil.copytree(killed.root, root)  # the shared registry stays as the kills left it
    retrain, *others = [p for p in KILL_POINTS if not p.complete]
    result = train(TINY, root=root, version=retrain.version, force=True, progress=False)
    assert result.path == root / f"b12risk-{retrain.version}"
    assert verify(retrain.version, root=root)["ok"] is True
    np.testing.assert_array_equal(probabilities(result.path), expected(tiny_model))
    args = export_args(tiny_model.path)
    for point in others:
        save_model(version=point.version, root=root, **args)
        assert verify(point.version, root=root)["ok"] is True
    for point in (p for p in KILL_POINTS if p.complete):
        with pytest.raises(ModelIntegrityError, match="already exists"):
            save_model(version=point.version, root=root, **args)
    listed = list_models(root)
    assert [m["version"] for m in listed] == ["0.1.0", *(p.version for p in KILL_POINTS)]
    assert [m for m in listed if "problem" in m] == []


# --------------------------------------------------------------------------- full disk


@pytest.fixture
def registry_root(tmp_path, tiny_model) -> Path:
    """A models folder holding version 0.1.0."""
    root = tmp_path / "models"
    root.mkdir()
    shutil.copytree(tiny_model.path, root / "b12risk-0.1.0")
    return root


@pytest.mark.parametrize("failing", ["model.skops", "evaluation.parquet", "metadata.json"])
def test_a_full_disk_is_named_and_leaves_no_half_version(registry_root, tiny_model, monkeypatch, failing):
    real_write = registry_save._write_file

    def write(path: Path, data: bytes) -> None:
        if path.name == failing:  # part of the file fits, then the disk is full
            with path.open("xb") as fh:
                fh.write(data[: len(data) // 3])
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_write(path, data)

    monkeypatch.setattr(registry_save, "_write_file", write)
    args = export_args(tiny_model.path)
    with pytest.raises(ModelWriteError) as err:
        save_model(version="0.2.0", root=registry_root, **args)
    assert str(err.value) == (
        f"could not save model version 0.2.0 in {registry_root}: writing {failing} failed: the disk is full "
        "(no space left on device); free some space or save to another folder [ENOSPC]. "
        "Nothing was saved: no b12risk-0.2.0 folder was created"
    )
    assert isinstance(err.value, B12RiskError) and isinstance(err.value, OSError)
    assert err.value.errno == errno.ENOSPC
    assert folders(registry_root) == ["b12risk-0.1.0"]
    monkeypatch.undo()  # space was freed: the same version saves
    save_model(version="0.2.0", root=registry_root, **args)
    assert verify("0.2.0", root=registry_root)["ok"] is True


#: Runs its arguments with a file size limit, so writes past it fail in the kernel with
#: EFBIG (SIGXFSZ ignored), as they would on a full disk; prints how it ended as JSON.
LIMITED = """
import json, resource, signal, sys

signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
from b12risk import registry
from b12risk.cli import main

limit = int(sys.argv[1])
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))
if sys.argv[2] == "cli":
    sys.exit(main(sys.argv[3:]))
source, root = sys.argv[3], sys.argv[4]
loaded = registry.load_model(source)
try:
    registry.save_model(
        loaded.estimator, version="0.2.0", metadata={"seed": 1}, model_card="# limited", root=root
    )
except Exception as exc:
    print(json.dumps({"types": [t.__name__ for t in type(exc).__mro__], "errno": exc.errno, "message": str(exc)}))
"""


def test_a_real_write_error_from_the_kernel_is_named_and_leaves_nothing(registry_root, tiny_model):
    model_size = (tiny_model.path / registry.MODEL_FILE).stat().st_size
    res = subprocess.run(
        [sys.executable, "-c", LIMITED, str(model_size // 2), "save", str(tiny_model.path), str(registry_root)],
        capture_output=True,
        text=True,
        timeout=CHILD_TIMEOUT,
    )
    assert res.returncode == 0, res.stderr
    raised = json.loads(res.stdout)
    assert raised["types"][:3] == ["ModelWriteError", "ModelIntegrityError", "B12RiskError"]
    assert "OSError" in raised["types"] and raised["errno"] == errno.EFBIG
    assert raised["message"] == (
        f"could not save model version 0.2.0 in {registry_root}: writing model.skops failed: a file is larger "
        "than this process may write (file size limit, see 'ulimit -f'); raise the limit or save from a process "
        "without it [EFBIG]. Nothing was saved: no b12risk-0.2.0 folder was created"
    )
    assert folders(registry_root) == ["b12risk-0.1.0"]


def test_training_that_cannot_write_its_model_says_so_in_one_line(registry_root, tiny_model):
    """``b12risk train`` under a file size limit: the full run, then a one-line error and exit 2."""
    limit = (tiny_model.path / registry.MODEL_FILE).stat().st_size // 2
    args = ["train", "--config", str(TINY), "--models", str(registry_root), "--version", "0.2.0", "--force", "-q"]
    res = subprocess.run(
        [sys.executable, "-c", LIMITED, str(limit), "cli", *args], capture_output=True, text=True, timeout=CHILD_TIMEOUT
    )
    assert res.returncode == 2, res.stderr
    assert res.stderr == (
        f"b12risk train: error: could not save model version 0.2.0 in {registry_root}: writing model.skops "
        "failed: a file is larger than this process may write (file size limit, see 'ulimit -f'); raise the limit "
        "or save from a process without it [EFBIG]. Nothing was saved: no b12risk-0.2.0 folder was created\n"
    )
    assert folders(registry_root) == ["b12risk-0.1.0"]
    assert load_model("0.1.0", root=registry_root).version == "0.1.0"


# --------------------------------------------------------------------------- read-only folder

_CAP_DAC_OVERRIDE = 1  # the capability that lets root write where permissions say no


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]


@contextmanager
def _without_dac_override():
    """As root, drop CAP_DAC_OVERRIDE from this thread's effective capabilities (and put
    it back after), so the kernel applies folder permissions to it as to anyone."""
    if not sys.platform.startswith("linux"):
        pytest.skip("running as root, and dropping CAP_DAC_OVERRIDE is Linux-only: chmod cannot stop root here")
    libc = ctypes.CDLL(None, use_errno=True)
    header, data = _CapHeader(0x20080522, 0), (_CapData * 2)()  # _LINUX_CAPABILITY_VERSION_3
    if libc.capget(ctypes.byref(header), data) != 0:
        pytest.skip(f"running as root and capget failed ({os.strerror(ctypes.get_errno())}): cannot drop privileges")
    before = data[0].effective
    data[0].effective &= ~(1 << _CAP_DAC_OVERRIDE) & 0xFFFFFFFF
    if libc.capset(ctypes.byref(header), data) != 0:
        pytest.skip(f"running as root and capset failed ({os.strerror(ctypes.get_errno())}): cannot drop privileges")
    try:
        yield
    finally:
        data[0].effective = before
        assert libc.capset(ctypes.byref(header), data) == 0, "could not restore CAP_DAC_OVERRIDE"


@contextmanager
def read_only(folder: Path):
    """``folder`` with mode 0o555, refused by the kernel to this thread even as root."""
    folder.chmod(0o555)
    try:
        with ExitStack() as stack:
            if os.geteuid() == 0:
                stack.enter_context(_without_dac_override())
            try:
                (folder / "probe").mkdir()
            except PermissionError:
                pass
            else:
                (folder / "probe").rmdir()
                pytest.skip("the kernel lets this process write into a 0o555 folder; cannot test a read-only one")
            yield folder
    finally:
        folder.chmod(0o755)


READ_ONLY_CAUSE = (
    "permission denied: the models folder is not writable; make it writable or save to another folder "
    "(--models, or the B12RISK_MODELS variable) [EACCES]. Nothing was saved: no b12risk-0.2.0 folder was created"
)


def test_a_read_only_models_folder_is_named_and_still_loads(registry_root, tiny_model):
    args = export_args(tiny_model.path)
    with read_only(registry_root):
        with pytest.raises(ModelWriteError) as err:
            save_model(version="0.2.0", root=registry_root, **args)
        assert load_model("0.1.0", root=registry_root).version == "0.1.0"
        assert [m["version"] for m in list_models(registry_root)] == ["0.1.0"]
    assert str(err.value) == (
        f"could not save model version 0.2.0 in {registry_root}: creating a temporary folder failed: {READ_ONLY_CAUSE}"
    )
    assert err.value.errno == errno.EACCES
    assert folders(registry_root) == ["b12risk-0.1.0"]


def test_a_models_folder_that_cannot_be_created_is_named(tmp_path, tiny_model):
    parent = tmp_path / "shared"
    parent.mkdir()
    root = parent / "models"
    with read_only(parent), pytest.raises(ModelWriteError) as err:
        save_model(version="0.2.0", root=root, **export_args(tiny_model.path))
    assert str(err.value) == (
        f"could not save model version 0.2.0 in {root}: creating the models folder failed: {READ_ONLY_CAUSE}"
    )
    assert folders(parent) == []


def test_training_into_a_read_only_folder_fails_before_the_work(registry_root, monkeypatch, capsys):
    from b12risk.modelling import training
    from b12risk.modelling.training import run as training_run

    def no_work(*args, **kwargs):
        raise AssertionError("train() must check the models folder before simulating a cohort")

    monkeypatch.setattr(training_run, "training_cohort", no_work)  # where train() looks it up
    with read_only(registry_root):
        with pytest.raises(ModelWriteError, match=r"creating a temporary folder failed: permission denied"):
            training.train(TINY, root=registry_root, version="0.2.0", progress=False)
        code = cli_main(["train", "--config", str(TINY), "--models", str(registry_root), "--version", "0.2.0", "-q"])
    assert code == 2
    assert capsys.readouterr().err == (
        f"b12risk train: error: could not save model version 0.2.0 in {registry_root}: creating a temporary folder "
        f"failed: {READ_ONLY_CAUSE}\n"
    )
    assert folders(registry_root) == ["b12risk-0.1.0"]


def test_a_failed_flush_after_the_rename_keeps_the_complete_version(registry_root, tiny_model, monkeypatch, caplog):
    """The version is whole once renamed; a later failure to flush the folder is a warning,
    not an error that would send the caller to retry a version that now exists."""
    real_fsync = registry_save._fsync_dir

    def fsync(path: Path) -> None:
        if path == registry_root:
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        real_fsync(path)

    monkeypatch.setattr(registry_save, "_fsync_dir", fsync)
    folder = save_model(version="0.2.0", root=registry_root, **export_args(tiny_model.path))
    assert folder == registry_root / "b12risk-0.2.0"
    assert verify("0.2.0", root=registry_root)["ok"] is True
    assert "flushing the folder" in caplog.text and "Input/output error" in caplog.text
