"""Population scale: streaming score_file (bad rows, resume after interrupt or SIGKILL),
the Dask path on a real two-process LocalCluster, and the ``score`` command."""

import argparse
import json
import signal
import subprocess
import sys
import time
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from b12risk import scale, simulate
from b12risk.cli.score import add_score_parser
from b12risk.errors import B12RiskError, ConfigError, InvalidPatientError
from b12risk.knowledge.schema import truth_columns
from b12risk.scale import files as scale_files
from b12risk.scale import rows
from b12risk.scale.checkpoint import parts_dir
from b12risk.serving.predict import predict
from b12risk.validation import validate

ROWS = 3000
#: Bad rows of the test cohort and the (field, start of problem) each must be rejected with.
BAD = {
    7: ("age", "150 is impossible; expected 18 to 120 years"),
    1234: ("diet", "'keto' is not one of omnivore, vegetarian, vegan"),
    2500: ("pregnant+sex", "fields 'pregnant' (true) and 'sex' ('male') are impossible together"),
    2999: ("ppi_years+ppi_pills_per_day", "fields 'ppi_years' (0) and 'ppi_pills_per_day' (2) contradict"),
}
#: Further bad rows only a CSV can hold (text where a number or yes/no belongs).
BAD_CSV = {
    10: ("age", "expected a number in years, got 'seventy' (str)"),
    11: ("fatigue", "expected true or false (or 1 or 0), got 'often' (str)"),
}


def _cohort() -> pd.DataFrame:
    df = simulate(ROWS, seed=4)
    df.insert(0, "patient_id", [f"p{i:05d}" for i in range(ROWS)])
    df["diet"] = df["diet"].astype(object)
    df.loc[7, "age"] = 150
    df.loc[1234, "diet"] = "keto"
    df.loc[2500, ["pregnant", "sex", "age"]] = [True, "male", 30.0]
    df.loc[2999, ["ppi_years", "ppi_pills_per_day"]] = [0.0, 2.0]
    return df


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """The cohort (with the simulator's truth columns, which scoring must skip) as
    Parquet, and as CSV with two more rows that are bad as text."""
    folder = tmp_path_factory.mktemp("scale-inputs")
    df = _cohort()
    df.to_parquet(folder / "cohort.parquet", index=False, row_group_size=1000)
    text = df.astype({"age": object, "fatigue": object})
    text.loc[10, "age"] = "seventy"
    text.loc[11, "fatigue"] = "often"
    text.to_csv(folder / "cohort-text.csv", index=False)
    return SimpleNamespace(frame=df, parquet=folder / "cohort.parquet", text=folder / "cohort-text.csv")


def _expected(df: pd.DataFrame, model, bad, explain: bool = False) -> pd.DataFrame:
    """What score_file must write: predict() of the valid rows, with ids and row numbers."""
    valid = df.drop(index=list(bad)).drop(columns=list(truth_columns()))
    out = predict(valid, model=model, explain=explain).drop(columns="id")
    out.insert(0, "row", valid.index.to_numpy(dtype=np.int64))
    out.insert(0, "patient_id", valid["patient_id"].to_numpy())
    return out.reset_index(drop=True)


def _assert_same(got: pd.DataFrame, expected: pd.DataFrame) -> None:
    """assert_frame_equal, quickly when the frames are equal (it takes seconds on a cohort)."""
    same = got.equals(expected) and got.index.equals(expected.index) and (got.dtypes == expected.dtypes).all()
    if not same:
        pd.testing.assert_frame_equal(got, expected)


def _errors(bad: dict) -> list[tuple[int, str]]:
    return sorted((row, field) for row, (field, _) in bad.items())


def _check_errors(path, bad: dict) -> None:
    errors = pd.read_csv(path, keep_default_na=False)
    assert list(errors.columns) == ["row", "field", "problem"]
    assert sorted(zip(errors["row"], errors["field"], strict=True)) == _errors(bad)
    for row, (_, start) in bad.items():
        (problem,) = errors.loc[errors["row"] == row, "problem"]
        assert problem.startswith(start) or start in problem, (row, problem)


