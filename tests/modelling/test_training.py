"""Training: config validation, the release gate, export, determinism."""

import dataclasses
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from b12risk import registry
from b12risk.errors import ConfigError, ModelIntegrityError, ReleaseGateError
from b12risk.knowledge import LEVELS
from b12risk.knowledge.schema import features, level_columns, to_model_frame
from b12risk.modelling import scorers
from b12risk.modelling.baselines import fit_baselines
from b12risk.modelling.training import Gate, evaluate, load_config, mask_rows, release_gate, train
from b12risk.simulation.cohort import simulate

TINY = Path(__file__).parents[1] / "data" / "tiny.toml"


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    root = tmp_path_factory.mktemp("models")
    result = train(TINY, root=root, version="0.1.0", force=True, progress=False)
    return root, result


def test_default_config_is_valid():
    cfg = load_config()
    assert set(cfg.cohort.levels) == set(LEVELS)
    assert cfg.gate.auroc_margin == 0.01 and (cfg.gate.slope_low, cfg.gate.slope_high) == (0.9, 1.1)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda c: c["cohort"].update(n=10), r"\[cohort\.n\] Input should be greater than or equal to 1000 \(got 10\)"),
        (lambda c: c["cohort"]["scenarios"].update(mars=0.1), r"\[cohort\] scenario 'mars' is not one of"),
        (lambda c: c["model"].update(learning_rate=0), r"\[model\.learning_rate\] Input should be greater than 0"),
        (lambda c: c["model"].update(depth=3), r"\[model\.depth\] Extra inputs are not permitted"),
        (lambda c: c["bands"].update(moderate=0.5), r"\[bands\] moderate \(0\.5\) must be below high \(0\.3\)"),
        (lambda c: c.update(version="one"), r"version"),
    ],
)
def test_bad_config_names_key_and_problem(change, message):
    import tomllib

    cfg = tomllib.loads(TINY.read_text())
    change(cfg)
    with pytest.raises(ConfigError, match=message):
        load_config(cfg)


def test_config_file_errors(tmp_path):
    with pytest.raises(ConfigError, match="no such config file"):
        load_config(tmp_path / "none.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[cohort\n")
    with pytest.raises(ConfigError, match=r"bad\.toml: not valid TOML"):
        load_config(bad)


def test_each_row_is_masked_to_its_own_level():
    df = simulate(400, seed=1, labs="survey")
    level = np.arange(400) % 4
    masked = mask_rows(df, level)
    for k, lv in enumerate(LEVELS):
        rows = masked[level == k]
        shown = set(level_columns(lv))
        for f in features():
            assert rows[f].notna().any() == (f in shown), (lv, f)


def _table(model_auc=0.95, oracle_auc=0.955, slope=1.0, intercept=0.0, guideline=0.9):
    rows = []
    for lv in ("serum_b12",):
        rows += [
            ("s", lv, "model", "auroc", model_auc),
            ("s", lv, "oracle", "auroc", oracle_auc),
            ("s", lv, "model", "cal_slope", slope),
            ("s", lv, "model", "cal_intercept", intercept),
            ("s", lv, "guideline", "auroc", guideline),
        ]
    return pd.DataFrame(rows, columns=["scenario", "level", "scorer", "metric", "estimate"]).assign(
        lo=np.nan, hi=np.nan
    )


GATE = Gate(auroc_margin=0.01, slope_low=0.9, slope_high=1.1, intercept_max=0.1)


@pytest.mark.parametrize(
    ("kwargs", "failed"),
    [
        ({}, []),
        ({"model_auc": 0.94}, [("AUROC vs oracle", 0.005)]),
        ({"slope": 0.85}, [("calibration slope", 0.05)]),
        ({"slope": 1.15, "intercept": -0.2}, [("calibration slope", 0.05), ("calibration intercept", 0.1)]),
        ({"guideline": 0.96}, [("AUROC vs guideline", 0.01)]),
    ],
)
def test_release_gate_lists_failed_cells_and_by_how_much(kwargs, failed):
    failures = release_gate(_table(**kwargs), GATE)
    assert [(f["check"], f["by"]) for f in failures] == [(c, pytest.approx(b, abs=1e-4)) for c, b in failed]


# --------------------------------------------------------------------------- the scorer table


class AgeRisk:
    """A stand-in model for the evaluation, which needs only ``predict_proba``: risk rises with age."""

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        p = 1.0 / (1.0 + np.exp(-(X["age"].to_numpy() - 60.0) / 15.0))
        return np.column_stack([1.0 - p, p])


