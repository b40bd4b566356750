"""The knowledge base holds every fact of the source article with a unit and a source,
and a broken seeds file is reported by file, key and problem."""

import re
import shutil
from pathlib import Path

import pytest
from pydantic import BaseModel

from b12risk.errors import KnowledgeError
from b12risk.knowledge import Quantity, Range, load, seeds_dir

KB = load()

# The source article's causes (¶2), symptoms (¶1) and thresholds (¶2), as FACTS.md lists them.
ARTICLE_CAUSES = {
    "pernicious_anaemia": "absorption",
    "gastrectomy": "absorption",
    "chronic_pancreatitis": "absorption",
    "intestinal_parasites": "absorption",
    "ppi": "absorption",
    "h2_blocker": "absorption",
    "metformin": "absorption",
    "genetic_disorder": "absorption",
    "diet": "intake",
    "malnutrition": "intake",
    "hiv": "demand",
    "shortened_rbc_lifespan": "demand",
}
ARTICLE_SYMPTOMS_MODERATE = {
    "fatigue", "headache", "sore_tongue", "mouth_ulcers", "shortness_of_breath", "feeling_faint", "tachycardia",
    "hair_loss", "low_blood_pressure", "pale_skin", "reduced_thinking", "joint_pain", "paresthesia", "numbness",
    "tinnitus",
}  # fmt: skip
ARTICLE_SYMPTOMS_SEVERE = {
    "reduced_heart_function", "reflex_changes", "poor_muscle_function", "memory_problems", "blurred_vision",
    "irritability", "unsteady_gait", "reduced_taste_smell", "reduced_consciousness", "depression", "confusion",
    "anxiety", "guilt", "psychosis",
}  # fmt: skip


def _walk(obj, path=""):
    if isinstance(obj, Quantity | Range):
        yield path, obj
    elif isinstance(obj, dict):
        for k, v in obj.items():
            yield from _walk(v, f"{path}.{k}")
    elif isinstance(obj, BaseModel):
        for k in type(obj).model_fields:
            yield from _walk(getattr(obj, k), f"{path}.{k}")


def test_every_number_has_a_unit_and_a_source():
    tables = [
        KB.biomarkers,
        KB.causes,
        KB.symptoms,
        KB.demographics,
        KB.scenarios,
        KB.measurement,
        KB.epidemiology,
        KB.literature,
    ]
    found = [(p, q) for t in tables for p, q in _walk(t)]
    assert len(found) > 300
    for path, q in found:
        assert q.unit.strip(), path
        assert len(q.source.strip()) >= 3, path


def test_every_cause_of_the_article_is_present_with_its_mechanism():
    for name, mechanism in ARTICLE_CAUSES.items():
        assert KB.causes[name].mechanism == mechanism
        assert KB.causes[name].source


def test_every_symptom_of_the_article_is_present_with_its_tier():
    assert {n for n, s in KB.symptoms.items() if s.tier == "moderate"} >= ARTICLE_SYMPTOMS_MODERATE
    assert {n for n, s in KB.symptoms.items() if s.tier == "severe"} == ARTICLE_SYMPTOMS_SEVERE
    assert all(s.source == "article ¶1" for s in KB.symptoms.values())


def test_serum_b12_thresholds_and_their_pg_ml_equivalents():
    t = KB.biomarkers["serum_b12"].thresholds
    factor = KB.biomarkers["serum_b12"].alt_unit.to_canonical.value
    for pmol, pg in (
        ("deficient", "deficient_pg_ml"),
        ("diagnostic_upper", "diagnostic_upper_pg_ml"),
        ("borderline_upper", "borderline_upper_pg_ml"),
    ):
        assert t[pmol].unit == "pmol/L" and t[pg].unit == "pg/mL"
        assert t[pg].value * factor == pytest.approx(t[pmol].value, rel=0.005)
    assert [t[k].value for k in ("deficient", "diagnostic_upper", "borderline_upper")] == [148.0, 185.0, 221.0]


def test_every_biomarker_has_unit_reference_and_thresholds():
    for name in ("serum_b12", "mma", "hcy", "holotc", "mcv", "hgb", "egfr"):
        b = KB.biomarkers[name]
        assert (
            b.unit
            and b.thresholds
            and b.plausible.low < b.training_range.low < b.training_range.high <= b.plausible.high
        )


