"""Specifications of the reviewers' report (:mod:`b12risk.reporting.report`).

The report of the tiny test model is built three times: in English, in Arabic (with
the example patients absent, as in an installed wheel) and in English again through
the ``report`` subcommand, which must give the same bytes. Two example patients and a
smaller SHAP cohort with one dependence plot keep the builds fast; the page is checked as a reviewer's browser
would read it.
"""

from __future__ import annotations

import base64
import functools
import math
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from b12risk import cli
from b12risk.errors import ConfigError
from b12risk.knowledge import load
from b12risk.reporting import report
from b12risk.reporting.html.tripod import TRIPOD
from b12risk.reporting.knowledge_check import knowledge_check
from html_page import Page

EXAMPLES = Path(__file__).resolve().parents[2] / "data" / "examples"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _examples_subset(folder: Path) -> Path:
    folder.mkdir()
    for name in ("after_total_gastrectomy.json", "young_omnivore_normal_labs.json", "expected_order.toml"):
        shutil.copy(EXAMPLES / name, folder / name)
    return folder


@pytest.fixture(scope="module")
def built(tiny_model, tmp_path_factory):
    """English, Arabic and CLI builds of the tiny model's report."""
    tmp = tmp_path_factory.mktemp("report")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(report, "SHAP_ROWS", 1200)
        mp.setattr(report, "DEPENDENCE", report.DEPENDENCE[-1:])
        mp.setattr(report, "EXAMPLES_DIR", _examples_subset(tmp / "examples"))
        # The NHANES section has its own specifications (test_report_nhanes.py); left out here.
        mp.setattr(report, "build_report", functools.partial(report.build_report, nhanes=False))
        en = report.build_report(tiny_model, tmp / "en", language="en")
        code = cli.main(["report", "--model", str(tiny_model.path), "--out", str(tmp / "cli"), "--no-nhanes"])
        mp.setattr(report, "EXAMPLES_DIR", tmp / "no-examples-here")
        ar = report.build_report(tiny_model, tmp / "en", language="ar")
    return {"en": en, "ar": ar, "cli": tmp / "cli" / "report.html", "cli_code": code}


@pytest.fixture(scope="module")
def pages(built):
    return {k: Page(built[k].read_text(encoding="utf-8")) for k in ("en", "ar")}


# --------------------------------------------------------------------------- structure


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_every_section_is_present_with_a_heading(pages, lang):
    for sid in report.SECTIONS:
        section = pages[lang].by_id(sid)
        assert section.tag == "section"
        assert next(section.iter("h2")).text().strip()


def test_file_names_and_html_attributes(built, pages):
    assert built["en"].name == "report.html" and built["ar"].name == "report_ar.html"
    html_en = next(pages["en"].root.iter("html")).attrs
    html_ar = next(pages["ar"].root.iter("html")).attrs
    assert (html_en["lang"], html_en["dir"]) == ("en", "ltr")
    assert (html_ar["lang"], html_ar["dir"]) == ("ar", "rtl")


def test_not_a_diagnosis_and_synthetic_data_are_said_at_the_top(pages):
    page = pages["en"]
    top = page.by_id("not-a-diagnosis").text()
    assert "NOT a diagnosis" in top
    assert "synthetic" in page.by_id("synthetic").text()
    assert "not that it is clinically valid" in page.by_id("synthetic").text()
    assert "وليست تشخيصاً" in pages["ar"].by_id("not-a-diagnosis").text()


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_images_are_embedded_pngs_and_saved_as_png_and_svg(built, pages, lang):
    images = list(pages[lang].root.iter("img"))
    # ROC, PR, 4 calibration, decision, 2 beeswarms, 1 dependence (+ 2 waterfalls in English)
    assert len(images) == {"en": 12, "ar": 10}[lang]
    figures = built[lang].parent / "figures"
    for img in images:
        src = img.attrs["src"]
        assert src.startswith("data:image/png;base64,")
        data = base64.b64decode(src.removeprefix("data:image/png;base64,"), validate=True)
        assert data.startswith(PNG_SIGNATURE)
        stem = Path(img.attrs["data-file"]).stem
        assert (figures / f"{stem}.png").read_bytes() == data
        svg = (figures / f"{stem}.svg").read_text(encoding="utf-8")
        assert svg.lstrip().startswith("<?xml") and "<svg" in svg and "<dc:date>" not in svg
    assert all(Path(i.attrs["data-file"]).stem.endswith("_ar") for i in images) == (lang == "ar")


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_nothing_is_fetched_from_outside_the_page(built, pages, lang):
    text = built[lang].read_text(encoding="utf-8")
    for element in pages[lang].elements:
        assert element.tag not in ("script", "link", "iframe", "object", "embed"), element.tag
        for name, value in element.attrs.items():
            if value is None or (name == "src" and value.startswith("data:image/png;base64,")):
                continue
            for bad in ("http:", "https:", "//"):
                assert bad not in value, f"<{element.tag} {name}={value!r}>"
    style = "".join(e.text() for e in pages[lang].elements if e.tag == "style")
    assert "@import" not in style and "url(" not in style and "@font-face" not in style
    assert "<script" not in text.lower()


