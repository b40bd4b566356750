"""External validation on NHANES: reference outcomes, survey statistics, the validation run and its CLI."""

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from b12risk import registry
from b12risk.errors import ConfigError
from b12risk.modelling.metrics import calibration_intercept_slope, net_benefit
from b12risk.nhanes import load_adults, stats
from b12risk.nhanes.outcomes import OUTCOMES
from b12risk.nhanes.validation import SCORERS, _shown, evaluable_levels, validate

ROOT = Path(__file__).resolve().parents[2]


# --------------------------------------------------------------------------- outcomes

OUTCOME_CASES = [
    # (outcome, row, defined, event)
    ("low_b12", {"serum_b12_pmol_l": 147.9}, True, True),
    ("low_b12", {"serum_b12_pmol_l": 148.0}, True, False),
    ("low_b12", {"serum_b12_pmol_l": np.nan}, False, False),
    ("low_b12_raised_mma", {"serum_b12_pmol_l": 120.0, "mma_umol_l": 0.272}, True, True),
    ("low_b12_raised_mma", {"serum_b12_pmol_l": 120.0, "mma_umol_l": 0.271}, True, False),
    ("low_b12_raised_mma", {"serum_b12_pmol_l": 120.0, "mma_umol_l": np.nan}, False, False),
    ("raised_mma", {"mma_umol_l": 0.5, "egfr_ml_min": 60.0}, True, True),
    ("raised_mma", {"mma_umol_l": 0.5, "egfr_ml_min": 59.9}, False, False),
    ("raised_mma", {"mma_umol_l": 0.2, "egfr_ml_min": 90.0}, True, False),
    ("raised_mma", {"mma_umol_l": 0.5, "egfr_ml_min": np.nan}, False, False),
]


@pytest.mark.parametrize(("name", "row", "defined", "event"), OUTCOME_CASES)
def test_outcome_definitions(name, row, defined, event):
    got_defined, got_event = OUTCOMES[name].evaluate(pd.DataFrame([row]))
    assert (bool(got_defined[0]), bool(got_event[0])) == (defined, event)


def test_every_outcome_names_its_source_and_hides_what_it_is_built_from():
    for outcome in OUTCOMES.values():
        assert outcome.source and outcome.label_ar and outcome.uses
        for level in evaluable_levels(outcome):
            assert not set(outcome.uses) & set(_shown(level, outcome))


def test_levels_that_would_be_circular_or_unseen_are_skipped():
    assert evaluable_levels(OUTCOMES["low_b12"]) == ["risk_factors"]
    assert evaluable_levels(OUTCOMES["cb12_low"]) == ["risk_factors"]
    assert evaluable_levels(OUTCOMES["raised_mma"]) == ["risk_factors", "serum_b12", "full_panel"]
    shown = _shown("full_panel", OUTCOMES["raised_mma"])
    assert "serum_b12_pmol_l" in shown and "hcy_umol_l" in shown and "mma_umol_l" not in shown


# --------------------------------------------------------------------------- statistics


@pytest.fixture(scope="module")
def scored():
    rng = np.random.default_rng(7)
    n = 3000
    x = rng.normal(size=n)
    p = 1 / (1 + np.exp(-(x - 2.5)))
    y = (rng.random(n) < p).astype(int)
    w = rng.integers(1, 4, size=n).astype(float)
    return y, p, x, w


def test_delong_auroc_equals_the_rank_auroc_and_its_interval_covers_it(scored):
    y, _p, x, _w = scored
    auc, lo, hi = stats.auroc_delong(y, x)
    assert auc == pytest.approx(roc_auc_score(y, x), abs=1e-12)
    assert lo < auc < hi
    # Standard error shrinks as 1/sqrt(n): half the rows, a wider interval by about sqrt(2).
    _, lo2, hi2 = stats.auroc_delong(y[::2], x[::2])
    assert 1.2 < (hi2 - lo2) / (hi - lo) < 1.7


