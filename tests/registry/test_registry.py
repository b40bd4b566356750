"""Specification of :mod:`b12risk.registry`: versioned, immutable, verified model folders."""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import sklearn
import skops.io
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.frozen import FrozenEstimator
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, OrdinalEncoder

import b12risk
from b12risk import registry
from b12risk.errors import ConfigError, ModelIntegrityError
from b12risk.registry import (
    FORMAT,
    TRUSTED_TYPES,
    LoadedModel,
    describe,
    list_models,
    load_model,
    models_dir,
    save_model,
    verify,
)
from b12risk.registry import save as registry_save

SEED = 20240611
CATEGORIES = {"sex": ["female", "male"], "diet": ["omnivore", "vegetarian", "vegan"]}
NUMERIC = ["age", "metformin_years", "serum_b12"]
CARD = "# b12risk test model\n\nFor tests only.\n"


# --------------------------------------------------------------------------- fixtures


def make_data(n: int = 300, seed: int = SEED) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(
        {
            "sex": rng.choice(CATEGORIES["sex"], n),
            "diet": rng.choice(CATEGORIES["diet"], n).astype(object),
            "age": rng.uniform(18, 90, n),
            "metformin_years": rng.exponential(3, n),
            "serum_b12": rng.lognormal(5.6, 0.45, n),
        }
    )
    X.loc[rng.random(n) < 0.15, "diet"] = np.nan
    X.loc[rng.random(n) < 0.2, "serum_b12"] = np.nan
    X.loc[rng.random(n) < 0.1, "metformin_years"] = np.nan
    logit = -2 + 0.03 * (X["age"] - 50) - 0.01 * (X["serum_b12"].fillna(270) - 270) + 2 * (X["diet"] == "vegan")
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int).to_numpy()
    return X, y


def make_pipeline() -> Pipeline:
    cat_cols = list(CATEGORIES)
    prep = ColumnTransformer(
        [
            (
                "cat",
                OrdinalEncoder(
                    categories=[CATEGORIES[c] for c in cat_cols],
                    handle_unknown="use_encoded_value",
                    unknown_value=np.nan,
                    encoded_missing_value=np.nan,
                ),
                cat_cols,
            ),
            ("num", "passthrough", NUMERIC),
        ],
        verbose_feature_names_out=False,
    )
    return Pipeline(
        [
            ("prep", prep),
            ("hgb", HistGradientBoostingClassifier(categorical_features=None, max_iter=50, random_state=0)),
        ]
    )


@pytest.fixture(scope="module")
def data() -> tuple[pd.DataFrame, np.ndarray]:
    return make_data()


@pytest.fixture(scope="module")
def pipe(data) -> Pipeline:
    X, y = data
    return make_pipeline().fit(X, y)


@pytest.fixture(scope="module")
def calibrated(pipe, data) -> CalibratedClassifierCV:
    X, y = data
    return CalibratedClassifierCV(FrozenEstimator(pipe), method="sigmoid").fit(X, y)


@pytest.fixture
def saved(tmp_path, pipe) -> Path:
    """A released version 1.0.0 under ``tmp_path``."""
    return save_model(pipe, version="1.0.0", metadata=metadata(), model_card=CARD, root=tmp_path)


@pytest.fixture
def no_skops_load(monkeypatch) -> list:
    """Replace ``skops.io.loads`` with a spy that records calls and fails the test if called."""
    calls: list = []

    def spy(*args, **kwargs):
        calls.append((args, kwargs))
        raise AssertionError("skops.io.loads must not run before every check passed")

    monkeypatch.setattr(skops.io, "loads", spy)
    return calls


def metadata(**extra) -> dict:
    return {
        "seed": SEED,
        "features": list(CATEGORIES) + NUMERIC,
        "knowledge_fingerprint": "0" * 64,
        "metrics_summary": {"auc": 0.81, "brier": 0.12},
        **extra,
    }


def read_meta(folder: Path) -> dict:
    return json.loads((folder / "metadata.json").read_text(encoding="utf-8"))