@pytest.fixture(scope="module")
def small_config():
    """The tiny config, evaluated on one small scenario cohort (seconds, not minutes)."""
    cfg = load_config(TINY)
    small = {"n": 300, "max_n": 300, "scenarios": ["us_uk"], "n_boot": 10, "subgroup_rows": 1000, "curve_rows": 100}
    return cfg.model_copy(update={"evaluation": cfg.evaluation.model_copy(update=small)})


@pytest.fixture(scope="module")
def baseline_cohort():
    return simulate(3000, labs="survey", seed=8)


def _scorers_by_cell(table: pd.DataFrame) -> dict[str, list[str]]:
    return {level: list(dict.fromkeys(rows.scorer)) for level, rows in table.groupby("level", sort=False)}


def test_the_evaluation_compares_each_scorer_of_the_table_at_its_levels(small_config, baseline_cohort):
    tables = evaluate(AgeRisk(), fit_baselines(baseline_cohort), small_config)
    table = tables["metrics"]
    assert table.columns.tolist() == ["scenario", "level", "scorer", "metric", "estimate", "lo", "hi"]
    assert table.level.unique().tolist() == list(LEVELS)
    expected = {
        level: [
            n
            for n in scorers.TRAINING_SCORERS
            if not scorers.SCORERS[n].is_baseline or level in scorers.SCORERS[n].levels
        ]
        for level in LEVELS
    }
    assert _scorers_by_cell(table) == expected
    assert expected["full_panel"] == ["model", "oracle", "guideline", "cb12"]
    assert expected["risk_factors"] == ["model", "oracle", "risk_factor_score"]


def test_a_new_baseline_is_one_table_entry(small_config, baseline_cohort, monkeypatch):
    """An entry that reuses an existing estimator class under another name: fitted,
    evaluated at its levels after the others, and gated, with no other change."""
    copy = dataclasses.replace(scorers.SCORERS["guideline"], name="guideline_again")
    table = {**scorers.SCORERS, "guideline_again": copy}
    monkeypatch.setattr(scorers, "SCORERS", table)
    monkeypatch.setattr(scorers, "TRAINING_SCORERS", (*scorers.TRAINING_SCORERS, "guideline_again"))
    monkeypatch.setattr(scorers, "BASELINE_LEVELS", {**scorers.BASELINE_LEVELS, "guideline_again": copy.levels})

    tables = evaluate(AgeRisk(), fit_baselines(baseline_cohort), small_config)
    metrics = tables["metrics"]
    by_cell = _scorers_by_cell(metrics)
    for level in LEVELS:
        assert ("guideline_again" in by_cell[level]) == (level in copy.levels)
    assert by_cell["serum_b12"] == ["model", "oracle", "guideline", "guideline_again"]
    again, original = (
        metrics[metrics.scorer == name].drop(columns="scorer").reset_index(drop=True)
        for name in ("guideline_again", "guideline")
    )
    pd.testing.assert_frame_equal(again, original)
    assert {"guideline_again_p", "guideline_again_score"} <= set(tables["curves"].columns)

    checks = {
        (f["level"], f["check"])
        for f in release_gate(metrics, Gate(auroc_margin=0, slope_low=1, slope_high=1, intercept_max=0))
    }
    assert {c for lv, c in checks if lv == "serum_b12"} >= {"AUROC vs guideline", "AUROC vs guideline_again"}


def test_train_exports_a_verified_version_with_its_evaluation(trained):
    root, result = trained
    assert result.path == root / "b12risk-0.1.0"
    files = {p.name for p in result.path.iterdir()}
    assert {
        "model.skops",
        "metadata.json",
        "MODEL_CARD.md",
        "evaluation.csv",
        "evaluation.parquet",
        "evaluation.json",
        "subgroups.csv",
        "curves.parquet",
    } <= files
    report = registry.verify("0.1.0", root=root)
    assert report["ok"] and report["knowledge_fingerprint"]["matches"]
    meta = registry.describe("0.1.0", root=root)
    for key in (
        "schema",
        "config",
        "knowledge_fingerprint",
        "seeds",
        "metrics_summary",
        "risk_bands",
        "gate",
        "versions",
    ):
        assert key in meta
    table = pd.read_parquet(result.path / "evaluation.parquet")
    cells = table.groupby(["scenario", "level"]).size()
    assert len(cells) == 2 * len(LEVELS)
    assert {"model", "oracle", "guideline", "cb12", "risk_factor_score"} <= set(table.scorer)
    assert {
        "auroc",
        "auprc",
        "brier",
        "log_loss",
        "cal_slope",
        "cal_intercept",
        "ece",
        "sensitivity",
        "specificity",
    } <= set(table.metric)
    # percentile intervals; ECE is biased upwards under resampling, so it may sit below its own interval
    unbiased = table[table.metric != "ece"]
    assert (unbiased.lo <= unbiased.estimate + 1e-9).all() and (unbiased.estimate <= unbiased.hi + 1e-9).all()
    curves = pd.read_parquet(result.path / "curves.parquet")
    assert {"scenario", "level", "y", "model_p", "oracle_p"} <= set(curves.columns)
    assert curves.groupby(["scenario", "level"]).size().max() <= 4000
    sub = pd.read_csv(result.path / "subgroups.csv")
    assert {"age_band", "sex", "pregnant", "diet", "region"} <= set(sub.grouping)
    assert "not a diagnosis" in (result.path / "MODEL_CARD.md").read_text()