def test_epidemiology_figures_of_the_article():
    figures = {k: t.figure.value for k, t in KB.epidemiology.items()}
    assert figures == {
        "us_uk_under_60": 0.06,
        "us_uk_60_plus": 0.20,
        "latin_america": 0.40,
        "africa_asia_high": 0.80,
        "us_uk_marginal": 0.40,
    }
    assert all("article ¶4" in t.figure.source for t in KB.epidemiology.values())


def test_published_effect_sizes_carry_status():
    assert KB.literature["ppi_2y"].estimate.value == 1.65 and KB.literature["ppi_2y"].status == "verified"
    assert {k for k, e in KB.literature.items() if e.test} == {"ppi_2y", "h2_blocker_2y"}


def test_fingerprint_is_stable_and_tracks_content(tmp_path):
    assert re.fullmatch(r"[0-9a-f]{64}", KB.fingerprint)
    copy = tmp_path / "seeds"
    shutil.copytree(seeds_dir(), copy)
    assert load(copy).fingerprint == KB.fingerprint
    (copy / "symptoms.toml").write_text((copy / "symptoms.toml").read_text() + "\n# a comment\n")
    assert load(copy).fingerprint != KB.fingerprint


def _broken(tmp_path: Path, file: str, old: str, new: str) -> Path:
    copy = tmp_path / "seeds"
    shutil.copytree(seeds_dir(), copy)
    text = (copy / f"{file}.toml").read_text()
    assert old in text, old
    (copy / f"{file}.toml").write_text(text.replace(old, new, 1))
    return copy


BROKEN = [
    ("causes", 'mechanism = "intake"', 'mechanism = "magic"', r"causes\.toml: \[diet\.mechanism\]"),
    (
        "symptoms",
        "value = 0.2,",
        "value = 1.2,",
        r"symptoms\.toml: \[fatigue\.background\].*fraction must lie in \[0, 1\]",
    ),
    ("symptoms", 'source = "article ¶1"', 'source = ""', r"symptoms\.toml: \[fatigue\.source\]"),
    ("biomarkers", "[serum_b12]", "[serum_b12\n", r"biomarkers\.toml: not valid TOML"),
    (
        "scenarios",
        'base = "us_uk"',
        'base = "mars"',
        r"scenarios\.toml: \[latin_america\.base\] names unknown scenario 'mars'",
    ),
    (
        "scenarios",
        "omnivore = { value = 0.9771",
        "omnivore = { value = 0.8771",
        r"scenarios\.toml: \[us_uk\] diet shares must sum to 1, got 0\.9",
    ),
    (
        "measurement",
        "sd = { value = 0.",  # the first sd of the file is [latent] sd, whatever its fitted value
        "sd = { value = -0.",
        r"measurement\.toml: \[latent\.sd\] must be > 0",
    ),
    (
        "causes",
        'blocks = ["supplement_use"]',
        'blocks = ["diet"]',
        r"causes\.toml: \[pernicious_anaemia\.blocks\] 'diet' is not a binary cause",
    ),
    (
        "causes",
        "blocks_source = ",
        "# blocks_source = ",
        r"causes\.toml: \[pernicious_anaemia\].*needs blocks_source",
    ),
    (
        "epidemiology",
        'scenario = "latin_america"',
        'scenario = "atlantis"',
        r"epidemiology\.toml: \[latin_america\.scenario\] unknown scenario",
    ),
]


@pytest.mark.parametrize(("file", "old", "new", "message"), BROKEN)
def test_broken_seeds_name_file_key_and_problem(tmp_path, file, old, new, message):
    with pytest.raises(KnowledgeError, match=message):
        load(_broken(tmp_path, file, old, new))


def test_missing_seed_file(tmp_path):
    copy = tmp_path / "seeds"
    shutil.copytree(seeds_dir(), copy)
    (copy / "causes.toml").unlink()
    with pytest.raises(KnowledgeError, match=r"causes\.toml: file is missing"):
        load(copy)


def test_overrides_replace_entries_before_validation_and_change_the_fingerprint():
    sd = {"value": 0.4, "unit": "log pmol/L", "source": "test"}
    kb = load(overrides={"measurement": {"latent": {"sd": sd}}})
    assert kb.param("latent", "sd") == 0.4
    assert kb.param("latent", "age_slope") == load().param("latent", "age_slope")  # the rest is kept
    assert kb.fingerprint != load().fingerprint
    with pytest.raises(KnowledgeError, match="overrides name unknown seed files"):
        load(overrides={"measurment": {}})
    with pytest.raises(KnowledgeError, match=r"measurement\.toml: \[latent\.sd\.unit\] Field required"):
        load(overrides={"measurement": {"latent": {"sd": {"value": 0.4}}}})