def reseal(folder: Path, meta: dict | None = None) -> None:
    """Rewrite metadata.json with fresh file digests and metadata_sha256, as a forger would.

    Computed here from the documented rule (SHA-256 of the JSON without
    ``metadata_sha256``, keys sorted, no whitespace), not with the module's helpers.
    """
    meta = read_meta(folder) if meta is None else meta
    meta["files"] = {name: hashlib.sha256((folder / name).read_bytes()).hexdigest() for name in meta["files"]}
    meta.pop("metadata_sha256", None)
    canonical = json.dumps(meta, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    meta["metadata_sha256"] = hashlib.sha256(canonical).hexdigest()
    (folder / "metadata.json").write_text(json.dumps(meta, indent=2), encoding="utf-8")


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


# --------------------------------------------------------------------------- round trip


def test_round_trip_gives_identical_probabilities(saved, pipe, data):
    X, _ = data
    loaded = load_model("1.0.0", root=saved.parent)
    assert isinstance(loaded, LoadedModel)
    assert (loaded.version, loaded.path, loaded.released) == ("1.0.0", saved, True)
    np.testing.assert_array_equal(loaded.estimator.predict_proba(X), pipe.predict_proba(X))


def test_folder_layout_and_metadata(saved):
    assert sorted(p.name for p in saved.iterdir()) == ["MODEL_CARD.md", "metadata.json", "model.skops"]
    assert (saved / "MODEL_CARD.md").read_text(encoding="utf-8") == CARD
    meta = read_meta(saved)
    assert meta["format"] == FORMAT
    assert meta["version"] == "1.0.0"
    assert meta["released"] is True
    assert meta["created"].endswith("+00:00")
    assert set(meta["versions"]) == {"b12risk", "scikit-learn", "numpy", "pandas", "skops", "python"}
    assert meta["versions"]["scikit-learn"] == sklearn.__version__
    assert meta["seed"] == SEED and meta["metrics_summary"] == {"auc": 0.81, "brier": 0.12}
    for name in ("model.skops", "MODEL_CARD.md"):
        assert meta["files"][name] == hashlib.sha256((saved / name).read_bytes()).hexdigest()
    resealed = dict(meta)
    reseal(saved, resealed)
    assert read_meta(saved)["metadata_sha256"] == meta["metadata_sha256"]


def test_calibrated_frozen_pipeline_round_trip(tmp_path, calibrated, data):
    X, _ = data
    save_model(calibrated, version="2.0.0", metadata=metadata(), model_card=CARD, root=tmp_path)
    loaded = load_model("2.0.0", root=tmp_path)
    assert isinstance(loaded.estimator, CalibratedClassifierCV)
    np.testing.assert_array_equal(loaded.estimator.predict_proba(X), calibrated.predict_proba(X))


@pytest.mark.parametrize("which", ["pipe", "calibrated"])
def test_untrusted_types_of_real_models_are_in_trusted_types(which, request):
    model = request.getfixturevalue(which)
    untrusted = skops.io.get_untrusted_types(data=skops.io.dumps(model))
    assert set(untrusted) <= set(TRUSTED_TYPES)


def test_numpy_values_in_metadata_are_stored_as_json(tmp_path, pipe):
    folder = save_model(
        pipe,
        version="1.0.0",
        metadata={"n": np.int64(5), "auc": np.float64(0.75), "curve": np.array([0.1, 0.2]), "where": tmp_path},
        model_card=CARD,
        root=tmp_path,
    )
    meta = describe("1.0.0", root=tmp_path)
    assert (meta["n"], meta["auc"], meta["curve"], meta["where"]) == (5, 0.75, [0.1, 0.2], str(tmp_path))
    assert load_model(folder).version == "1.0.0"


# --------------------------------------------------------------------------- where LevelCalibratedClassifier lives

SHIPPED = Path(__file__).resolve().parents[2] / "models"
OLD_PATH = "b12risk.calibration.LevelCalibratedClassifier"  # recorded by the shipped 1.0.0 file
NEW_PATH = "b12risk.modelling.calibration.LevelCalibratedClassifier"  # where the class is defined now


def test_both_paths_of_the_recalibration_class_are_trusted_and_name_one_class():
    import b12risk.calibration
    import b12risk.modelling.calibration

    assert {OLD_PATH, NEW_PATH} <= set(TRUSTED_TYPES)
    assert b12risk.calibration.LevelCalibratedClassifier is b12risk.modelling.calibration.LevelCalibratedClassifier


def test_the_shipped_1_0_0_recorded_under_the_old_path_still_loads():
    loaded = load_model("1.0.0", root=SHIPPED)  # 2.0.0 is latest; 1.0.0 stays loadable
    payload = (loaded.path / "model.skops").read_bytes()
    assert OLD_PATH in skops.io.get_untrusted_types(data=payload)
    assert type(loaded.estimator).__name__ == "LevelCalibratedClassifier"
    assert OLD_PATH in verify("1.0.0", root=SHIPPED)["extra_trusted_types"]


def test_a_freshly_saved_recalibrated_model_records_the_new_path_and_loads(tmp_path):
    from b12risk.knowledge.schema import to_model_frame
    from b12risk.modelling.calibration import LevelCalibratedClassifier

    cohort = b12risk.simulate(2000, seed=11)
    X, y = to_model_frame(cohort), cohort["true_deficient"].to_numpy()
    base = load_model("latest", root=SHIPPED).estimator.estimator  # used as is, never refitted
    fresh = LevelCalibratedClassifier(base).fit(X, y)
    folder = save_model(fresh, version="1.0.0", metadata=metadata(), model_card=CARD, root=tmp_path)
    recorded = skops.io.get_untrusted_types(data=(folder / "model.skops").read_bytes())
    assert NEW_PATH in recorded and OLD_PATH not in recorded
    loaded = load_model(folder)
    assert isinstance(loaded.estimator, LevelCalibratedClassifier)
    assert loaded.estimator.coef_ == fresh.coef_
    np.testing.assert_array_equal(loaded.estimator.predict_proba(X), fresh.predict_proba(X))


# --------------------------------------------------------------------------- versions


def test_latest_is_highest_released_semver(tmp_path, pipe):
    for version, released in [("1.9.0", True), ("1.10.0", True), ("1.2.3", True), ("2.0.0", False)]:
        save_model(pipe, version=version, metadata=metadata(), model_card=CARD, root=tmp_path, released=released)
    loaded = load_model("latest", root=tmp_path)
    assert loaded.version == "1.10.0"
    assert load_model(root=tmp_path).version == "1.10.0"
    unreleased = load_model("2.0.0", root=tmp_path)
    assert unreleased.released is False
    listed = list_models(tmp_path)
    assert [m["version"] for m in listed] == ["1.2.3", "1.9.0", "1.10.0", "2.0.0"]
    assert [m["released"] for m in listed] == [True, True, True, False]
    assert listed[0]["metrics"] == {"auc": 0.81, "brier": 0.12}
    assert listed[0]["path"] == tmp_path / "b12risk-1.2.3"


def test_latest_without_released_versions_names_what_exists(tmp_path, pipe):
    save_model(pipe, version="0.1.0", metadata=metadata(), model_card=CARD, root=tmp_path, released=False)
    with pytest.raises(ModelIntegrityError, match=r"no released model .*available versions: 0\.1\.0"):
        load_model("latest", root=tmp_path)


def test_existing_version_is_refused_and_left_untouched(saved, pipe):
    before = snapshot(saved)
    expected = f"version 1.0.0 already exists at {saved}; versions are immutable: pick a new version"
    with pytest.raises(ModelIntegrityError) as err:
        save_model(pipe, version="1.0.0", metadata=metadata(seed=1), model_card="# other", root=saved.parent)
    assert str(err.value) == expected
    assert snapshot(saved) == before
    assert sorted(p.name for p in saved.parent.iterdir()) == ["b12risk-1.0.0"]


@pytest.mark.parametrize(
    "version",
    ["1.0", "1", "1.0.0.0", "v1.0.0", "01.0.0", "1.00.0", "1.0.0-rc1", "1.0.0+build", "", " 1.0.0", "1.0.0\n", "a.b.c"],
)
def test_invalid_version_strings(tmp_path, pipe, version):
    with pytest.raises(ConfigError, match=r"MAJOR\.MINOR\.PATCH .* Got .* instead"):
        save_model(pipe, version=version, metadata=metadata(), model_card=CARD, root=tmp_path)
    assert not any(tmp_path.iterdir())


@pytest.mark.parametrize("version", [100, 1.0, None, ("1", "0", "0")])
def test_version_must_be_a_string(tmp_path, pipe, version):
    with pytest.raises(ConfigError, match="'version' argument"):
        save_model(pipe, version=version, metadata=metadata(), model_card=CARD, root=tmp_path)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"metadata": {"version": "9.9.9"}}, "must not use the keys .* Got version"),
        ({"metadata": {"files": {}, "format": 3}}, "Got files, format"),
        ({"metadata": ["not", "a", "dict"]}, "must be a dict. Got list"),
        ({"metadata": {"auc": float("nan")}}, "JSON serialisable"),
        ({"metadata": {"x": object()}}, "JSON serialisable"),
        ({"model_card": ""}, "'model_card' .* non-empty"),
        ({"released": "yes"}, "'released' .* True or False"),
    ],
)
def test_invalid_save_arguments(tmp_path, pipe, kwargs, message):
    args = {"version": "1.0.0", "metadata": metadata(), "model_card": CARD, "root": tmp_path, **kwargs}
    with pytest.raises(ConfigError, match=message):
        save_model(pipe, **args)
    assert not any(tmp_path.iterdir())