def test_weights_act_as_repeated_rows(scored):
    y, p, x, w = scored
    reps = w.astype(int)
    y_r, p_r, x_r = np.repeat(y, reps), np.repeat(p, reps), np.repeat(x, reps)
    assert stats.weighted_share(y, w) == pytest.approx(y_r.mean())
    assert stats.weighted_quantile(x, w, 0.5) == pytest.approx(np.quantile(x_r, 0.5, method="inverted_cdf"))
    cal = stats.weighted_calibration(y, p, w)
    a, b = calibration_intercept_slope(y_r, p_r)
    assert (cal["intercept"], cal["slope"]) == pytest.approx((a, b), abs=1e-6)
    assert cal["oe"] == pytest.approx(y_r.mean() / p_r.mean())
    t = np.array([0.05, 0.1, 0.2])
    assert stats.weighted_net_benefit(y, p, w, t) == pytest.approx(net_benefit(y_r, p_r, t))
    assert stats.weighted_auroc(y, x, w) == pytest.approx(roc_auc_score(y_r, x_r))


# --------------------------------------------------------------------------- the validation run


@pytest.fixture(scope="module")
def shipped():
    return registry.load_model("latest", root=ROOT / "models")


@pytest.fixture(scope="module")
def result(shipped):
    return validate(shipped, cycles=["2011-2012"], simulated_n=20_000, seed=0)


def test_the_run_is_reproducible(shipped, result):
    again = validate(shipped, cycles=["2011-2012"], simulated_n=20_000, seed=0)
    for name in ("performance", "decision", "marginals", "adapter", "outcomes"):
        pd.testing.assert_frame_equal(getattr(result, name), getattr(again, name))


def test_serum_b12_alone_is_scored_on_the_same_rows_as_the_model(result):
    adults = load_adults(["2011-2012"])
    rows = (
        adults["mma_umol_l"].notna() & (adults["egfr_ml_min"] >= 60) & adults["serum_b12_pmol_l"].notna()
    ).to_numpy()
    y = (adults["mma_umol_l"] > 0.271).to_numpy()[rows]
    cell = result.performance.query("outcome == 'raised_mma' and level == 'serum_b12'").set_index("scorer")
    assert set(cell.index) >= {"model", "real_cv", "serum_b12", "guideline"}
    assert cell["n"].nunique() == 1 and cell["n"].iloc[0] == rows.sum()
    assert cell.loc["serum_b12", "events"] == y.sum()
    expected = roc_auc_score(y, -adults["serum_b12_pmol_l"].to_numpy()[rows])
    assert cell.loc["serum_b12", "auroc"] == pytest.approx(expected, abs=1e-12)
    assert (cell["auroc_lo"] < cell["auroc"]).all() and (cell["auroc"] < cell["auroc_hi"]).all()


def test_no_scorer_sees_what_its_outcome_is_built_from(result):
    perf = result.performance
    assert set(perf["scorer"]) <= set(SCORERS)
    assert perf.query("outcome == 'low_b12'")["level"].unique().tolist() == ["risk_factors"]
    assert "serum_b12" not in set(perf.query("level == 'risk_factors'")["scorer"])


def test_cb12_outcome_is_not_formed_without_homocysteine(result):
    row = result.outcomes.set_index("outcome").loc["cb12_low"]
    assert row["n 2011-2012"] == 0
    assert "cb12_low" not in set(result.performance["outcome"])


def test_marginals_put_real_and_simulated_side_by_side(result):
    adults = load_adults(["2011-2012"])
    b12, w = adults["serum_b12_pmol_l"].to_numpy(), adults["weight"].to_numpy()
    ok = np.isfinite(b12)
    m = result.marginals.set_index(["metric", "stratum"])
    assert m.loc[("share serum B12 < 148", "20+"), "real"] == pytest.approx(stats.weighted_share(b12[ok] < 148, w[ok]))
    for metric in ("share taking metformin", "share taking PPI", "share taking B12 supplement"):
        assert 0 < m.loc[(metric, "20+"), "simulated"] < 1
    assert (m["ratio"] == m["simulated"] / m["real"]).all()