# --------------------------------------------------------------------------- score_file


def test_score_file_scores_every_valid_row_and_lists_the_bad_ones(files, tiny_model, tmp_path):
    out = tmp_path / "scores.parquet"
    summary = scale.score_file(files.parquet, out, model=tiny_model, chunk_rows=700, progress=False)
    assert (summary.rows_in, summary.rows_scored, summary.rows_rejected) == (ROWS, ROWS - len(BAD), len(BAD))
    assert summary.output == out and summary.errors_path == tmp_path / "scores.parquet.errors"
    pd.testing.assert_frame_equal(pd.read_parquet(out), _expected(files.frame, tiny_model, BAD))
    _check_errors(summary.errors_path, BAD)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["scores.parquet", "scores.parquet.errors"]


def test_csv_in_csv_out_parses_text_per_field(files, tiny_model, tmp_path):
    bad = {**BAD, **BAD_CSV}
    summary = scale.score_file(files.text, tmp_path / "scores.csv", model=tiny_model, chunk_rows=1000, progress=False)
    assert (summary.rows_scored, summary.rows_rejected) == (ROWS - len(bad), len(bad))
    got = pd.read_csv(summary.output, keep_default_na=False)
    expected = _expected(files.frame, tiny_model, bad)
    assert list(got.columns) == list(expected.columns)
    np.testing.assert_allclose(got["probability"], expected["probability"], rtol=1e-12)
    for name in ("patient_id", "row", "risk_band", "information_level", "model_version", "warnings"):
        assert got[name].tolist() == expected[name].tolist(), name
    _check_errors(summary.errors_path, bad)


def test_a_clean_file_leaves_no_errors_file(files, tiny_model, tmp_path):
    clean = tmp_path / "clean.csv"
    files.frame.drop(index=list(BAD)).iloc[:500].to_csv(clean, index=False)
    stale = tmp_path / "out.parquet.errors"
    stale.write_text("left by an earlier run\n")
    summary = scale.score_file(clean, tmp_path / "out.parquet", model=tiny_model, progress=False)
    assert (summary.rows_in, summary.rows_rejected, summary.errors_path) == (500, 0, None)
    assert not stale.exists()


def test_explain_adds_the_top_contributions(files, tiny_model, tmp_path):
    small = tmp_path / "small.parquet"
    files.frame.iloc[:150].to_parquet(small, index=False)
    summary = scale.score_file(
        small, tmp_path / "out.parquet", model=tiny_model, explain=True, chunk_rows=60, progress=False
    )
    expected = _expected(files.frame.iloc[:150], tiny_model, {7: BAD[7]}, explain=True)
    got = pd.read_parquet(summary.output)
    assert [c for c in got.columns if c.startswith("top")] == [
        f"top{k}_{x}" for k in (1, 2, 3) for x in ("field", "log_odds")
    ]
    pd.testing.assert_frame_equal(got, expected, check_exact=False, rtol=1e-9)


def test_one_failed_validation_finds_every_bad_row(files, tiny_model, monkeypatch):
    """A chunk with bad rows costs two predict() calls, not one per row or a bisection."""
    calls = []
    real = rows.predict
    monkeypatch.setattr(rows, "predict", lambda data, **kw: calls.append(len(data)) or real(data, **kw))
    frame = files.frame.drop(columns=list(truth_columns())).set_axis(pd.Index(np.arange(ROWS, dtype=np.int64)))
    scores, problems = scale_files._score_chunk(frame, tiny_model, False)
    assert calls == [ROWS, ROWS - len(BAD)]
    assert sorted({(row, field) for row, field, _ in problems}) == _errors(BAD)
    assert len(scores) == ROWS - len(BAD)


def test_bisection_is_the_fallback_when_the_problems_name_no_row_of_the_frame(files, monkeypatch):
    frame = (
        files.frame.drop(columns=list(truth_columns())).iloc[:1500].set_axis(pd.Index(np.arange(1500, dtype=np.int64)))
    )
    direct = rows._rejected(frame, _validation_error(frame))
    monkeypatch.setattr(rows, "_by_row", lambda problems, index: ({}, []))
    assert rows._rejected(frame, _validation_error(frame)) == direct
    assert sorted(direct) == [7, 1234]