# --------------------------------------------------------------------------- numbers


def _shown(x: float, digits: int = 3, signed: bool = False) -> str:
    return (f"{x:+.{digits}f}" if signed else f"{x:.{digits}f}").replace("-", "−")


@pytest.mark.parametrize(
    ("scenario", "level", "metric"),
    [
        ("us_uk", "risk_factors", "auroc"),
        ("older_adults", "full_panel", "auroc"),
        ("us_uk", "serum_b12", "brier"),
        ("older_adults", "symptoms", "cal_slope"),
    ],
)
def test_performance_cells_equal_the_evaluation_table(tiny_model, pages, scenario, level, metric):
    table = pd.read_csv(tiny_model.path / "evaluation.csv")
    row = table[
        (table.scenario == scenario) & (table.level == level) & (table.scorer == "model") & (table.metric == metric)
    ].iloc[0]
    cells = [
        e
        for e in pages["en"].elements
        if e.tag == "td"
        and (e.attrs.get("data-scenario"), e.attrs.get("data-level"), e.attrs.get("data-scorer"))
        == (scenario, level, "model")
        and e.attrs.get("data-metric") == metric
    ]
    assert len(cells) == 1
    text = " ".join(cells[0].text().split())
    estimate, interval = text.split(" (")
    lo, hi = interval.rstrip(")").split("–")
    assert estimate == _shown(row.estimate)
    assert (lo, hi) == (_shown(row.lo), _shown(row.hi))


def test_every_scorer_of_the_table_is_in_the_performance_section(tiny_model, pages):
    table = pd.read_csv(tiny_model.path / "evaluation.csv")
    shown = {
        (e.attrs["data-scenario"], e.attrs["data-level"], e.attrs["data-scorer"])
        for e in pages["en"].elements
        if e.tag == "td" and "data-scorer" in e.attrs
    }
    assert shown == set(map(tuple, table[["scenario", "level", "scorer"]].drop_duplicates().to_numpy()))


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_gate_status_matches_the_metadata(tiny_model, pages, lang):
    gate = tiny_model.metadata["gate"]
    status = pages[lang].by_id("gate-status")
    assert status.attrs["data-passed"] == str(gate["passed"]).lower()
    assert pages[lang].by_id("gate-banner").attrs["data-passed"] == str(gate["passed"]).lower()
    if not gate["passed"]:
        rows = list(pages[lang].by_id("gate-failures").iter("tr"))[1:]
        assert len(rows) == len(gate["failures"])
        first = [" ".join(td.text().split()) for td in rows[0].iter("td")]
        assert first[0] == gate["failures"][0]["scenario"]
        assert first[3] == _shown(gate["failures"][0]["by"], 4)


def test_subgroup_table_marks_every_flagged_row_with_its_reason(tiny_model, pages):
    subgroups = pd.read_csv(tiny_model.path / "subgroups.csv")
    rows = list(pages["en"].by_id("subgroups-table").iter("tr"))[1:]
    assert len(rows) == len(subgroups)
    flagged = [r for r in rows if r.attrs.get("data-flag") == "true"]
    assert len(flagged) == int(subgroups.flag.sum())
    for r, reason in zip(flagged, subgroups.loc[subgroups.flag, "flag_reason"], strict=True):
        assert "flag" in r.attrs["class"].split()
        assert reason in " ".join(r.text().split())


# --------------------------------------------------------------------------- knowledge check


def _documented_entries() -> list[tuple[str, str | None]]:
    out = []
    for name, c in load().causes.items():
        if c.kind == "categorical":
            out += [(name, lv) for lv in c.levels if c.effects[lv].value != 0.0]
        elif c.kind != "hidden":
            out.append((name, None))
    return out


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_knowledge_check_has_one_row_per_documented_cause(pages, lang):
    rows = list(pages[lang].by_id("knowledge-check-table").iter("tr"))[1:]
    assert [(r.attrs["data-cause"], r.attrs.get("data-level")) for r in rows] == _documented_entries()
    assert {r.attrs["data-verdict"] for r in rows} <= {"agrees", "opposite", "none"}


def test_contradictions_are_red_and_listed_in_the_top_banner(pages):
    page = pages["en"]
    rows = list(page.by_id("knowledge-check-table").iter("tr"))[1:]
    bad = [r for r in rows if r.attrs["data-verdict"] != "agrees"]
    banner = " ".join(page.by_id("contradictions").text().split())
    for r in rows:
        assert ("contradiction" in (r.attrs.get("class") or "").split()) == (r in bad)
    for r in bad:
        label = " ".join(next(r.iter("td")).text().split())
        assert label in banner
    if not bad:
        assert "every documented cause" in banner