def test_decision_curves_are_weighted_net_benefit_with_test_all(result):
    dc = result.decision.query("outcome == 'raised_mma' and level == 'serum_b12'")
    assert {"model", "real_cv", "test all"} <= set(dc["strategy"])
    prevalence = result.performance.query("outcome == 'raised_mma'")["prevalence"].iloc[0]
    first = dc[(dc["strategy"] == "test all")].sort_values("threshold").iloc[0]
    assert first["net_benefit"] == pytest.approx(
        prevalence - (1 - prevalence) * first["threshold"] / (1 - first["threshold"])
    )


def test_written_tables_round_trip(result, tmp_path):
    paths = result.write(tmp_path)
    assert {p.name for p in paths} == {
        "performance.csv",
        "decision.csv",
        "marginals.csv",
        "adapter.csv",
        "outcomes.csv",
        "summary.json",
    }
    back = pd.read_csv(tmp_path / "performance.csv")
    assert back["auroc"].to_numpy() == pytest.approx(result.performance["auroc"].to_numpy(), rel=1e-5)
    assert json.loads((tmp_path / "summary.json").read_text())["model_version"] == result.model_version


# --------------------------------------------------------------------------- CLI and a fresh install


def run_cli(*args, cwd=None, env=None):
    return subprocess.run(
        [sys.executable, "-m", "b12risk.cli", *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=600
    )


def test_cli_validate_writes_the_tables(tmp_path):
    res = run_cli("validate", "--nhanes", "--cycles", "2011-2012", "--simulated-n", "20000", "--out", str(tmp_path))
    assert res.returncode == 0, res.stderr
    assert "raised_mma @ serum_b12" in res.stdout and "serum_b12 0.7" in res.stdout
    assert (tmp_path / "performance.csv").is_file()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["validate"], "the following arguments are required: --nhanes"),
        (["validate", "--nhanes", "--cycles", "1999-2000"], "cycle must be one of 2001-2002, 2003-2004, 2011-2012"),
        (
            ["validate", "--nhanes", "--data", "/nonexistent/nhanes"],
            "NHANES folder '/nonexistent/nhanes' does not exist",
        ),
        (["validate", "--nhanes", "--model", "9.9.9"], "9.9.9"),
    ],
)
def test_cli_validate_refuses_bad_arguments_in_one_line(args, message, tmp_path):
    res = run_cli(*args, "--out", str(tmp_path))
    assert res.returncode == 2
    assert message in res.stderr and "Traceback" not in res.stderr


@pytest.mark.slow
def test_validate_runs_from_an_installed_wheel_without_the_checkout(built_wheel, tmp_path):
    wheel = built_wheel
    target = tmp_path / "site"
    with zipfile.ZipFile(wheel) as zf:
        zf.extractall(target)
    env = {k: v for k, v in os.environ.items() if not k.startswith("B12RISK_")}
    env["PYTHONPATH"] = str(target)
    work = tmp_path / "elsewhere"
    work.mkdir()
    res = run_cli(
        "validate", "--nhanes", "--cycles", "2011-2012", "--simulated-n", "20000", "--out", "out", cwd=work, env=env
    )
    assert res.returncode == 0, res.stderr
    where = subprocess.run(
        [sys.executable, "-c", "import b12risk.nhanes as n; print(n.data_dir())"],
        capture_output=True,
        text=True,
        cwd=work,
        env=env,
    )
    assert Path(where.stdout.strip()).is_relative_to(target)
    assert (work / "out" / "performance.csv").is_file()


def test_paired_delong_difference_is_narrower_than_two_separate_intervals(scored):
    y, _p, x, _w = scored
    rng = np.random.default_rng(3)
    other = x + rng.normal(scale=0.3, size=x.size)  # a correlated second score
    diff, lo, hi = stats.auroc_difference_delong(y, x, other)
    assert diff == pytest.approx(roc_auc_score(y, x) - roc_auc_score(y, other), abs=1e-12)
    assert lo < diff < hi
    _, alo, ahi = stats.auroc_delong(y, x)
    _, blo, bhi = stats.auroc_delong(y, other)
    assert hi - lo < ((ahi - alo) ** 2 + (bhi - blo) ** 2) ** 0.5
    assert stats.auroc_difference_delong(y, x, x) == pytest.approx((0.0, 0.0, 0.0), abs=1e-12)