def test_versions_are_immutable(trained):
    root, _ = trained
    with pytest.raises(ModelIntegrityError, match="already exists"):
        train(TINY, root=root, version="0.1.0", force=True, progress=False)


def test_failing_gate_exports_nothing_without_force(tmp_path):
    import tomllib

    cfg = tomllib.loads(TINY.read_text())
    cfg["gate"]["auroc_margin"] = 0.0  # a tiny model cannot match the oracle exactly
    cfg["gate"]["slope_low"] = 0.999
    with pytest.raises(ReleaseGateError, match=r"release gate failed in \d+ check"):
        train(cfg, root=tmp_path, version="0.2.0", progress=False)
    assert not (tmp_path / "b12risk-0.2.0").exists()
    result = train(cfg, root=tmp_path, version="0.2.0", force=True, progress=False)
    assert not result.released and result.failures
    with pytest.raises(ModelIntegrityError):
        registry.load_model("latest", root=tmp_path)  # unreleased is never "latest"


def test_same_config_same_predictions(trained, tmp_path):
    root, _ = trained
    again = train(TINY, root=tmp_path, version="0.1.0", force=True, progress=False)
    X = to_model_frame(simulate(3000, scenario="antenatal", seed=99))
    first = registry.load_model("0.1.0", root=root).estimator.predict_proba(X)
    second = registry.load_model("0.1.0", root=tmp_path).estimator.predict_proba(X)
    np.testing.assert_array_equal(first, second)
    assert again.metadata["metrics_summary"] == trained[1].metadata["metrics_summary"]