def _validation_error(frame):
    with pytest.raises(InvalidPatientError) as info:
        validate(frame)
    return info.value


def test_an_unknown_column_stops_the_run_before_anything_is_written(files, tiny_model, tmp_path):
    bad = tmp_path / "typo.csv"
    files.frame.iloc[:50].rename(columns={"serum_b12_pmol_l": "serum_b12"}).to_csv(bad, index=False)
    with pytest.raises(
        InvalidPatientError, match=r"typo.csv: unknown field 'serum_b12' .*did you mean 'serum_b12_pmol_l'"
    ) as info:
        scale.score_file(bad, tmp_path / "out.parquet", model=tiny_model, progress=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["typo.csv"]
    (problem,) = info.value.problems
    assert (problem.in_batch, problem.value) == (False, "serum_b12")  # the record keeps what the text says


@pytest.mark.parametrize(
    ("src", "out", "message"),
    [
        (
            "missing.csv",
            "o.parquet",
            "The input file '{d}/missing.csv' does not exist; expected a CSV or Parquet file of patients.",
        ),
        (
            "in.json",
            "o.parquet",
            "The input file must end in .parquet, .pq, .csv or .csv.gz. Got '{d}/in.json' instead.",
        ),
        (
            "folder.parquet",
            "o.parquet",
            "The input '{d}/folder.parquet' is a folder; expected one CSV or Parquet file (score a folder with --scheduler).",
        ),
        ("in.csv", "o.xlsx", "The output file must end in .parquet or .csv. Got '{d}/o.xlsx' instead."),
        (
            "in.csv",
            "in.csv",
            "The output file '{d}/in.csv' already exists; expected a new path (delete it or choose another output).",
        ),
        ("in.csv", "nowhere/o.csv", "The output folder '{d}/nowhere' does not exist."),
        ("empty.csv", "o.csv", "The input file '{d}/empty.csv' has no rows; expected at least one patient."),
    ],
)
def test_usage_errors_name_the_path_and_what_is_expected(tiny_model, tmp_path, src, out, message):
    (tmp_path / "in.csv").write_text("age\n50\n")
    (tmp_path / "in.json").write_text("{}")
    (tmp_path / "empty.csv").write_text("age,sex\n")
    (tmp_path / "folder.parquet").mkdir()
    before = sorted(p.name for p in tmp_path.iterdir())
    with pytest.raises(ConfigError) as info:
        scale.score_file(tmp_path / src, tmp_path / out, model=tiny_model, progress=False)
    assert str(info.value) == message.format(d=tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing left behind


@pytest.mark.parametrize("chunk_rows", [0, -5, 2.5, True])
def test_chunk_rows_must_be_a_positive_int(tmp_path, chunk_rows):
    with pytest.raises(
        ConfigError, match=r"The 'chunk_rows' parameter of score_file must be an int in the range \[1, inf\)"
    ):
        scale.score_file(tmp_path / "in.csv", tmp_path / "o.csv", chunk_rows=chunk_rows)


def test_rows_in_must_equal_scored_plus_rejected(files, tiny_model, tmp_path, monkeypatch):
    real = scale_files._score_chunk

    def loses_a_row(*args, **kwargs):
        scores, problems = real(*args, **kwargs)
        return scores.iloc[1:], problems

    monkeypatch.setattr(scale_files, "_score_chunk", loses_a_row)
    with pytest.raises(B12RiskError, match="internal error: 1000 rows read but 998 scored and 1 rejected"):
        scale.score_file(files.parquet, tmp_path / "o.parquet", model=tiny_model, chunk_rows=1000, progress=False)


# --------------------------------------------------------------------------- resume


@pytest.fixture(scope="module")
def reference(files, tiny_model, tmp_path_factory):
    """An uninterrupted run, to compare resumed runs with."""
    out = tmp_path_factory.mktemp("reference") / "scores.parquet"
    summary = scale.score_file(files.parquet, out, model=tiny_model, chunk_rows=500, progress=False)
    return SimpleNamespace(scores=pd.read_parquet(out), errors=summary.errors_path.read_text(), summary=summary)


def _interrupt_after(monkeypatch, chunks: int) -> None:
    real = scale_files._score_chunk
    calls = []

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) > chunks:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(scale_files, "_score_chunk", flaky)


def _same_as_reference(summary, reference) -> None:
    assert (summary.rows_in, summary.rows_scored, summary.rows_rejected) == (
        reference.summary.rows_in,
        reference.summary.rows_scored,
        reference.summary.rows_rejected,
    )
    pd.testing.assert_frame_equal(pd.read_parquet(summary.output), reference.scores)
    assert summary.errors_path.read_text() == reference.errors
    assert not parts_dir(summary.output).exists()


def test_an_interrupted_run_resumes_without_duplicating_or_skipping_rows(
    files, tiny_model, reference, tmp_path, monkeypatch
):
    out = tmp_path / "scores.parquet"
    _interrupt_after(monkeypatch, 2)
    with pytest.raises(KeyboardInterrupt):
        scale.score_file(files.parquet, out, model=tiny_model, chunk_rows=500, progress=False)
    monkeypatch.undo()
    assert not out.exists()
    checkpoint = json.loads((tmp_path / "scores.parquet.parts" / "checkpoint.json").read_text())
    assert (checkpoint["parts"], checkpoint["rows_done"]) == (2, 1000)
    with pytest.raises(ConfigError, match=r"holds an interrupted run for this output; pass --resume"):
        scale.score_file(files.parquet, out, model=tiny_model, progress=False)
    # the chunk size may change on resume: progress is counted in rows
    summary = scale.score_file(files.parquet, out, model=tiny_model, chunk_rows=700, resume=True, progress=False)
    _same_as_reference(summary, reference)


def test_a_run_killed_with_sigkill_resumes(files, tiny_model, reference, tmp_path):
    out = tmp_path / "scores.parquet"
    slow = (
        "import sys, time\n"
        "from b12risk import scale\n"
        "from b12risk.scale import files as scale_files\n"
        "real = scale_files._score_chunk\n"
        "scale_files._score_chunk = lambda *a, **k: time.sleep(0.15) or real(*a, **k)\n"
        "scale.score_file(sys.argv[1], sys.argv[2], model=sys.argv[3], chunk_rows=250, progress=False)\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", slow, str(files.parquet), str(out), str(tiny_model.path)])
    checkpoint = tmp_path / "scores.parquet.parts" / "checkpoint.json"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        if checkpoint.exists() and json.loads(checkpoint.read_text())["parts"] >= 3:
            break
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    assert proc.wait(timeout=30) == -signal.SIGKILL
    assert not out.exists() and 3 <= json.loads(checkpoint.read_text())["parts"] < ROWS // 250
    summary = scale.score_file(files.parquet, out, model=str(tiny_model.path), resume=True, progress=False)
    _same_as_reference(summary, reference)


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ("input", "the input is not the file it read"),
        ("explain", "it ran with explain=False and this run has explain=True"),
        ("model", "it used model 0.0.9 and this run uses model 0.1.0"),
    ],
)
def test_resume_refuses_a_different_input_model_or_setting(files, tiny_model, tmp_path, monkeypatch, change, why):
    src = tmp_path / "in.parquet"
    files.frame.to_parquet(src, index=False)
    out = tmp_path / "scores.parquet"
    _interrupt_after(monkeypatch, 1)
    with pytest.raises(KeyboardInterrupt):
        scale.score_file(src, out, model=tiny_model, chunk_rows=1000, progress=False)
    monkeypatch.undo()
    if change == "input":
        files.frame.iloc[:2000].to_parquet(src, index=False)
    elif change == "model":
        checkpoint = tmp_path / "scores.parquet.parts" / "checkpoint.json"
        state = json.loads(checkpoint.read_text())
        state["model"]["version"] = "0.0.9"
        checkpoint.write_text(json.dumps(state))
    with pytest.raises(ConfigError) as info:
        scale.score_file(src, out, model=tiny_model, explain=change == "explain", resume=True, progress=False)
    message = str(info.value)
    assert why in message and "start over without --resume" in message and "\n" not in message


