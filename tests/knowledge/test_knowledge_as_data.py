"""Knowledge as data: a threshold changed in a copy of seeds/ changes what the simulator does,
a parameter missing from seeds/ is refused when the seeds are read, naming file and key,
and a new biomarker is an entry in the seeds, not code."""

import dataclasses
import math
import re
import shutil

import numpy as np
import pytest

from b12risk.errors import KnowledgeError
from b12risk.knowledge import EQUATIONS, load, measurement_keys, seeds_dir
from b12risk.knowledge.schema import features
from b12risk.simulation import cohort, oracle, structural
from b12risk.simulation.biomarkers import EQUATION_CLASSES


@pytest.fixture
def seeds_copy(tmp_path):
    folder = tmp_path / "seeds"
    shutil.copytree(seeds_dir(), folder)
    return folder


def edit(path, pattern: str, replacement: str) -> None:
    text = path.read_text()
    new, count = re.subn(pattern, replacement, text, count=1, flags=re.MULTILINE)
    assert count == 1, pattern
    path.write_text(new)


def test_the_deficiency_threshold_is_read_from_the_seeds(seeds_copy):
    edit(seeds_copy / "measurement.toml", r"^deficient_below = \{ value = 148\.0", "deficient_below = { value = 200.0")
    kb = load(seeds_copy)
    n = 20_000
    df = cohort.simulate(n, scenario="us_uk", labs="survey", seed=11, kb=kb)
    assert (df["true_deficient"] == (df["true_b12_pmol_l"] < 200.0)).all()
    default = cohort.simulate(n, scenario="us_uk", labs="survey", seed=11)
    assert df["true_deficient"].mean() > default["true_deficient"].mean() + 0.05
    # The oracle follows: its mean posterior matches the new truth within 4 standard errors.
    p = oracle.oracle_probability(df, level="risk_factors", kb=kb)
    share = df["true_deficient"].mean()
    assert abs(p.mean() - share) < 4 * math.sqrt(share * (1 - share) / n)


def test_the_serum_cut_off_of_the_mma_reflex_is_read_from_the_seeds(seeds_copy):
    edit(
        seeds_copy / "biomarkers.toml",
        r'^deficient = \{ value = 148\.0, unit = "pmol/L"',
        'deficient = { value = 100.0, unit = "pmol/L"',
    )
    n = 60_000
    moved = cohort.simulate(n, scenario="older_adults", labs="clinical", seed=4, kb=load(seeds_copy))
    default = cohort.simulate(n, scenario="older_adults", labs="clinical", seed=4)

    def mma_share(df):
        rows = df["serum_b12_pmol_l"].between(100.0, 147.9)
        return df.loc[rows, "mma_umol_l"].notna().mean(), int(rows.sum())

    (now, n_now), (before, n_before) = mma_share(moved), mma_share(default)
    assert min(n_now, n_before) > 300
    assert now > before + 4 * math.sqrt(0.25 / n_now + 0.25 / n_before)  # 100-148 is now 'borderline': reflexed


@pytest.mark.parametrize(
    ("section", "key"), [("mma", "sd"), ("latent", "deficient_below"), ("missingness", "reflex_upper")]
)
def test_a_missing_parameter_is_refused_at_load_naming_file_and_key(seeds_copy, section, key):
    path = seeds_copy / "measurement.toml"
    head, _, rest = path.read_text().partition(f"\n[{section}]\n")
    rest = re.sub(rf"^{re.escape(key)} = .*\n", "", rest, count=1, flags=re.MULTILINE)
    path.write_text(f"{head}\n[{section}]\n{rest}")
    with pytest.raises(
        KnowledgeError, match=rf"measurement\.toml: \[{section}\] is missing '{key}' .*add it as \{{ value"
    ):
        load(seeds_copy)


def test_the_declared_parameters_are_the_ones_the_simulator_and_oracle_read(monkeypatch):
    kb = load()
    seen: set[str] = set()

    class Recording(dict):
        def __getitem__(self, key):
            seen.add(key)
            return dict.__getitem__(self, key)

    m = structural.model(kb)
    recorded = dataclasses.replace(m, p=Recording(m.p))
    monkeypatch.setattr(cohort, "model", lambda kb=None: recorded)
    monkeypatch.setattr(oracle, "model", lambda kb=None: recorded)
    for scenario in ("us_uk", "antenatal", "gastro_clinic", "africa_asia_high"):
        for labs in ("clinical", "survey"):
            df = cohort.simulate(2000, scenario=scenario, labs=labs, seed=1)
            for level in ("risk_factors", "symptoms", "serum_b12", "full_panel"):
                oracle.oracle_probability(df, level=level)
    declared = {f"{s}.{k}" for s, keys in measurement_keys(kb.biomarkers, optional=True).items() for k in keys}
    read_from_measurement = {k for k in seen if k.split(".")[0] in kb.measurement_keys}
    assert read_from_measurement <= declared
    # read once when the model is compiled, not per row; optional ones the seeds leave out are never read
    assert declared - read_from_measurement == {
        "latent.deficient_below",
        "missingness.fbc_risk_factor",
    }
    assert m.deficient_below == 148.0 and m.log_deficient == np.log(148.0)


def test_every_declared_equation_has_one_class_and_back():
    assert set(EQUATIONS) == set(EQUATION_CLASSES)
    used = {b.simulated.equation for b in load().biomarkers.values() if b.simulated}
    assert used == set(EQUATIONS)


def test_an_unknown_equation_is_refused_at_load(seeds_copy):
    edit(seeds_copy / "biomarkers.toml", r'^equation = "marker_rise"', 'equation = "marker_fall"')
    with pytest.raises(
        KnowledgeError, match=r"biomarkers\.toml: \[mma\.simulated\.equation\] 'marker_fall' is not one of"
    ):
        load(seeds_copy)