def test_missing_version_lists_available_ones(tmp_path, pipe):
    for version in ("1.0.0", "1.1.0"):
        save_model(pipe, version=version, metadata=metadata(), model_card=CARD, root=tmp_path)
    with pytest.raises(ModelIntegrityError, match=r"no model version 3\.0\.0 .*available versions: 1\.0\.0, 1\.1\.0"):
        load_model("3.0.0", root=tmp_path)
    with pytest.raises(ModelIntegrityError, match=r"no model folder at .*available versions .*1\.0\.0, 1\.1\.0"):
        load_model(tmp_path / "elsewhere", root=tmp_path)


def test_spec_may_be_a_path_or_folder_name(saved):
    assert load_model(saved).path == saved
    assert load_model(str(saved)).path == saved
    assert load_model("b12risk-1.0.0", root=saved.parent).path == saved


# --------------------------------------------------------------------------- integrity


def test_flipped_byte_in_model_is_caught_before_skops_runs(saved, no_skops_load):
    path = saved / "model.skops"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    with pytest.raises(ModelIntegrityError, match=r"model\.skops: sha256 expected [0-9a-f]{64} .*found [0-9a-f]{64}"):
        load_model("1.0.0", root=saved.parent)
    with pytest.raises(ModelIntegrityError, match=r"model\.skops"):
        verify("1.0.0", root=saved.parent)
    assert no_skops_load == []