def test_cli_train_and_models(tmp_path):
    exe = shutil.which("b12risk", path=str(Path(sys.executable).parent))
    res = subprocess.run(
        [exe, "train", "--config", str(TINY), "--models", str(tmp_path), "--version", "0.3.0", "--force", "-q"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert res.returncode in (0, 1), res.stderr
    assert "b12risk 0.3.0" in res.stdout and re.search(r"full_panel\s+0\.\d{4}\s+0\.\d{4}", res.stdout)
    listed = subprocess.run([exe, "models", "list", "--models", str(tmp_path)], capture_output=True, text=True)
    assert "0.3.0" in listed.stdout
    verified = subprocess.run(
        [exe, "models", "verify", "0.3.0", "--models", str(tmp_path)], capture_output=True, text=True
    )
    assert verified.returncode == 0 and "verified" in verified.stderr
    (tmp_path / "b12risk-0.3.0" / "evaluation.csv").write_text("tampered")
    bad = subprocess.run([exe, "models", "verify", "0.3.0", "--models", str(tmp_path)], capture_output=True, text=True)
    assert bad.returncode == 2 and "evaluation.csv" in bad.stderr


@pytest.mark.parametrize("scenario", ["us_uk", "africa_asia_high"])
def test_evaluation_cohorts_hold_enough_of_the_rarer_outcome(scenario):
    """Deficiency is rare in us_uk and nearly universal in africa_asia_high: the cohort grows
    until each outcome has min_events rows, and no further."""
    from b12risk.modelling.training.cohorts import _evaluation_cohort
    from b12risk.modelling.training.config import EvaluationConfig

    e = EvaluationConfig(n=200, min_events=300, max_n=30_000, seed=5, n_boot=10, threshold=0.2)
    y = _evaluation_cohort(scenario, e, seed=5)["true_deficient"].to_numpy()
    assert min(y.sum(), (~y).sum()) == 300  # the last row added is the 300th of the rarer outcome
    assert len(y) > 1000  # both scenarios need far more than n rows for that


def test_evaluation_cohorts_grow_until_the_calibration_intercept_is_precise_at_every_level():
    """With a full panel most rows are nearly certain, so a cohort with enough events can
    still hold little information about the calibration intercept: the cohort grows until
    the oracle's sum of p (1 - p) reaches min_information at every level, and no further."""
    from b12risk.modelling.training.cohorts import _evaluation_cohort
    from b12risk.modelling.training.config import EvaluationConfig
    from b12risk.simulation.oracle import oracle_probability

    by_events = EvaluationConfig(n=200, min_events=300, max_n=30_000, seed=5, n_boot=10, threshold=0.2)
    e = by_events.model_copy(update={"min_information": 300.0})
    small = _evaluation_cohort("gastro_clinic", by_events, seed=5)
    cohort = _evaluation_cohort("gastro_clinic", e, seed=5)
    assert len(cohort) > len(small)
    info = {level: oracle_probability(cohort, level) for level in LEVELS}
    info = {level: (p * (1 - p)).sum() for level, p in info.items()}
    assert min(info.values()) >= 300.0
    # the last row is the one that reached it at the least informative level: the full panel
    assert min(info, key=info.get) == "full_panel"
    p = oracle_probability(cohort.iloc[:-1], "full_panel")
    assert (p * (1 - p)).sum() < 300.0


# --------------------------------------------------------------------------- the posterior as target


def test_the_posterior_target_is_the_oracle_on_what_the_row_shows_before_risk_factors_are_hidden():
    """Each training row carries the oracle's probability for its level, computed with every
    risk factor: its mean matches the true status within sampling error (the tower property),
    and hiding risk factors afterwards leaves it as it was."""
    from b12risk.modelling.training.cohorts import training_cohort
    from b12risk.simulation.oracle import oracle_probability

    cfg = load_config(TINY)
    plain = cfg.model_copy(update={"cohort": cfg.cohort.model_copy(update={"n": 6000, "unknown_risk_factors": 0.0})})
    post = plain.model_copy(update={"cohort": plain.cohort.model_copy(update={"target": "posterior"})})
    hidden = post.model_copy(update={"cohort": post.cohort.model_copy(update={"unknown_risk_factors": 0.5})})
    a, b, c = training_cohort(plain), training_cohort(post), training_cohort(hidden)
    assert "posterior" not in a.columns
    pd.testing.assert_frame_equal(a, b.drop(columns="posterior"))  # the rows are the same ones
    np.testing.assert_allclose(b["posterior"], oracle_probability(a), rtol=0, atol=1e-12)
    np.testing.assert_array_equal(c["posterior"], b["posterior"])
    assert c[[f for f in features() if f in ("diet", "gastrectomy")]].isna().any().all()  # and some were hidden
    p, y = b["posterior"].to_numpy(), b["true_deficient"].to_numpy()
    se = np.sqrt(np.sum(p * (1 - p))) / len(p)
    assert abs(y.mean() - p.mean()) < 4 * se


def test_fitted_to_the_posterior_the_model_is_closer_to_the_oracle_than_fitted_to_labels():
    """The same rows, the same boosting: the posterior carries the same mean as the 0/1
    status with less noise, so the model lands nearer the oracle (mean KL divergence of
    the oracle's Bernoulli from the model's, on fresh rows at every level). One training
    run could win by luck, so it must win on each of three training cohorts."""
    from b12risk.modelling.training.cohorts import training_cohort
    from b12risk.modelling.training.fit import _fit
    from b12risk.simulation.oracle import oracle_probability

    cfg = load_config(TINY)
    # no recalibration: the comparison is of the boosting itself
    cfg = cfg.model_copy(
        update={
            "calibration": cfg.calibration.model_copy(
                update={"rows": 2000, "slope_tolerance": 10.0, "intercept_tolerance": 10.0}
            )
        }
    )
    fresh = simulate(6000, scenario="us_uk", labs="survey", seed=99)
    test = mask_rows(fresh, np.random.default_rng(99).integers(0, len(LEVELS), len(fresh)))
    q = np.clip(oracle_probability(test), 1e-9, 1 - 1e-9)
    kl = {}
    for seed in (1, 2, 3):
        for target in ("truth", "posterior"):
            c = cfg.model_copy(
                update={"cohort": cfg.cohort.model_copy(update={"n": 8000, "seed": seed, "target": target})}
            )
            model, info = _fit(c, training_cohort(c), progress=False)
            assert info["train_rows"] == 8000 and "correction" not in info
            p = np.clip(model.predict_proba(to_model_frame(test))[:, 1], 1e-9, 1 - 1e-9)
            kl[seed, target] = np.mean(q * np.log(q / p) + (1 - q) * np.log((1 - q) / (1 - p)))
    assert all(kl[seed, "posterior"] < kl[seed, "truth"] for seed in (1, 2, 3)), kl
