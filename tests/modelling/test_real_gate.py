"""The release gate on real patients: criteria (a)-(c) on an ExternalValidation-like table, at their boundaries."""

import json
import math
import tomllib
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from b12risk.errors import ConfigError
from b12risk.modelling.training import Gate, load_config, train
from b12risk.modelling.training import run as training_run
from b12risk.modelling.training.config import default_config_path
from b12risk.modelling.training.gate import gate_report
from b12risk.modelling.training.real_gate import (
    FAILURE_KEYS,
    NOT_MEASURED,
    NOTES_KEY,
    real_data_checks,
    real_data_gate,
    real_gate_record,
)

TINY = Path(__file__).parents[1] / "data" / "tiny.toml"
GATE = Gate(auroc_margin=0.01, slope_low=0.9, slope_high=1.1, intercept_max=0.1, real_data=True)
Z95 = 1.959963984540054  # the quantile of the validation's DeLong intervals


def only(group):
    """The gate judging one cycle group."""
    return GATE.model_copy(update={"real_groups": [group]})


def _validation(
    groups=("2001-2004", "2011-2012"),
    *,
    model_w=0.78,
    serum_w=0.75,
    guideline_w=0.70,
    diff=0.01,
    se=0.02,
    wse=0.005,
    wdf=30,
    prevalence=0.01,
    predicted=0.01,
    notes_predicted=None,
    drop=(),
):
    """A validation whose every check passes by default; keyword arguments move one figure."""
    rows = []
    for g in groups:
        cell = {"group": g, "n": 8000, "events": 400, "prevalence": 0.05}
        rows += [
            {**cell, "outcome": "raised_mma", "level": "serum_b12", "scorer": "model", "auroc": 0.77}
            | {"auroc_weighted": model_w, "predicted": 0.02, "oe": 2.5},
            {**cell, "outcome": "raised_mma", "level": "serum_b12", "scorer": "serum_b12", "auroc": 0.76}
            | {"auroc_weighted": serum_w, "predicted": np.nan, "oe": np.nan},
            {**cell, "outcome": "raised_mma", "level": "serum_b12", "scorer": "guideline", "auroc": 0.69}
            | {"auroc_weighted": guideline_w, "predicted": 0.08, "oe": 0.6},
        ]
        cell = {"group": g, "n": 8000, "events": 400, "prevalence": prevalence}
        rows.append(
            {**cell, "outcome": "raised_mma", "level": "risk_factors", "scorer": "model", "auroc": 0.68}
            | {"auroc_weighted": 0.68, "predicted": predicted, "oe": prevalence / predicted}
        )
        cell = {"group": g, "n": 9000, "events": 98, "prevalence": 0.01}
        rows += [
            {**cell, "outcome": "low_b12_raised_mma", "level": "risk_factors", "scorer": "model", "auroc": 0.70}
            | {"auroc_weighted": 0.72, "predicted": 0.01, "oe": 1.0},
            {**cell, "outcome": "low_b12_raised_mma", "level": "risk_factors", "scorer": "real_cv"}
            | {"auroc": 0.70 - diff, "auroc_weighted": 0.70, "predicted": 0.01, "oe": 1.0},
        ]
    perf = pd.DataFrame(rows).assign(model_minus=np.nan, model_minus_lo=np.nan, model_minus_hi=np.nan)
    # (a)'s survey-weighted differences with their design-based SEs, as the validation gives them
    perf = perf.assign(weighted_minus=np.nan, weighted_minus_se=np.nan, weighted_minus_df=0)
    for scorer, other_w in (("serum_b12", serum_w), ("guideline", guideline_w)):
        at = (perf.scorer == scorer) & (perf.outcome == "raised_mma")
        perf.loc[at, ["weighted_minus", "weighted_minus_se", "weighted_minus_df"]] = [model_w - other_w, wse, wdf]
    real_cv = perf.scorer == "real_cv"
    perf.loc[real_cv, "model_minus"] = diff
    perf.loc[real_cv, "model_minus_lo"] = diff - Z95 * se
    perf.loc[real_cv, "model_minus_hi"] = diff + Z95 * se
    perf = perf.assign(auroc_lo=perf.auroc - 0.02, auroc_hi=perf.auroc + 0.02)
    for group, scorer in drop:
        perf = perf[~((perf.group == group) & (perf.scorer == scorer))]
    notes = {"cycles": ["2001-2002", "2003-2004", "2011-2012"], "seed": 0, "simulated_n": 200_000}
    if notes_predicted is not None:
        notes[NOTES_KEY] = [
            {"group": g, "outcome": "raised_mma", "level": lv, "n": 8000, "events": 400}
            | {"observed": prevalence, "predicted": p, "oe": prevalence / p}
            for g in groups
            for lv, p in (("risk_factors", predicted), ("serum_b12", notes_predicted))
        ]
    return SimpleNamespace(performance=perf, notes=notes, model_version="2.0.0", marginals=pd.DataFrame())


