"""Where the sources disagree (seeds/disagreements.toml): every entry keeps the article's
statement, the other sides and the one that drives the simulator with its reason; an
article figure of epidemiology.toml that does not drive points to its entry; a broken
entry is refused naming the file, the entry and the field."""

import re
import shutil
import tomllib
from pathlib import Path

import pytest

from b12risk.errors import KnowledgeError
from b12risk.knowledge import load, seeds_dir
from b12risk.knowledge.disagreements import ARTICLE_PARAGRAPHS, DRIVERS

KB = load()
RAW = tomllib.loads((seeds_dir() / "disagreements.toml").read_text(encoding="utf-8"))
ARABIC = re.compile("[\u0600-\u06ff]")

#: What issue [3/5] asked the audit to record, and the side that drives each.
REQUIRED = {
    "us_uk_prevalence": "real_data",
    "western_marginal": "real_data",
    "pregnancy_low_serum": "real_data",
    "acid_suppression": "primary",
    "metformin": "primary",
    "serum_b12_alone": "real_data",
    "macrocytosis": "real_data",
    "strict_diets": "real_data",
    "falsely_normal_serum": "primary",
}


def test_the_audit_records_what_the_issue_asked_for_with_what_drives_each():
    assert {k: KB.disagreements[k].drives for k in REQUIRED} == REQUIRED
    assert len(KB.disagreements) >= len(REQUIRED)


@pytest.mark.parametrize("name", sorted(RAW))
def test_every_entry_has_the_required_fields_written_out(name):
    raw = RAW[name]
    for field in ("label_en", "label_ar", "claim", "drives", "reason", "in_simulator", "article"):
        assert field in raw, (name, field)
    assert set(raw["article"]) == {"paragraph", "text", "figure"}, name
    assert 1 <= raw["article"]["paragraph"] <= ARTICLE_PARAGRAPHS
    assert raw["drives"] in DRIVERS
    sides = raw.get("primary", []) + raw.get("real_data", [])
    assert sides, f"{name}: only the article's side"
    for item in raw.get("primary", []):
        assert item["citation"].strip() and item["figure"].strip(), name
    for item in raw.get("real_data", []):
        assert item["source"].strip() and item["figure"].strip(), name
    if raw["drives"] != "article":
        assert raw[raw["drives"]], f"{name}: drives {raw['drives']} but gives none"
    assert ARABIC.search(raw["label_ar"]) and not ARABIC.search(raw["label_en"]), name
    assert len(raw["reason"]) > 80, f"{name}: the reason should say why"


def test_every_epidemiology_entry_not_driving_points_to_an_existing_disagreement():
    not_driving = {k: t for k, t in KB.epidemiology.items() if not t.drives}
    assert set(not_driving) == {"us_uk_under_60", "us_uk_60_plus", "us_uk_marginal"}
    for name, target in not_driving.items():
        entry = KB.disagreements[target.disagreement]
        assert entry.drives != "article", name
        assert f"epidemiology.{name}" in entry.concerns, name
    assert {k for k, t in KB.epidemiology.items() if t.drives} == {"latin_america", "africa_asia_high"}


def test_the_nhanes_figures_quoted_are_those_measured_on_the_real_data():
    from b12risk.nhanes.adapter import load_adults
    from b12risk.nhanes.targets import measure, pooled_weights

    real = load_adults()
    m = measure(real, pooled_weights(real))

    def figures(name: str) -> str:
        return " ".join(r.figure for r in KB.disagreements[name].real_data if "measured by b12risk" in r.source)

    below = figures("us_uk_prevalence")
    for band in ("20_39", "40_59", "60plus"):
        assert f"{100 * m[f'b12_below_148_{band}']:.2f}%" in below, band
    marginal = figures("western_marginal")
    for band in ("20_39", "40_59", "60plus"):
        assert f"{100 * m[f'b12_148_221_{band}']:.1f}%" in marginal, band
    assert f"median {m['b12_median']:.0f} pmol/L" in marginal
    assert f"{100 * m['mma_above_0271_egfr60']:.1f}%" in figures("mma_in_deficiency")
    assert f"{m['b12_below_148_metformin_vs_not_50plus']:.2f} times" in figures("metformin")
    assert f"{100 * m['ppi_share']:.1f}% taking a PPI" in figures("acid_suppression")


# --------------------------------------------------------------------------- broken copies


def _broken(tmp_path: Path, file: str, old: str, new: str) -> Path:
    copy = tmp_path / "seeds"
    shutil.copytree(seeds_dir(), copy)
    text = (copy / f"{file}.toml").read_text(encoding="utf-8")
    assert text.count(old) >= 1, old
    (copy / f"{file}.toml").write_text(text.replace(old, new, 1), encoding="utf-8")
    return copy


