"""Reproducibility across processes: the same seed gives the same bytes in a fresh Python,
whatever its hash seed or thread count (the two processes of each test differ in both).

Two fresh processes write byte-identical cohort files and predict byte-identical
probabilities; a CSV written block by block is the cohort written at once; two training
runs of tiny.toml give models that predict identically, to the last bit. (Within one process:
``test_cohort.py::test_cohort_made_in_blocks_equals_cohort_made_at_once`` for blocks,
``tests/cli/test_cli.py::test_simulate_writes_the_same_cohort_as_the_library`` for a Parquet file
of two blocks, ``test_training.py::test_same_config_same_predictions`` for training.)
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from b12risk import simulate
from b12risk.knowledge.schema import to_model_frame
from b12risk.registry import load_model
from b12risk.simulation.cohort import BLOCK_ROWS, write_cohort

TINY = Path(__file__).parent / "data" / "tiny.toml"
SHIPPED = Path(__file__).resolve().parents[1] / "models" / "b12risk-1.0.0"
ROWS = BLOCK_ROWS + 1000  # two blocks
SCENARIO, SEED = "gastro_clinic", 7
TIMEOUT = 600

#: A fresh process: either writes a cohort with the command line (Parquet and CSV) and
#: predicts it with the shipped model, or trains tiny.toml into a folder of its own.
CHILD = """
import json, sys
from pathlib import Path

job = json.loads(sys.argv[1])
out = Path(job["out"])
if job["what"] == "cohort":
    import pandas as pd

    from b12risk.cli import main
    from b12risk.serving.predict import predict
    from b12risk.registry import load_model
    from b12risk.knowledge.schema import truth_columns

    for name in ("cohort.parquet", "cohort.csv"):
        args = ["simulate", "-n", str(job["rows"]), "--scenario", job["scenario"], "--seed", str(job["seed"])]
        assert main([*args, "--out", str(out / name), "-q"]) == 0
    model = load_model(job["model"])
    cohort = pd.read_parquet(out / "cohort.parquet").drop(columns=list(truth_columns()))
    probability = predict(cohort, model=model, explain=False)["probability"].to_numpy()
    (out / "probability.bin").write_bytes(probability.tobytes())
    predict(cohort.head(40), model=model).to_parquet(out / "explained.parquet")
else:
    from b12risk.modelling.training import train

    train(job["config"], root=out, version="0.1.0", force=True, progress=False)
"""


def run_fresh(jobs: list[tuple[dict, dict]]) -> None:
    """Run one fresh Python per (job, environment) at the same time; all must succeed."""
    procs = []
    for job, env in jobs:
        Path(job["out"]).mkdir(parents=True, exist_ok=True)
        procs.append(
            subprocess.Popen(
                [sys.executable, "-c", CHILD, json.dumps(job)],
                env={**os.environ, **env},
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
        )
    try:
        outputs = [proc.communicate(timeout=TIMEOUT)[0] for proc in procs]
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    for proc, output in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, output[-3000:]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


#: Different hash seeds and thread counts: neither may change a single byte.
ENVIRONMENTS = [
    {"PYTHONHASHSEED": "1", "OMP_NUM_THREADS": "1"},
    {"PYTHONHASHSEED": "2", "OMP_NUM_THREADS": "2"},
]


@pytest.fixture(scope="module")
def cohorts(tmp_path_factory) -> list[Path]:
    """The folders of two fresh processes that wrote the same cohort and predicted it."""
    base = tmp_path_factory.mktemp("fresh-cohorts")
    job = {"what": "cohort", "rows": ROWS, "scenario": SCENARIO, "seed": SEED, "model": str(SHIPPED)}
    folders = [base / f"process{k}" for k in range(len(ENVIRONMENTS))]
    run_fresh([({**job, "out": str(folder)}, env) for folder, env in zip(folders, ENVIRONMENTS, strict=True)])
    return folders


@pytest.mark.parametrize("name", ["cohort.parquet", "cohort.csv", "probability.bin", "explained.parquet"])
def test_two_fresh_processes_write_the_same_bytes(cohorts, name):
    first, second = (folder / name for folder in cohorts)
    assert first.stat().st_size > 0
    assert sha256(first) == sha256(second)


def test_the_predictions_are_of_the_whole_cohort_and_vary(cohorts):
    probability = np.frombuffer((cohorts[0] / "probability.bin").read_bytes(), dtype=np.float64)
    assert len(probability) == ROWS
    assert len(np.unique(probability)) > ROWS // 10  # not a constant that would compare equal anyway


def test_another_seed_gives_other_bytes(cohorts, tmp_path):
    other = tmp_path / "cohort.csv"
    write_cohort(other, ROWS, scenario=SCENARIO, seed=SEED + 1, progress=False)
    assert sha256(other) != sha256(cohorts[0] / "cohort.csv")


def test_a_csv_written_block_by_block_is_the_cohort_written_at_once(cohorts):
    whole = simulate(ROWS, scenario=SCENARIO, seed=SEED).to_csv(index=False).encode()
    assert (cohorts[0] / "cohort.csv").read_bytes() == whole


def test_two_fresh_training_runs_give_models_that_predict_identically(tmp_path):
    job = {"what": "train", "config": str(TINY)}
    roots = [tmp_path / f"run{k}" for k in range(len(ENVIRONMENTS))]
    run_fresh([({**job, "out": str(root)}, env) for root, env in zip(roots, ENVIRONMENTS, strict=True)])
    first, second = (load_model("0.1.0", root=root) for root in roots)
    X = to_model_frame(simulate(3000, scenario="antenatal", seed=99))
    p1, p2 = (m.estimator.predict_proba(X)[:, 1] for m in (first, second))
    assert p1.tobytes() == p2.tobytes()
    assert len(np.unique(p1)) > 100
    assert first.metadata["metrics_summary"] == second.metadata["metrics_summary"]
    # model.skops differs in its bytes, and cannot but differ: skops names the arrays in its
    # zip file after their memory addresses and stamps each with the time of writing
    assert first.metadata["files"]["subgroups.csv"] == second.metadata["files"]["subgroups.csv"]
    tables = [pd.read_csv(m.path / "evaluation.csv") for m in (first, second)]
    for scorer in ("model", "oracle", "guideline", "cb12"):
        a, b = (t[t.scorer == scorer].reset_index(drop=True) for t in tables)
        pd.testing.assert_frame_equal(a, b, check_exact=True)
    # the risk factor score's fit sums in an order set by the BLAS thread count: the last bits move
    pd.testing.assert_frame_equal(*tables, check_exact=False, rtol=1e-12, atol=1e-14)