def _failed(validation, gate=GATE):
    return [(f["scenario"], f["level"], f["check"]) for f in real_data_gate(validation, gate)]


def test_a_validation_meeting_every_criterion_passes():
    checks = real_data_checks(_validation(), GATE)
    assert [c["check"] for c in checks[:4]] == [
        "raised_mma: AUROC vs serum_b12",
        "raised_mma: AUROC vs guideline",
        "low_b12_raised_mma: AUROC vs real_cv",
        "raised_mma: O/E",
    ]
    assert [c["check"] for c in checks[-2:]] == [
        "raised_mma: AUROC vs serum_b12, groups combined",
        "raised_mma: AUROC vs guideline, groups combined",
    ]
    assert len(checks) == 10 and all(c["passed"] and c["gated"] and c["by"] is None for c in checks)
    assert real_data_gate(_validation(), GATE) == []


T30 = 2.0422724563012378  # scipy.stats.t.ppf(0.975, 30)


# (a) in one group: the survey-weighted difference's 95% interval must reach 0 (not contradicted)
@pytest.mark.parametrize(
    ("model_w", "passes"),
    [
        (0.75, True),  # a tie is not contradicted in one group; the combined line judges the gain
        (0.75 - T30 * 0.005, True),  # the upper bound exactly 0
        (0.75 - T30 * 0.005 - 1e-4, False),
        (0.70, False),
    ],
)
def test_a_in_each_group_the_interval_must_reach_zero(model_w, passes):
    checks = real_data_checks(_validation(groups=("2011-2012",), model_w=model_w, guideline_w=0.60), only("2011-2012"))
    (line,) = [c for c in checks if c["check"] == "raised_mma: AUROC vs serum_b12"]
    assert line["passed"] is passes and line["allowed"] == pytest.approx(-T30 * 0.005, abs=1e-6)
    assert ("point estimate above 0" in line["detail"]) is (model_w > 0.75)


def test_a_by_is_how_far_the_interval_falls_short_of_zero():
    validation = _validation(groups=("2001-2004",), model_w=0.70, guideline_w=0.60)
    failures = real_data_gate(validation, only("2001-2004"))
    (failure,) = [f for f in failures if f["check"] == "raised_mma: AUROC vs serum_b12"]
    assert failure["by"] == pytest.approx(0.05 - T30 * 0.005, abs=1e-6)
    assert "model 0.7000, serum_b12 0.7500: difference -0.0500" in failure["detail"]