def test_resume_with_nothing_to_resume_starts_a_new_run(files, tiny_model, tmp_path):
    small = tmp_path / "small.csv"
    files.frame.iloc[:20].to_csv(small, index=False)
    summary = scale.score_file(small, tmp_path / "o.parquet", model=tiny_model, resume=True, progress=False)
    assert summary.rows_in == 20
    with pytest.raises(ConfigError, match="already exists and there is no interrupted run to resume"):
        scale.score_file(small, tmp_path / "o.parquet", model=tiny_model, resume=True, progress=False)


# --------------------------------------------------------------------------- the score command


def _run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="b12risk")
    add_score_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["score", *argv])
    return args.func(args)


def test_cmd_score_exit_codes_and_summary(files, tiny_model, tmp_path, capsys):
    model = str(tiny_model.path)
    assert _run(str(files.parquet), "--out", str(tmp_path / "a.parquet"), "--model", model, "-q") == 1
    printed = capsys.readouterr().out
    assert "3,000 rows in: 2,996 scored, 4 rejected" in printed and "rows/s" in printed
    assert f"errors: {tmp_path / 'a.parquet.errors'} (row, field, problem)" in printed

    clean = tmp_path / "clean.parquet"
    files.frame.iloc[:5].to_parquet(clean, index=False)
    assert _run(str(clean), "--out", str(tmp_path / "b.csv"), "--model", model, "--chunk-rows", "2", "-q") == 0
    assert "5 rows in: 5 scored, 0 rejected" in capsys.readouterr().out

    assert _run(str(clean), "--out", str(tmp_path / "b.csv"), "--model", model, "-q") == 2
    err = capsys.readouterr().err
    assert (
        err
        == f"b12risk score: error: The output file '{tmp_path / 'b.csv'}' already exists; expected a new path (delete it or choose another output).\n"
    )

    assert _run(str(clean), "--out", str(tmp_path / "c.csv"), "--scheduler", "tcp://x:8786", "--resume") == 2
    assert "--resume and --chunk-rows apply to scoring on this machine" in capsys.readouterr().err


