"""Knowledge as data: a threshold changed in a copy of seeds/ changes what the simulator does,
and a parameter missing from seeds/ is refused when the seeds are read, naming file and key."""

import dataclasses
import math
import re
import shutil

import numpy as np
import pytest

from b12risk.errors import KnowledgeError
from b12risk.knowledge import MEASUREMENT_KEYS, load, seeds_dir
from b12risk.simulation import cohort, oracle, structural


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
    declared = {f"{s}.{k}" for s, keys in MEASUREMENT_KEYS.items() for k in keys}
    read_from_measurement = {k for k in seen if k.split(".")[0] in MEASUREMENT_KEYS}
    assert read_from_measurement <= declared
    # read once when the model is compiled, not per row
    assert declared - read_from_measurement == {"latent.deficient_below"}
    assert m.deficient_below == 148.0 and m.log_deficient == np.log(148.0)