def test_a_with_the_groups_combined_is_gated_by_inverse_variance_and_satterthwaite():
    # 2001-2004: +0.010 with SE 0.005 on 30 df; 2011-2012: -0.004 with SE 0.010 on 17 df.
    # Weights 40,000 and 10,000 (shares 0.8, 0.2): combined (400 - 40) / 50,000 = +0.0072;
    # variance 0.8^2 * 0.005^2 + 0.2^2 * 0.010^2 = 1.6e-5 + 4e-6 = 2e-5 (SE 0.004472);
    # Satterthwaite df (2e-5)^2 / ((1.6e-5)^2 / 30 + (4e-6)^2 / 17) = 42.2.
    from scipy.stats import t

    validation = _validation()
    perf = validation.performance
    for group, diff, se, df in (("2001-2004", 0.010, 0.005, 30), ("2011-2012", -0.004, 0.010, 17)):
        rows = (perf.group == group) & (perf.scorer == "serum_b12")
        perf.loc[rows, ["weighted_minus", "weighted_minus_se", "weighted_minus_df"]] = [diff, se, df]
    df = (2e-5) ** 2 / ((1.6e-5) ** 2 / 30 + (4e-6) ** 2 / 17)
    half = t.ppf(0.975, df) * math.sqrt(2e-5)
    combined = next(c for c in real_data_checks(validation, GATE) if c["check"].endswith("serum_b12, groups combined"))
    assert combined["scenario"] == "NHANES 2001-2004 + 2011-2012" and combined["gated"]
    assert combined["value"] == pytest.approx(0.0072) and combined["allowed"] == pytest.approx(half, abs=1e-6)
    assert not combined["passed"] and combined["by"] == pytest.approx(half - 0.0072, abs=1e-6)
    assert f"SE 0.0045 on {df:.1f} df, 95% CI {0.0072 - half:+.4f} to {0.0072 + half:+.4f}" in combined["detail"]
    # each group's interval reaches 0, so the combined line is the only failure
    assert _failed(validation) == [
        ("NHANES 2001-2004 + 2011-2012", "serum_b12", "raised_mma: AUROC vs serum_b12, groups combined")
    ]
    # the same gain measured twice as precisely passes
    perf.loc[perf.scorer == "serum_b12", "weighted_minus_se"] /= 2
    assert _failed(validation) == []


def test_a_without_a_design_based_se_is_not_measured():
    validation = _validation()
    perf = validation.performance
    perf.loc[(perf.group == "2011-2012") & (perf.scorer == "serum_b12"), "weighted_minus_se"] = np.nan
    failures = real_data_gate(validation, GATE)
    assert [(f["scenario"], f["check"], f["by"]) for f in failures] == [
        ("NHANES 2011-2012", "raised_mma: AUROC vs serum_b12", None),
        ("NHANES 2001-2004 + 2011-2012", "raised_mma: AUROC vs serum_b12, groups combined", None),
    ]
    assert failures[-1]["detail"].startswith("not measured")


# (b) not below the real-data CV model by more than 1.96 paired standard errors (unweighted AUROC)
@pytest.mark.parametrize(
    ("diff", "se", "margin_se", "passes"),
    [
        (0.0, 0.02, 1.96, True),
        (-1.96 * 0.02, 0.02, 1.96, True),  # exactly on the boundary
        (-1.96 * 0.02 - 1e-6, 0.02, 1.96, False),
        (-0.01, 0.02, 0.0, False),  # no margin: strictly at least as well
        (0.0, 0.02, 0.0, True),
        (-0.001, math.nan, 1.96, False),  # no paired interval: no margin
    ],
)
def test_b_from_risk_factors_the_model_ranks_at_least_as_well_as_the_real_data_model(diff, se, margin_se, passes):
    gate = only("2001-2004").model_copy(update={"real_auroc_margin_se": margin_se})
    checks = real_data_checks(_validation(groups=("2001-2004",), diff=diff, se=se), gate)
    (check,) = [c for c in checks if c["scorer"] == "real_cv"]
    assert check["passed"] is passes
    assert check["allowed"] == pytest.approx(-margin_se * se if math.isfinite(se) else 0.0, abs=1e-6)
    if not passes:
        assert check["by"] == pytest.approx(check["allowed"] - diff, abs=1e-6) and check["by"] > 0