def test_cmd_score_interrupted_says_how_to_resume(files, tiny_model, tmp_path, capsys, monkeypatch):
    _interrupt_after(monkeypatch, 1)
    out = tmp_path / "a.parquet"
    assert (
        _run(str(files.parquet), "--out", str(out), "--model", str(tiny_model.path), "--chunk-rows", "1000", "-q")
        == 130
    )
    assert capsys.readouterr().err == (
        f"b12risk score: interrupted; finished chunks are kept in {out}.parts: "
        "rerun the same command with --resume to continue\n"
    )
    monkeypatch.undo()
    assert _run(str(files.parquet), "--out", str(out), "--model", str(tiny_model.path), "--resume", "-q") == 1


def test_cmd_score_bad_chunk_rows_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as info:
        _run("in.csv", "--out", "o.csv", "--chunk-rows", "0")
    assert info.value.code == 2
    assert "argument --chunk-rows: must be a whole number >= 1, got '0'" in capsys.readouterr().err


# --------------------------------------------------------------------------- without dask


def test_importing_scale_does_not_import_dask():
    code = (
        "import sys, b12risk.scale; print(sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')))"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert res.stdout.strip() == "[]"


def test_the_dask_functions_say_how_to_install_dask(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "dask", None)
    monkeypatch.setitem(sys.modules, "distributed", None)
    for call in (
        lambda: scale.simulate(10),
        lambda: scale.score(None),
        lambda: scale.score_with_dask(tmp_path / "in.csv", tmp_path / "o.parquet", scheduler="tcp://x:1"),
    ):
        with pytest.raises(ConfigError, match=r"pip install 'b12risk\[dask\]'"):
            call()


# --------------------------------------------------------------------------- Dask


@pytest.fixture(scope="module")
def client():
    pytest.importorskip("dask.dataframe", reason="dask is not installed (pip install 'b12risk[dask]')")
    distributed = pytest.importorskip(
        "distributed", reason="distributed is not installed (pip install 'b12risk[dask]')"
    )
    with (
        distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=":0") as cluster,
        distributed.Client(cluster) as c,
    ):
        yield c