def test_edited_model_card_is_caught(saved, no_skops_load):
    (saved / "MODEL_CARD.md").write_text(CARD + "\nSafe for diagnosis.\n", encoding="utf-8")
    with pytest.raises(ModelIntegrityError, match=r"MODEL_CARD\.md: sha256 expected"):
        load_model("1.0.0", root=saved.parent)
    assert no_skops_load == []


def test_edited_metadata_is_caught(saved, no_skops_load):
    meta = read_meta(saved)
    meta["metrics_summary"]["auc"] = 0.99
    (saved / "metadata.json").write_text(json.dumps(meta, indent=2), encoding="utf-8")
    with pytest.raises(ModelIntegrityError, match=r"metadata\.json: metadata_sha256 expected .* found"):
        load_model("1.0.0", root=saved.parent)
    with pytest.raises(ModelIntegrityError, match="metadata_sha256"):
        describe("1.0.0", root=saved.parent)
    assert no_skops_load == []


def test_reformatted_metadata_still_verifies(saved):
    meta = read_meta(saved)
    (saved / "metadata.json").write_text(json.dumps(meta, indent=None, sort_keys=False), encoding="utf-8")
    assert verify("1.0.0", root=saved.parent)["ok"] is True


def test_duplicate_metadata_key_is_refused(saved):
    text = (saved / "metadata.json").read_text(encoding="utf-8")
    (saved / "metadata.json").write_text(text.replace("{", '{\n  "released": false,', 1), encoding="utf-8")
    with pytest.raises(ModelIntegrityError, match=r"metadata\.json: not valid JSON .*'released' appears twice"):
        load_model("1.0.0", root=saved.parent)


@pytest.mark.parametrize("name", ["model.skops", "MODEL_CARD.md", "metadata.json"])
def test_missing_file_is_caught(saved, no_skops_load, name):
    (saved / name).unlink()
    with pytest.raises(ModelIntegrityError, match=re.escape(f"{name}: file is missing")):
        load_model("1.0.0", root=saved.parent)
    assert no_skops_load == []


def test_other_scikit_learn_version_is_refused_naming_both(saved, no_skops_load):
    meta = read_meta(saved)
    meta["versions"]["scikit-learn"] = "1.5.2"
    reseal(saved, meta)
    with pytest.raises(ModelIntegrityError) as err:
        load_model("1.0.0", root=saved.parent)
    message = str(err.value)
    assert "scikit-learn 1.5.2" in message and f"scikit-learn {sklearn.__version__}" in message
    assert "pip install 'scikit-learn==1.5.2'" in message and "retrain" in message
    assert no_skops_load == []