# (c) observed / expected within a factor 1.5, boundaries included
@pytest.mark.parametrize(
    ("prevalence", "predicted", "passes"),
    [
        (0.01, 0.01, True),
        (0.015, 0.01, True),  # O/E exactly 1.5
        (0.01, 0.015, True),  # O/E exactly 1 / 1.5
        (0.015001, 0.01, False),
        (0.01, 0.015001, False),
        (0.0586, 0.0220, False),  # 1.0.0 in 2001-2004: O/E 2.66
    ],
)
def test_c_calibration_in_the_large_within_a_factor(prevalence, predicted, passes):
    validation = _validation(groups=("2011-2012",), prevalence=prevalence, predicted=predicted)
    checks = real_data_checks(validation, only("2011-2012"))
    (check,) = [c for c in checks if c["check"].endswith("O/E")]
    assert (check["level"], check["outcome"], check["passed"]) == ("risk_factors", "raised_mma", passes)
    if not passes:
        off = max(prevalence / predicted, predicted / prevalence)
        assert check["by"] == pytest.approx(off - 1.5, abs=1e-6)


def test_c_factor_is_a_setting():
    validation = _validation(groups=("2011-2012",), prevalence=0.0586, predicted=0.0220)
    assert real_data_gate(validation, only("2011-2012").model_copy(update={"real_calibration_factor": 2.7})) == []
    assert len(real_data_gate(validation, only("2011-2012"))) == 1


def test_c_at_serum_b12_is_reported_from_the_notes_not_gated():
    validation = _validation(groups=("2001-2004",), notes_predicted=0.05)  # O/E 0.2 at serum_b12
    checks = real_data_checks(validation, only("2001-2004"))
    (reported,) = [c for c in checks if not c["gated"]]
    assert (reported["level"], reported["passed"], reported["value"]) == ("serum_b12", False, pytest.approx(0.2))
    assert real_data_gate(validation, only("2001-2004")) == []


def test_what_was_not_measured_fails_with_no_by():
    validation = _validation(groups=("2001-2004",), drop=[("2001-2004", "guideline")])
    failures = real_data_gate(validation, GATE)
    assert [(f["check"], f["by"]) for f in failures] == [
        ("raised_mma: AUROC vs guideline", None),  # and 2011-2012 wholly missing:
        *[(c, None) for c in ("raised_mma: AUROC vs serum_b12", "raised_mma: AUROC vs guideline")],
        ("low_b12_raised_mma: AUROC vs real_cv", None),
        ("raised_mma: O/E", None),
        # and without 2011-2012 neither comparison can be combined
        *[
            (c + ", groups combined", None)
            for c in ("raised_mma: AUROC vs serum_b12", "raised_mma: AUROC vs guideline")
        ],
    ]
    assert failures[0]["detail"] == "not measured: no row of guideline for raised_mma at serum_b12"
    assert {f["scenario"] for f in failures[1:5]} == {"NHANES 2011-2012"}
    assert len(real_data_gate(None, GATE)) == 4 * len(GATE.real_groups) + 2
    assert len(real_data_gate(SimpleNamespace(performance=pd.DataFrame(), notes={}), GATE)) == 10


def test_failures_have_the_release_gates_shape_and_are_canonical_json():
    validation = _validation(model_w=math.nan, diff=-0.5, predicted=0.05)
    failures = real_data_gate(validation, GATE)
    assert failures and all(tuple(f) == FAILURE_KEYS for f in failures)
    assert all(f["scenario"].startswith("NHANES ") for f in failures)
    record = real_gate_record(validation, GATE, seconds=12.34)
    json.dumps(record, allow_nan=False)  # the registry's metadata digest refuses NaN
    assert (record["required"], record["measured"], record["passed"], record["seconds"]) == (True, True, False, 12.3)
    assert record["cycles"] == ["2001-2002", "2003-2004", "2011-2012"] and record["model_version"] == "2.0.0"
    report = gate_report([*failures, *real_data_gate(None, GATE)[:1]])
    assert "NHANES 2001-2004" in report and "by     n/a" in report