def test_dask_score_equals_the_single_process_result(files, tiny_model, client):
    import dask.dataframe as dd

    got = scale.score(dd.from_pandas(files.frame, npartitions=3), model=tiny_model).compute()
    assert got.index.equals(files.frame.index)
    rejected = got["error"].notna()
    assert sorted(got.index[rejected]) == sorted(BAD)
    assert got.loc[list(BAD), "probability"].isna().all()
    for row, (_, start) in BAD.items():
        assert start in got.at[row, "error"]
    expected = _expected(files.frame, tiny_model, BAD).drop(columns="row")
    valid = got.loc[~rejected].drop(columns="error").reset_index(drop=True)
    valid["patient_id"] = valid["patient_id"].astype(expected["patient_id"].dtype)  # dask made it an Arrow string
    pd.testing.assert_frame_equal(valid, expected)
    # the model was sent once and is held once per worker process that scored a partition
    cached = client.run(lambda: len(sys.modules["b12risk.scale.cluster"]._WORKER_MODELS))
    assert set(cached.values()) <= {0, 1} and sum(cached.values()) >= 1


def test_dask_simulate_equals_simulate_row_for_row(client):
    ddf = scale.simulate(140_000, seed=3)
    assert ddf.npartitions == 3 and ddf.divisions == (0, 65_536, 131_072, 139_999)
    _assert_same(ddf.compute(), simulate(140_000, seed=3))
    two = scale.simulate(200_000, scenario="older_adults", seed=5, labs="survey", npartitions=2)
    _assert_same(two.compute(), simulate(200_000, scenario="older_adults", seed=5, labs="survey"))
    with pytest.raises(ConfigError, match=r"'npartitions' parameter of simulate must be an int in the range \[1, 3\]"):
        scale.simulate(140_000, npartitions=4)


@pytest.mark.parametrize("source", ["parquet", "text"])
def test_score_command_on_the_cluster(files, tiny_model, client, tmp_path, capsys, source):
    out = tmp_path / "scores.parquet"
    src = getattr(files, source)
    address = client.scheduler.address
    assert _run(str(src), "--out", str(out), "--scheduler", address, "--model", str(tiny_model.path)) == 1
    bad = BAD if source == "parquet" else {**BAD, **BAD_CSV}
    assert f"3,000 rows in: {ROWS - len(bad):,} scored, {len(bad)} rejected" in capsys.readouterr().out
    got = pd.read_parquet(out)
    assert sorted(np.flatnonzero(got["error"].notna())) == sorted(bad)
    expected = _expected(files.frame, tiny_model, bad).drop(columns="row")
    valid = got[got["error"].isna()].drop(columns="error").reset_index(drop=True)
    pd.testing.assert_frame_equal(valid, expected, check_dtype=False)


def test_an_unknown_column_on_the_cluster_is_reported_whole(tiny_model, client, tmp_path):
    import dask.dataframe as dd

    frame = pd.DataFrame({"age": [50.0, 60.0], "serum_b12": [200.0, 300.0]})
    with pytest.raises(InvalidPatientError) as info:
        scale.score(dd.from_pandas(frame, npartitions=1), model=tiny_model).compute()
    (problem,) = info.value.problems
    assert problem.message == (
        "unknown field 'serum_b12' (a column; first value 200); did you mean 'serum_b12_pmol_l' or 'serum_b12_pg_ml'?"
    )
    assert (problem.in_batch, problem.field, problem.value) == (False, None, "serum_b12")