def test_each_scorer_carries_the_models_paired_difference(result):
    cell = result.performance.query("outcome == 'raised_mma' and level == 'serum_b12'").set_index("scorer")
    assert np.isnan(cell.loc["model", "model_minus"]) and np.isnan(cell.loc["model", "weighted_minus"])
    serum = cell.loc["serum_b12"]
    assert serum["model_minus"] == pytest.approx(cell.loc["model", "auroc"] - serum["auroc"], abs=1e-12)
    assert serum["model_minus_lo"] < serum["model_minus"] < serum["model_minus_hi"]
    weighted = cell.loc["model", "auroc_weighted"] - serum["auroc_weighted"]
    assert serum["weighted_minus"] == pytest.approx(weighted, abs=1e-12)
    # 2011-2012's design: 14 masked strata, 31 PSUs among these adults
    assert serum["weighted_minus_se"] > 0 and serum["weighted_minus_df"] == 17


def _jackknife_by_hand(y, a, b, w, stratum, psu):
    """The delete-one-PSU jackknife written out with scikit-learn's weighted AUROC."""
    full = stats.weighted_auroc(y, a, w) - stats.weighted_auroc(y, b, w)
    var = 0.0
    for h in np.unique(stratum):
        units = np.unique(psu[stratum == h])
        for j in units:
            rw = np.where(stratum == h, w * len(units) / (len(units) - 1), w)
            rw[(stratum == h) & (psu == j)] = 0.0
            d = stats.weighted_auroc(y, a, rw) - stats.weighted_auroc(y, b, rw)
            var += (len(units) - 1) / len(units) * (d - full) ** 2
    return full, var**0.5


def test_the_design_based_difference_is_the_delete_one_psu_jackknife(scored):
    y, _p, x, w = scored
    rng = np.random.default_rng(5)
    other = np.round(x + rng.normal(scale=0.5, size=x.size), 1)  # ties, within and across scores
    stratum = rng.integers(0, 6, size=x.size)
    psu = rng.integers(0, 3, size=x.size)  # three PSUs per stratum
    stratum[stratum == 5] = 4  # uneven strata
    diff, se, df = stats.weighted_auroc_difference(y, x, other, w, stratum, psu)
    assert (diff, se) == pytest.approx(_jackknife_by_hand(y, x, other, w, stratum, psu), abs=1e-12)
    assert df == 5 * 3 - 5
    # a stratum with a single PSU cannot be resampled: it adds nothing, and no df
    psu1 = np.where(stratum == 0, 0, psu)
    _, se1, df1 = stats.weighted_auroc_difference(y, x, other, w, stratum, psu1)
    assert df1 == 4 * 3 - 4 and se1 != se
    assert np.isnan(stats.weighted_auroc_difference(y, x, other, w, stratum, np.zeros(x.size))[1])


def test_with_one_person_per_psu_the_jackknife_se_matches_delong(scored):
    """Unweighted and with every person a PSU the design is simple random sampling, where the
    jackknife and DeLong estimate the same variance (both are consistent); on 3,000 people
    they agree to a few percent (the jackknife's own relative error is about 1/sqrt(2 n))."""
    y, _p, x, _w = scored
    rng = np.random.default_rng(11)
    other = x + rng.normal(scale=0.5, size=x.size)
    diff, lo, hi = stats.auroc_difference_delong(y, x, other)
    wdiff, se, df = stats.weighted_auroc_difference(y, x, other, np.ones(x.size), np.zeros(x.size), np.arange(x.size))
    assert wdiff == pytest.approx(diff, abs=1e-12) and df == x.size - 1
    assert se == pytest.approx((hi - lo) / (2 * 1.959963984540054), rel=0.05)


def test_a_model_folder_is_measured_like_its_version(tmp_path):
    folder = ROOT / "models" / "b12risk-1.0.0"
    by_path = validate(str(folder), cycles=["2011-2012"], simulated_n=5_000)
    assert by_path.model_version == "1.0.0"
    with pytest.raises(
        ConfigError, match="model must be a LoadedModel, a version, 'latest' or a model folder; got int"
    ):
        validate(3, cycles=["2011-2012"])