def test_record_when_the_real_data_gate_is_off():
    gate = GATE.model_copy(update={"real_data": False})
    assert real_gate_record(_validation(), gate) == {"required": False, "measured": False, "passed": None, "checks": []}


# --------------------------------------------------------------------------- config


def test_the_default_config_turns_the_real_data_gate_on_and_older_configs_leave_it_off():
    gate = load_config().gate
    assert gate.real_data and gate.real_groups == ["2001-2004", "2011-2012"]
    assert (gate.real_auroc_margin_se, gate.real_calibration_factor) == (1.96, 1.5)
    assert "real_data = true" in default_config_path().read_text()
    assert not load_config(TINY).gate.real_data  # a config without the keys means what it meant


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"real_calibration_factor": 0.9},
            r"\[gate\.real_calibration_factor\] Input should be greater than or equal to 1",
        ),
        ({"real_auroc_margin_se": -1.0}, r"\[gate\.real_auroc_margin_se\] Input should be greater than or equal to 0"),
        ({"real_groups": ["2001-04"]}, r"\[gate\.real_groups\] cycle group '2001-04' is not of the form '2001-2004'"),
        ({"real_groups": []}, r"\[gate\.real_groups\] List should have at least 1 item"),
        ({"real_groups": ["2011-2012", "2011-2012"]}, r"must not repeat"),
        ({"real_data": 1}, r"\[gate\.real_data\] Input should be a valid boolean"),
    ],
)
def test_bad_real_gate_settings_name_key_and_problem(change, message):
    cfg = tomllib.loads(TINY.read_text())
    cfg["gate"].update(change)
    with pytest.raises(ConfigError, match=message):
        load_config(cfg)


# --------------------------------------------------------------------------- wiring in train()


def test_train_measures_the_candidate_and_gates_on_it(tmp_path):
    cfg = tomllib.loads(TINY.read_text())
    cfg["gate"].update(real_data=True, real_simulated_n=5000, real_seed=3)
    seen = {}

    def measure(candidate, *, simulated_n, seed):
        seen.update(candidate=candidate, simulated_n=simulated_n, seed=seed)
        return _validation(model_w=0.70)  # fails (a) against serum B12 and the guideline

    result = train(cfg, root=tmp_path, version="0.4.0", force=True, progress=False, real_data=measure)
    candidate = seen["candidate"]
    assert (seen["simulated_n"], seen["seed"], candidate.version, candidate.released) == (5000, 3, "0.4.0", False)
    assert candidate.estimator.predict_proba  # the fitted model, before it is saved
    real = [f for f in result.failures if f["scenario"].startswith("NHANES")]
    assert len(real) == 4 and not result.released
    gate = result.metadata["gate"]
    assert gate["failures"] == result.failures and gate["criteria"]["real_data"] is True
    assert gate["real_data"]["measured"] and not gate["real_data"]["passed"] and gate["real_data"]["seconds"] >= 0
    assert result.real_data is not None
    saved = json.loads((result.path / "metadata.json").read_text())
    assert saved["gate"]["real_data"]["checks"] == gate["real_data"]["checks"]
    assert "## Real patients (NHANES)" in (result.path / "MODEL_CARD.md").read_text()


def test_a_required_real_data_gate_without_a_measurement_fails_as_not_measured():
    cfg = load_config(TINY)
    on = cfg.model_copy(update={"gate": cfg.gate.model_copy(update={"real_data": True})})
    validation, record = training_run._measure_real(on, None, {}, "0.5.0", None, None)
    assert validation is None and record["required"] and not record["measured"] and not record["passed"]
    assert len(record["checks"]) == 10 and all(c["detail"] == NOT_MEASURED for c in record["checks"])

    def never(*args, **kwargs):
        raise AssertionError("the real-data gate is off: nothing to measure")

    validation, record = training_run._measure_real(cfg, None, {}, "0.5.0", None, never)
    assert validation is None and record == {"required": False, "measured": False, "passed": None, "checks": []}