def test_other_scikit_learn_patch_release_is_accepted(saved):
    meta = read_meta(saved)
    major, minor, *_ = sklearn.__version__.split(".")
    meta["versions"]["scikit-learn"] = f"{major}.{minor}.99"
    reseal(saved, meta)
    assert load_model("1.0.0", root=saved.parent).version == "1.0.0"


def test_other_format_is_refused(saved, no_skops_load):
    meta = read_meta(saved)
    meta["format"] = FORMAT + 1
    reseal(saved, meta)
    with pytest.raises(ModelIntegrityError, match=rf"metadata\.json: format expected {FORMAT}, found {FORMAT + 1}"):
        load_model("1.0.0", root=saved.parent)
    assert no_skops_load == []


def test_renamed_version_folder_is_refused(saved):
    moved = saved.parent / "b12risk-7.0.0"
    saved.rename(moved)
    with pytest.raises(ModelIntegrityError, match=r"version expected 7\.0\.0 .*found 1\.0\.0"):
        load_model("7.0.0", root=moved.parent)


@pytest.mark.parametrize("name", ["../outside.txt", "sub/model.skops", ".."])
def test_listed_file_names_must_stay_in_the_folder(saved, name):
    meta = read_meta(saved)
    meta["files"][name] = "0" * 64
    meta.pop("metadata_sha256")
    canonical = json.dumps(meta, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    meta["metadata_sha256"] = hashlib.sha256(canonical).hexdigest()
    (saved / "metadata.json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(ModelIntegrityError, match="expected plain file names"):
        load_model("1.0.0", root=saved.parent)


# --------------------------------------------------------------------------- untrusted content


def test_estimator_with_untrusted_type_is_not_saved(tmp_path):
    bad = Pipeline([("f", FunctionTransformer(func=os.system)), ("m", make_pipeline())])
    with pytest.raises(ModelIntegrityError, match=r"types that load_model would refuse: .*system"):
        save_model(bad, version="1.0.0", metadata=metadata(), model_card=CARD, root=tmp_path)
    assert not any(tmp_path.iterdir())


@pytest.mark.parametrize(
    ("payload", "type_name"),
    [
        (Pipeline([("f", FunctionTransformer(func=os.system)), ("m", make_pipeline())]), os.system.__module__),
        ({"model": make_pipeline(), "hook": eval}, "builtins.eval"),
    ],
    ids=["function-transformer-os-system", "builtins-eval"],
)
def test_file_with_untrusted_type_and_matching_digest_is_refused(saved, payload, type_name):
    untrusted = skops.io.get_untrusted_types(data=skops.io.dumps(payload))
    assert any(t.startswith(type_name) for t in untrusted)
    assert not set(untrusted) <= set(TRUSTED_TYPES)
    (saved / "model.skops").write_bytes(skops.io.dumps(payload))
    reseal(saved)
    with pytest.raises(ModelIntegrityError, match=rf"model\.skops: refused to load untrusted types.*{type_name}"):
        load_model("1.0.0", root=saved.parent)
    with pytest.raises(ModelIntegrityError, match="untrusted"):
        verify("1.0.0", root=saved.parent)


class _Payload:
    """Unpickling this writes a file: proof that code ran."""

    def __init__(self, target: Path):
        self.target = target

    def __reduce__(self):
        return (Path.write_text, (self.target, "code ran"))


def test_pickle_payload_is_never_executed(saved, tmp_path):
    control, target = tmp_path / "control.txt", tmp_path / "pwned.txt"
    pickle.loads(pickle.dumps(_Payload(control)))  # the payload is live
    assert control.read_text() == "code ran"
    (saved / "model.skops").write_bytes(pickle.dumps(_Payload(target)))
    reseal(saved)
    with pytest.raises(ModelIntegrityError, match=r"model\.skops: expected a skops file"):
        load_model("1.0.0", root=saved.parent)
    assert not target.exists()


# --------------------------------------------------------------------------- crash safety


def test_leftover_tmp_folder_is_ignored(saved, pipe):
    root = saved.parent
    stale = root / ".tmp-x"
    shutil.copytree(saved, stale)
    meta = read_meta(stale)
    meta["version"] = "9.9.9"
    reseal(stale, meta)
    (root / "notes.txt").write_text("not a model", encoding="utf-8")
    assert [m["version"] for m in list_models(root)] == ["1.0.0"]
    assert load_model("latest", root=root).version == "1.0.0"
    with pytest.raises(ModelIntegrityError, match="unfinished save; it is never loaded"):
        load_model(stale)
    save_model(pipe, version="1.1.0", metadata=metadata(), model_card=CARD, root=root)
    assert stale.is_dir()  # other processes' folders are not ours to delete
    assert load_model("latest", root=root).version == "1.1.0"


@pytest.mark.parametrize("failing_file", ["model.skops", "metadata.json", "rename"])
def test_failed_save_leaves_nothing_behind(tmp_path, pipe, monkeypatch, failing_file):
    real_write = registry_save._write_file

    def write(path: Path, data: bytes) -> None:
        if path.name == failing_file:
            raise OSError(28, "No space left on device")
        real_write(path, data)

    def rename(src, dst):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(registry_save, "_write_file", write)
    if failing_file == "rename":
        monkeypatch.setattr(registry_save.os, "rename", rename)
    with pytest.raises(OSError):
        save_model(pipe, version="1.0.0", metadata=metadata(), model_card=CARD, root=tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_interrupted_save_leaves_nothing_behind(tmp_path, pipe, monkeypatch):
    def interrupt(path: Path) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(registry_save, "_fsync_dir", interrupt)
    with pytest.raises(KeyboardInterrupt):
        save_model(pipe, version="1.0.0", metadata=metadata(), model_card=CARD, root=tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_version_appearing_during_save_is_not_overwritten(tmp_path, pipe, monkeypatch):
    """Another process finishing the same version first wins; ours is discarded."""
    real_fsync = registry_save._fsync_dir
    final = tmp_path / "b12risk-1.0.0"

    def race(path: Path) -> None:
        real_fsync(path)
        if path.name.startswith(".tmp-") and not final.exists():
            final.mkdir()
            (final / "theirs.txt").write_text("first", encoding="utf-8")

    monkeypatch.setattr(registry_save, "_fsync_dir", race)
    with pytest.raises(ModelIntegrityError, match="already exists"):
        save_model(pipe, version="1.0.0", metadata=metadata(), model_card=CARD, root=tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b12risk-1.0.0"]
    assert snapshot(final) == {"theirs.txt": b"first"}


# --------------------------------------------------------------------------- reports and locations


def test_verify_reports_every_check(saved):
    report = verify("latest", root=saved.parent)
    meta = read_meta(saved)
    assert report["ok"] is True
    assert (report["version"], report["path"], report["released"], report["format"]) == ("1.0.0", str(saved), True, 1)
    assert report["files"] == meta["files"]
    assert report["metadata_sha256"] == meta["metadata_sha256"]
    assert report["scikit-learn"] == {"recorded": sklearn.__version__, "running": sklearn.__version__}
    # Which types skops leaves out of its defaults varies between releases; the report
    # names the ones this file needed, always among ours, TreePredictor always among them.
    assert "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor" in report["extra_trusted_types"]
    assert set(report["extra_trusted_types"]) <= set(TRUSTED_TYPES)
    assert report["estimator"] == "Pipeline"
    assert report["knowledge_fingerprint"]["recorded"] == "0" * 64
    assert report["knowledge_fingerprint"]["matches"] is False
    json.dumps(report)


def test_describe_returns_metadata(saved):
    assert describe("1.0.0", root=saved.parent) == read_meta(saved)


def test_list_models_reports_unreadable_folders(saved):
    broken = saved.parent / "b12risk-0.9.0"
    broken.mkdir()
    listed = list_models(saved.parent)
    assert [m["version"] for m in listed] == ["0.9.0", "1.0.0"]
    assert listed[0]["released"] is None and "metadata.json: file is missing" in listed[0]["problem"]
    assert "problem" not in listed[1]


def test_list_models_of_missing_root_is_empty(tmp_path):
    assert list_models(tmp_path / "nowhere") == []


def test_models_dir_from_environment(tmp_path, monkeypatch, pipe):
    monkeypatch.setenv("B12RISK_MODELS", str(tmp_path))
    assert models_dir() == tmp_path
    save_model(pipe, version="1.0.0", metadata=metadata(), model_card=CARD)
    assert load_model().path == tmp_path / "b12risk-1.0.0"


def test_models_dir_defaults_to_source_checkout(monkeypatch):
    monkeypatch.delenv("B12RISK_MODELS", raising=False)
    package = Path(b12risk.__file__).resolve().parent
    if registry._versions_in(package / "models"):
        pytest.skip("running from an installed package that ships models")
    assert models_dir() == package.parents[1] / "models"
