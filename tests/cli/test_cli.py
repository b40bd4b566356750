"""The installed ``b12risk`` console script."""

import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from b12risk import simulate
from b12risk.knowledge import seeds_dir

EXE = shutil.which("b12risk", path=str(Path(sys.executable).parent))


def run(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    assert EXE, "the b12risk console script is not installed next to this Python"
    return subprocess.run([EXE, *args], capture_output=True, text=True, timeout=300, env=env)


def test_simulate_writes_the_same_cohort_as_the_library(tmp_path):
    out = tmp_path / "cohort.parquet"
    res = run("simulate", "--scenario", "latin_america", "-n", "70000", "--seed", "3", "--out", str(out), "-q")
    assert res.returncode == 0, res.stderr
    assert "wrote 70,000 rows" in res.stdout
    pd.testing.assert_frame_equal(
        pd.read_parquet(out), simulate(70_000, scenario="latin_america", seed=3).reset_index(drop=True)
    )
    assert [p.name for p in tmp_path.iterdir()] == ["cohort.parquet"]  # no temporary file left


def test_simulate_csv(tmp_path):
    out = tmp_path / "cohort.csv"
    assert run("simulate", "-n", "500", "--labs", "survey", "--out", str(out), "-q").returncode == 0
    back = pd.read_csv(out)
    assert len(back) == 500 and back.serum_b12_pmol_l.notna().all()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-n", "0"], "argument -n: must be a whole number >= 1, got '0'"),
        (["-n", "ten"], "argument -n: must be a whole number >= 1, got 'ten'"),
        (["-n", "5", "--scenario", "mars"], "argument --scenario: invalid choice: 'mars'"),
        (["-n", "5", "--seed", "-2"], "argument --seed: must be a whole number >= 0"),
    ],
)
def test_simulate_bad_arguments_exit_2_with_one_line(tmp_path, args, message):
    res = run("simulate", *args, "--out", str(tmp_path / "x.parquet"))
    assert res.returncode == 2
    assert message in res.stderr


def test_simulate_bad_output_path(tmp_path):
    res = run("simulate", "-n", "5", "--out", str(tmp_path / "x.json"))
    assert res.returncode == 2
    assert (
        res.stderr.strip()
        == "b12risk simulate: error: The output file must end in .parquet or .csv. Got '"
        + str(tmp_path / "x.json")
        + "' instead."
    )


def test_broken_seeds_file_is_one_line_naming_file_and_key(tmp_path):
    seeds = tmp_path / "seeds"
    shutil.copytree(seeds_dir(), seeds)
    text = (seeds / "causes.toml").read_text().replace('mechanism = "intake"', 'mechanism = "magic"', 1)
    (seeds / "causes.toml").write_text(text)
    import os

    res = run(
        "simulate", "-n", "5", "--out", str(tmp_path / "x.parquet"), env={**os.environ, "B12RISK_SEEDS": str(seeds)}
    )
    assert res.returncode == 2
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and "causes.toml: [diet.mechanism]" in lines[0], res.stderr


def test_demo_runs_end_to_end_on_a_tiny_config(tmp_path):
    """The same steps as `make demo`, on the tiny test config so it takes seconds."""
    config = Path(__file__).resolve().parents[1] / "data" / "tiny.toml"
    res = run(
        "demo",
        "--out",
        str(tmp_path / "demo"),
        "--reports",
        str(tmp_path / "reports"),
        "--config",
        str(config),
        "--rows",
        "5000",
    )
    assert res.returncode in (0, 1), res.stderr[-2000:]  # 1: the tiny model's gate may fail
    for step in ("[1/5]", "[2/5]", "[3/5]", "[4/5]", "[5/5]"):
        assert step in res.stdout
    assert (tmp_path / "reports" / "0.0.1" / "report.html").exists()
    assert (tmp_path / "reports" / "0.0.1" / "report_ar.html").exists()
    assert len(list((tmp_path / "demo" / "examples").glob("*.png"))) >= 10
    assert (tmp_path / "reports" / "0.0.1" / "nhanes" / "performance.csv").exists()
    assert "real patients (NHANES 2001-2004, raised MMA given serum B12): AUROC model 0." in res.stdout
    assert "not a diagnosis" in res.stdout


# --------------------------------------------------------------------------- the command's shape

SUBCOMMANDS = (
    "simulate",
    "train",
    "models",
    "predict",
    "explain",
    "report",
    "validate",
    "calibrate",
    "demo",
    "score",
    "serve",
)


def test_help_lists_every_subcommand_in_order():
    res = run("--help")
    assert res.returncode == 0, res.stderr
    section = res.stdout.split("\n  COMMAND\n", 1)[1]
    listed = [line.split()[0] for line in section.splitlines() if line.startswith("    ") and line[4] != " "]
    assert tuple(listed) == SUBCOMMANDS  # each with its help text, in this order


@pytest.mark.parametrize("name", SUBCOMMANDS)
def test_each_subcommand_has_help(name):
    res = run(name, "--help")
    assert res.returncode == 0, res.stderr
    assert res.stdout.startswith(f"usage: b12risk {name} ")
    assert res.stderr == ""


def test_importing_the_command_loads_no_heavy_library():
    code = (
        "import sys, b12risk.cli; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'sklearn', 'shap', 'numba', 'matplotlib', 'dask', 'distributed', "
        "'fhir', 'ucumvert', 'pint', 'fastapi', 'starlette', 'uvicorn', 'jwt', 'httpx'}))"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "[]"


def test_python_dash_m_runs_the_same_command():
    res = subprocess.run(
        [sys.executable, "-m", "b12risk.cli", "--version"], capture_output=True, text=True, timeout=120
    )
    assert res.returncode == 0, res.stderr
    assert res.stdout == run("--version").stdout


def test_calibrate_holds_every_parameter_named_after_any_hold_flag():
    from b12risk.cli.main import build_parser

    args = build_parser().parse_args(
        ["calibrate", "--nhanes", "--hold", "scenarios.us_uk.diet", "--hold", "measurement.serum_assay.sd", "x.y"]
    )
    assert args.hold == ["scenarios.us_uk.diet", "measurement.serum_assay.sd", "x.y"]
    assert build_parser().parse_args(["calibrate", "--nhanes"]).hold == []