def test_knowledge_check_directions(tiny_model):
    """Diet, supplements and age-free causes the tiny model learned point the documented way."""
    from b12risk.serving.explain import shap_frame
    from b12risk.simulation.cohort import mask_to_level

    frame = mask_to_level(report._heldout(tiny_model.metadata, 1500), "risk_factors")
    checks = knowledge_check(
        load(),
        tiny_model.estimator,
        frame,
        shap_frame(tiny_model.estimator, frame)[1],
        "en",
        min_present=report.MIN_PRESENT,
        what_if_rows=report.WHAT_IF_ROWS,
        min_effect=report.MIN_EFFECT,
        pregnancy_age=report.pregnancy_age(load()),
    )
    verdict = {(c.cause, c.level): c for c in checks}
    assert verdict[("diet", "vegan")].verdict == "agrees" and verdict[("diet", "vegan")].diff > 0
    assert verdict[("supplement_use", None)].expected == -1
    assert verdict[("supplement_use", None)].verdict == "agrees"
    for c in checks:
        assert c.basis in ("observed", "what-if")
        assert (c.learned == 0) == (c.verdict == "none")


# --------------------------------------------------------------------------- the rest


def test_tripod_items_link_to_sections_or_give_a_reason(pages):
    rows = list(pages["en"].by_id("tripod-table").iter("tr"))[1:]
    assert len(rows) == len(TRIPOD) >= 20
    ids = {e.attrs["id"] for e in pages["en"].elements if "id" in e.attrs}
    for r in rows:
        links = [a.attrs["href"] for a in r.iter("a")]
        if links:
            assert all(h.startswith("#") and h[1:] in ids for h in links), links
        else:
            assert "not applicable (synthetic data)" in r.text()


def test_reproduce_gives_commands_config_versions_and_fingerprint(tiny_model, pages):
    page = pages["en"]
    commands = page.by_id("commands").text()
    assert f"b12risk train --config config.toml --version {tiny_model.version} --models rebuild/" in commands
    assert f"b12risk report --model {tiny_model.version}" in commands
    config = page.by_id("config").text()
    assert "[cohort.scenarios]" in config and "[model]" in config
    for library, version in tiny_model.metadata["versions"].items():
        assert library in page.by_id("versions").text() and version in page.by_id("versions").text()
    assert tiny_model.metadata["knowledge_fingerprint"] in page.by_id("reproduce").text()


def test_examples_are_explained_and_skipped_gracefully_when_absent(pages):
    en, ar = pages["en"], pages["ar"]
    assert [a.attrs["data-file"] for a in en.root.iter("img") if "waterfall" in a.attrs["data-file"]] == [
        "figures/waterfall_after_total_gastrectomy.png",
        "figures/waterfall_young_omnivore_normal_labs.png",
    ]
    assert len(list(en.by_id("examples-table").iter("tr"))) == 3
    assert ar.by_id("examples-missing").text().strip()
    assert not [a for a in ar.root.iter("img") if "waterfall" in a.attrs["data-file"]]


def test_arabic_page_uses_arabic_words_and_knowledge_labels(pages):
    page = pages["ar"]
    assert page.by_id("model-card").text().count("النموذج") > 3
    assert next(page.by_id("performance").iter("h2")).text() == "الأداء"
    assert load().causes["diet"].label_ar in page.by_id("knowledge-check").text()
    digits = set("٠١٢٣٤٥٦٧٨٩")
    assert not digits & set(page.by_id("performance").text())


def test_two_builds_give_the_same_bytes_and_the_cli_prints_the_path(built, capsys):
    assert built["cli_code"] == 0
    assert built["cli"].read_bytes() == built["en"].read_bytes()
    figures = sorted(p.name for p in (built["cli"].parent / "figures").iterdir())
    assert figures == sorted(p.name for p in (built["en"].parent / "figures").iterdir() if "_ar." not in p.name)
    for name in figures:
        assert (built["cli"].parent / "figures" / name).read_bytes() == (
            built["en"].parent / "figures" / name
        ).read_bytes(), name


def test_console_script_has_the_report_subcommand():
    exe = shutil.which("b12risk", path=str(Path(sys.executable).parent))
    assert exe
    res = subprocess.run([exe, "report", "--help"], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0
    for option in ("--model", "--out", "--lang", "--models"):
        assert option in res.stdout


def test_bad_language_is_refused_before_any_work(tiny_model, tmp_path):
    with pytest.raises(ConfigError, match="language must be one of en, ar; got 'fr'"):
        report.build_report(tiny_model, tmp_path, language="fr")
    assert not any(tmp_path.iterdir())


def test_numbers_are_formatted_as_in_the_tables():
    from b12risk.reporting.html.markup import ci as _ci
    from b12risk.reporting.html.markup import num as _num

    assert _num(0.84661) == "0.847"
    assert _num(-0.2) == "−0.200"
    assert _num(float("nan")) == "–"
    assert _ci(0.5, 0.4, 0.6) == "0.500 (0.400–0.600)"
    assert _ci(-0.1, -0.3, 0.1, 2, signed=True) == "−0.10 (−0.30 – +0.10)"
    assert _ci(math.nan, 0.1, 0.2) == "–"