# A second MMA-like metabolite (2-methylcitric acid rises in B12 deficiency too), added as
# seed data only: its biomarker entry with the equation it follows, and its parameters.
NEW_BIOMARKER = """
[mca]
column = "mca_umol_l"
unit = "umol/L"
level = "full_panel"
label_en = "2-methylcitric acid"
label_ar = "حمض 2-ميثيل الستريك"
plausible = { low = 0.01, high = 50.0, unit = "umol/L", source = "test" }
training_range = { low = 0.05, high = 5.0, unit = "umol/L", source = "test" }
source = "test"

[mca.thresholds]
raised = { value = 0.35, unit = "umol/L", source = "test" }

[mca.simulated]
equation = "marker_rise"
parameters = "mca"
ordering = { test = "b12", share = "hcy_given_b12" }
"""
NEW_PARAMETERS = """
[mca]
median = { value = 0.15, unit = "umol/L", source = "test" }
sd = { value = 0.30, unit = "log umol/L", source = "test" }
age_slope = { value = 0.004, unit = "log umol/L per year", source = "test" }
egfr_slope = { value = -0.5, unit = "log umol/L per log(eGFR/90)", source = "test" }
deficiency_onset = { value = 180.0, unit = "pmol/L", source = "test" }
deficiency_slope = { value = 1.4, unit = "log umol/L per log pmol/L below onset", source = "test" }
"""


@pytest.fixture
def seeds_with_new_biomarker(seeds_copy):
    with (seeds_copy / "biomarkers.toml").open("a") as fh:
        fh.write(NEW_BIOMARKER)
    with (seeds_copy / "measurement.toml").open("a") as fh:
        fh.write(NEW_PARAMETERS)
    return load(seeds_copy)


def test_a_new_biomarker_is_seed_data_only(seeds_with_new_biomarker):
    kb = seeds_with_new_biomarker
    feature = features(kb)["mca_umol_l"]
    assert (feature.level, feature.unit, feature.group) == ("full_panel", "umol/L", "labs")

    n = 20_000
    df = cohort.simulate(n, scenario="older_adults", labs="survey", seed=5, kb=kb)
    default = cohort.simulate(n, scenario="older_adults", labs="survey", seed=5)
    # Drawn after every other marker: the rest of the cohort is unchanged.
    assert df.drop(columns="mca_umol_l").equals(default)
    # It rises with deficiency, as its equation says.
    rho = np.corrcoef(np.log(df["mca_umol_l"]), np.log(df["true_b12_pmol_l"]))[0, 1]
    assert rho < -0.2

    # The oracle weighs it: with the new marker the posterior is closer to the truth.
    y = df["true_deficient"].to_numpy()
    with_it = oracle.oracle_probability(df, level="full_panel", kb=kb)
    without = oracle.oracle_probability(df.assign(mca_umol_l=np.nan), level="full_panel", kb=kb)
    assert np.mean((with_it - y) ** 2) < np.mean((without - y) ** 2)
    share = y.mean()
    assert abs(with_it.mean() - share) < 4 * math.sqrt(share * (1 - share) / n)


def test_a_new_biomarker_follows_its_ordering_rule_in_clinical_mode(seeds_with_new_biomarker):
    n = 40_000
    df = cohort.simulate(n, scenario="older_adults", labs="clinical", seed=6, kb=seeds_with_new_biomarker)
    b12_ordered = df["serum_b12_pmol_l"].notna()
    assert not df.loc[~b12_ordered, "mca_umol_l"].notna().any()
    share = df.loc[b12_ordered, "mca_umol_l"].notna().mean()
    expected = seeds_with_new_biomarker.param("missingness", "hcy_given_b12")
    assert abs(share - expected) < 4 * math.sqrt(expected * (1 - expected) / b12_ordered.sum())


def test_a_new_biomarker_without_its_parameters_is_refused_at_load(seeds_copy):
    with (seeds_copy / "biomarkers.toml").open("a") as fh:
        fh.write(NEW_BIOMARKER)
    with pytest.raises(KnowledgeError, match=r"measurement\.toml: \[mca\] is missing 'median'"):
        load(seeds_copy)


def test_pregnancy_is_drawn_only_where_the_seeds_allow_it(seeds_copy):
    edit(
        seeds_copy / "causes.toml",
        r"^simulated_age = \{ low = 18\.0, high = 45\.0",
        "simulated_age = { low = 18.0, high = 35.0",
    )
    df = cohort.simulate(30_000, scenario="antenatal", labs="survey", seed=2, kb=load(seeds_copy))
    pregnant = df["pregnant"].astype(bool)
    assert pregnant.any()
    assert df.loc[pregnant, "age"].max() <= 35
    assert (df.loc[pregnant, "sex"].astype(str) == "female").all()
    default = cohort.simulate(30_000, scenario="antenatal", labs="survey", seed=2)
    assert default.loc[default["pregnant"].astype(bool), "age"].max() > 35


def test_the_age_up_to_which_predict_accepts_pregnancy_is_read_from_the_seeds(seeds_copy):
    from b12risk.errors import InvalidPatientError
    from b12risk.validation import validate

    patient = {"age": 55, "sex": "female", "pregnant": True}
    validate(patient)  # accepted up to 60 in the shipped seeds
    edit(
        seeds_copy / "causes.toml",
        r"^plausible_age = \{ low = 10\.0, high = 60\.0",
        "plausible_age = { low = 10.0, high = 50.0",
    )
    with pytest.raises(InvalidPatientError, match="pregnancy is accepted up to age 50"):
        validate(patient, kb=load(seeds_copy))
