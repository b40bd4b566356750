"""The registry format number: what 2.0.0 adds (monotone constraints, a real-data gate record) stays format 1.

See the docstring of :data:`b12risk.registry.format.FORMAT` for when to bump it.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import skops.io
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OrdinalEncoder

from b12risk import registry
from b12risk.errors import ModelIntegrityError
from b12risk.registry import FORMAT, TRUSTED_TYPES, load_model, save_model, verify

ROOT = Path(__file__).resolve().parents[2]
SEED = 20261124

#: What a 2.0.0 metadata records of its real-data gate (shape of real_gate.real_gate_record).
REAL_FAILURE = {
    "scenario": "NHANES 2001-2004",
    "level": "serum_b12",
    "check": "raised_mma: AUROC vs serum_b12",
    "by": 0.0385,
    "detail": "survey-weighted AUROC model 0.7088, serum_b12 0.7473",
}
REAL_RECORD = {
    "required": True,
    "measured": True,
    "passed": False,
    "model_version": "2.0.0",
    "cycles": ["2001-2002", "2003-2004", "2011-2012"],
    "seed": 0,
    "simulated_n": 200000,
    "seconds": 14.7,
    "checks": [
        {**REAL_FAILURE, "outcome": "raised_mma", "scorer": "serum_b12", "gated": True, "passed": False},
        {"scenario": "NHANES 2011-2012", "level": "risk_factors", "by": None, "value": None, "allowed": 1.5},
    ],
}


def _monotone_pipeline() -> tuple[Pipeline, pd.DataFrame]:
    rng = np.random.default_rng(SEED)
    n = 400
    X = pd.DataFrame(
        {
            "diet": rng.choice(["omnivore", "vegetarian", "vegan"], n).astype(object),
            "age": rng.uniform(18, 90, n),
            "serum_b12": rng.lognormal(5.6, 0.45, n),
        }
    )
    y = (rng.random(n) < 1 / (1 + np.exp(-(0.04 * (X["age"] - 50) - 0.01 * (X["serum_b12"] - 270))))).astype(int)
    prep = ColumnTransformer(
        [("cat", OrdinalEncoder(), ["diet"]), ("num", "passthrough", ["age", "serum_b12"])],
        verbose_feature_names_out=False,
    )
    # as fit.build_pipeline writes it: one direction per output column, categories first
    hgb = HistGradientBoostingClassifier(categorical_features=None, max_iter=30, monotonic_cst=[0, 1, -1])
    return Pipeline([("prep", prep), ("hgb", hgb)]).fit(X, y), X


def test_format_is_still_1():
    assert FORMAT == 1


def test_a_2_0_0_folder_with_monotone_constraints_and_a_real_data_gate_record_is_format_1_and_loads(tmp_path):
    pipe, X = _monotone_pipeline()
    meta = {
        "model_features": ["diet", "age", "serum_b12"],
        "gate": {"passed": False, "failures": [REAL_FAILURE], "criteria": {}, "real_data": REAL_RECORD},
    }
    folder = save_model(pipe, version="2.0.0", metadata=meta, model_card="# 2.0.0", root=tmp_path, released=False)
    written = json.loads((folder / "metadata.json").read_text())
    assert written["format"] == FORMAT == 1
    loaded = load_model(folder)
    assert list(loaded.estimator[-1].monotonic_cst) == [0, 1, -1]
    np.testing.assert_array_equal(loaded.estimator.predict_proba(X), pipe.predict_proba(X))
    assert loaded.metadata["gate"]["real_data"] == REAL_RECORD
    # the constraints add no type skops distrusts beyond the fixed list
    assert set(skops.io.get_untrusted_types(data=skops.io.dumps(pipe))) <= set(TRUSTED_TYPES)
    assert verify(folder)["format"] == 1


def test_the_shipped_1_0_0_has_no_real_data_record_and_still_loads():
    loaded = load_model("1.0.0", root=ROOT / "models")
    assert loaded.metadata["format"] == FORMAT and "real_data" not in loaded.metadata["gate"]


def test_a_folder_of_another_format_is_refused_naming_both_formats_and_what_to_do(tmp_path):
    pipe, _ = _monotone_pipeline()
    folder = save_model(pipe, version="2.0.0", metadata={}, model_card="# 2.0.0", root=tmp_path)
    meta = json.loads((folder / "metadata.json").read_text())
    meta["format"] = 2
    meta.pop("metadata_sha256")
    canonical = json.dumps(meta, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    meta["metadata_sha256"] = hashlib.sha256(canonical).hexdigest()
    (folder / "metadata.json").write_text(json.dumps(meta))
    with pytest.raises(ModelIntegrityError) as err:
        load_model(folder)
    message = str(err.value)
    assert "format expected 1, found 2" in message and "reads format 1 only" in message
    assert "installing the b12risk version that wrote the model" in message and "retraining" in message
    with pytest.raises(ModelIntegrityError, match="format expected 1, found 2"):
        registry.describe(folder)
