"""Fitted values go back into seeds/ as sourced entries, and nothing else in the files changes."""

import difflib
import shutil

import pytest

from b12risk.errors import KnowledgeError
from b12risk.knowledge import load, seeds_dir
from b12risk.knowledge.write import write_overrides

FITTED = {
    "measurement": {
        "latent": {
            "sd": {"value": 0.412345678, "unit": "log pmol/L", "source": "fit"},
            "region_median": {"us_uk": {"value": 301.23456, "unit": "pmol/L", "source": "fit"}},
        }
    },
    "scenarios": {
        "us_uk": {"prevalence": {"ppi": {"value": 0.07, "unit": "fraction", "source": "fit", "per_decade": 0.3}}}
    },
}


@pytest.fixture
def seeds(tmp_path):
    folder = tmp_path / "seeds"
    shutil.copytree(seeds_dir(), folder)
    return folder


def test_written_values_load_back_rounded_to_four_significant_digits(seeds):
    written = write_overrides(FITTED, seeds)
    assert sorted(p.name for p in written) == ["measurement.toml", "scenarios.toml"]
    kb = load(seeds)
    assert kb.param("latent", "sd") == 0.4123
    assert kb.param("latent", "region_median.us_uk") == 301.2
    ppi = kb.scenarios["us_uk"].prevalence["ppi"]
    assert (ppi.value, ppi.per_decade, ppi.source) == (0.07, 0.3, "fit")
    # what overrides give is what the written seeds give, up to the rounding
    assert load(overrides=FITTED).param("latent", "sd") == pytest.approx(0.4123, abs=5e-5)


def test_only_the_written_entries_change(seeds):
    before = (seeds / "measurement.toml").read_text(encoding="utf-8").splitlines()
    write_overrides({"measurement": FITTED["measurement"]}, seeds)
    after = (seeds / "measurement.toml").read_text(encoding="utf-8").splitlines()
    changed = [line for line in difflib.unified_diff(before, after, lineterm="", n=0) if line[:1] in "+-"]
    changed = [line for line in changed if not line.startswith(("+++", "---"))]
    assert len(changed) == 4  # two entries, each one line out and one line in
    assert all(line.lstrip("+-").startswith(("sd = ", "us_uk = ")) for line in changed)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"measurment": {}}, "unknown seed file 'measurment'"),
        (
            {"measurement": {"no_such_section": {"sd": {"value": 1.0, "source": "x"}}}},
            "has no section 'no_such_section'",
        ),
        ({"measurement": {"latent": {"sd": 0.4}}}, r"measurement.latent.sd: expected a table"),
    ],
)
def test_a_bad_override_is_refused_by_name(seeds, overrides, message):
    with pytest.raises(KnowledgeError, match=message):
        write_overrides(overrides, seeds)