BROKEN = [
    (
        "disagreements",
        'drives = "primary"\nreason = """\\\nLam 2013',
        'drives = "hearsay"\nreason = """\\\nLam 2013',
        r"disagreements\.toml: \[acid_suppression\.drives\] Input should be 'article', 'primary' or 'real_data' "
        r"\(got 'hearsay'\)",
    ),
    (
        "disagreements",
        'in_simulator = """\\\nseeds/causes.toml metformin',
        'in_simulatr = """\\\nseeds/causes.toml metformin',
        r"disagreements\.toml: \[metformin\.in_simulator\] Field required",
    ),
    (
        "disagreements",
        "[macrocytosis.article]\nparagraph = 1\n",
        "[macrocytosis.article]\nparagraph = 5\n",
        r"disagreements\.toml: \[macrocytosis\.article\.paragraph\] Input should be less than or equal to 4",
    ),
    (
        "disagreements",
        'concerns = ["epidemiology.us_uk_marginal"]',
        'concerns = ["epidemiology.us_uk_marginl"]',
        r"disagreements\.toml: \[western_marginal\.concerns\] names 'epidemiology\.us_uk_marginl', which is not an "
        r"entry of seeds/",
    ),
    (
        "epidemiology",
        'drives = false\ndisagreement = "western_marginal"\n',
        'drives = false\ndisagreement = "western_margin"\n',
        r"epidemiology\.toml: \[us_uk_marginal\.disagreement\] names 'western_margin', which is not an entry of "
        r"disagreements\.toml",
    ),
    (
        "epidemiology",
        'drives = false\ndisagreement = "western_marginal"\n',
        "drives = false\n",
        r"epidemiology\.toml: \[us_uk_marginal\] drives = false needs disagreement",
    ),
    (
        "epidemiology",
        'drives = false\ndisagreement = "western_marginal"\n',
        'drives = true\ndisagreement = "western_marginal"\n',
        r"epidemiology\.toml: \[us_uk_marginal\.drives\] is true, but disagreements\.toml \[western_marginal\] says "
        r"the real_data drives",
    ),
    (
        "epidemiology",
        'scenario = "latin_america"\ndrives = true\n',
        'scenario = "latin_america"\n',
        r"epidemiology\.toml: \[latin_america\.drives\] Field required",
    ),
    (
        "epidemiology",
        'scenario = "latin_america"\ndrives = true\n',
        'scenario = "latin_america"\ndrives = "yes"\n',
        r"epidemiology\.toml: \[latin_america\.drives\] Input should be a valid boolean \(got 'yes'\)",
    ),
]


@pytest.mark.parametrize(("file", "old", "new", "message"), BROKEN)
def test_a_broken_entry_is_refused_naming_file_entry_and_field(tmp_path, file, old, new, message):
    with pytest.raises(KnowledgeError, match=message):
        load(_broken(tmp_path, file, old, new))


def test_the_side_that_drives_must_be_given(tmp_path):
    copy = tmp_path / "seeds"
    shutil.copytree(seeds_dir(), copy)
    path = copy / "disagreements.toml"
    # acid_suppression is driven by its primary source: take it away
    text, n = re.subn(r"\[\[acid_suppression\.primary\]\]\n[^\n]*\n[^\n]*\n\n", "", path.read_text(encoding="utf-8"))
    assert n == 1
    path.write_text(text, encoding="utf-8")
    message = r"\[acid_suppression\] drives = 'primary', but the entry gives no \[\[<entry>\.primary\]\]"
    with pytest.raises(KnowledgeError, match=message):
        load(copy)


def test_a_side_besides_the_article_is_required(tmp_path):
    copy = tmp_path / "seeds"
    shutil.copytree(seeds_dir(), copy)
    path = copy / "disagreements.toml"
    pattern = r"\[\[serum_cut_off\.(primary|real_data)\]\]\n[^\n]*\n[^\n]*\n\n"
    text, n = re.subn(pattern, "", path.read_text(encoding="utf-8"))
    assert n == 3
    path.write_text(text, encoding="utf-8")
    with pytest.raises(KnowledgeError, match=r"\[serum_cut_off\] a disagreement needs a side besides the article"):
        load(copy)


def test_a_missing_disagreements_file_is_named(tmp_path):
    copy = tmp_path / "seeds"
    shutil.copytree(seeds_dir(), copy)
    (copy / "disagreements.toml").unlink()
    with pytest.raises(KnowledgeError, match=r"disagreements\.toml: file is missing"):
        load(copy)
