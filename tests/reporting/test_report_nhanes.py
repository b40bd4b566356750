"""Specifications of the report's section on real patients (NHANES).

Most specifications use a small validation built by hand, so the numbers and therefore
the generated sentences are known exactly: the model's AUROC for raised MMA given serum
B12 is 0.700 (0.680–0.720) against 0.760 (0.740–0.780) for serum B12 alone (intervals
apart: "worse"), its O/E is 3.30, and the simulator puts 10.3% of adults below 148
pmol/L against 2.2% real. Other verdicts are rendered from variants of it, section by
section (no SHAP values needed). The tiny test model's report is built four times: from
the object in English and Arabic, from the folder the object was written to, and
without the section. One real validation of the tiny model (2011-2012 only) checks that
real tables render.
"""

from __future__ import annotations

import base64
import math
import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from b12risk.errors import ConfigError
from b12risk.modelling import modelcard, verdicts
from b12risk.nhanes.validation import ExternalValidation
from b12risk.reporting import report
from b12risk.reporting.data import ReportData
from b12risk.reporting.figures.saving import FigureWriter
from b12risk.reporting.html import nhanes as nhanes_section
from html_page import Page

GROUPS = ("2001-2004", "2011-2012")
THRESHOLDS = np.round(np.arange(0.01, 0.3001, 0.01), 2)
NAN = math.nan


def _plain(text: str) -> str:
    """Arabic text without the isolation marks around its numbers."""
    return text.replace("\u2068", "").replace("\u2069", "")


# --------------------------------------------------------------------------- a validation built by hand


def hand_built(
    *,
    model: tuple[float, float, float] = (0.70, 0.68, 0.72),
    serum: tuple[float, float, float] = (0.76, 0.74, 0.78),
    real_cv: tuple[float, float, float] = (0.79, 0.77, 0.81),
    oe: float = 3.3,
    version: str = "0.1.0",
) -> ExternalValidation:
    """Both cycle groups with the same numbers; ``model``, ``serum`` and ``real_cv`` are
    (AUROC, lo, hi) for raised MMA given serum B12; the model's O/E there is ``oe``."""

    def row(group, outcome, level, scorer, auc, n, events, prev, predicted=NAN, oe=NAN, intercept=NAN, slope=NAN):
        return {
            "group": group,
            "outcome": outcome,
            "level": level,
            "scorer": scorer,
            "n": n,
            "events": events,
            "prevalence": prev,
            "auroc": auc[0],
            "auroc_lo": auc[1],
            "auroc_hi": auc[2],
            "auroc_weighted": auc[0] + 0.01,
            "predicted": predicted,
            "oe": oe,
            "intercept": intercept,
            "slope": slope,
        }

    perf, decision, marginals = [], [], []
    for g in GROUPS:
        p = 0.05
        perf += [
            row(g, "raised_mma", "risk_factors", "model", (0.68, 0.65, 0.71), 8000, 400, p, 0.02, 2.5, 1.1, 0.5),
            row(g, "raised_mma", "risk_factors", "real_cv", (0.66, 0.63, 0.69), 8000, 400, p, 0.05, 1.0, 0.0, 0.9),
            row(g, "raised_mma", "serum_b12", "model", model, 8000, 400, p, p / oe, oe, 1.5, 0.45),
            row(g, "raised_mma", "serum_b12", "real_cv", real_cv, 8000, 400, p, p, 1.0, 0.0, 1.0),
            row(g, "raised_mma", "serum_b12", "serum_b12", serum, 8000, 400, p),
            row(g, "low_b12", "risk_factors", "model", (0.60, 0.56, 0.64), 9000, 200, 0.022, 0.024, 0.92, -0.1, 0.4),
        ]
        treat_all = p - (1 - p) * THRESHOLDS / (1 - THRESHOLDS)
        for strategy, nb in (
            ("model", 0.02 * (1 - THRESHOLDS / 0.3)),
            ("real_cv", 0.03 * (1 - THRESHOLDS / 0.35)),
            ("test all", treat_all),
        ):
            decision += [
                {
                    "group": g,
                    "outcome": "raised_mma",
                    "level": "serum_b12",
                    "strategy": strategy,
                    "threshold": t,
                    "net_benefit": v,
                }
                for t, v in zip(THRESHOLDS, nb, strict=True)
            ]
        for metric, stratum, real, sim in (
            ("share serum B12 < 148", "20+", 0.022, 0.103),
            ("share serum B12 < 148", "20-39", 0.015, 0.048),
            ("share serum B12 < 148", "60+", 0.038, 0.206),
            ("serum B12 p50 (pmol/L)", "20+", 337.0, 249.0),
            ("MMA median (umol/L)", "70+", 0.181, 0.287),
            ("share eGFR < 60", "20+", 0.056, 0.059),
        ):
            marginals.append(
                {"group": g, "metric": metric, "stratum": stratum, "real": real, "simulated": sim, "ratio": sim / real}
            )
    adapter = pd.DataFrame(
        {
            "cycle": ["2001-2002", "2003-2004", "2011-2012"],
            "adults": [5027, 4742, 5319],
            "with serum_b12_pmol_l": [4721, 4486, 4877],
            "with mma_umol_l": [4747, 4338, 4880],
            "with hcy_umol_l": [4759, 4509, 0],
            "b12_method": ["radioassay", "radioassay", "electrochemiluminescence"],
        }
    )
    outcomes = pd.DataFrame(
        [
            {
                "outcome": "low_b12",
                "label": "Serum B12 < 148 pmol/L",
                "definition": "serum_b12_pmol_l < 148",
                "hidden from scorers": "serum_b12_pmol_l",
                "levels": "risk_factors",
                "source": "BSH 2014",
                "n 2001-2004": 9000,
                "prevalence 2001-2004": 0.022,
                "n 2011-2012": 4877,
                "prevalence 2011-2012": 0.018,
            },
            {
                "outcome": "raised_mma",
                "label": "MMA > 0.271 umol/L, among adults with eGFR >= 60",
                "definition": "mma_umol_l > 0.271; among egfr_ml_min >= 60",
                "hidden from scorers": "mma_umol_l",
                "levels": "risk_factors, serum_b12, full_panel",
                "source": "KDIGO CKD threshold",
                "n 2001-2004": 8000,
                "prevalence 2001-2004": 0.05,
                "n 2011-2012": 8000,
                "prevalence 2011-2012": 0.05,
            },
        ]
    )
    notes = {
        "seed": 0,
        "simulated_n": 20000,
        "cycles": ["2001-2002", "2003-2004", "2011-2012"],
        "rows_with_training_range_warnings": {"serum_b12: nothing hidden": 3},
    }
    return ExternalValidation(
        model_version=version,
        performance=pd.DataFrame(perf),
        decision=pd.DataFrame(decision),
        marginals=pd.DataFrame(marginals),
        adapter=adapter,
        outcomes=outcomes,
        notes=notes,
    )


def section(loaded, validation: ExternalValidation, language: str, folder: Path) -> Page:
    """The NHANES section alone, rendered as the page renders it (figures into ``folder``)."""
    shown = report._nhanes_tables(validation, loaded, folder / "nhanes")
    data = ReportData(loaded, None, language, None, None, None, None, {}, {}, [], None, nhanes=shown)
    return Page(nhanes_section.render(data, FigureWriter(folder / "figures", language)), collapse_whitespace=True)


# --------------------------------------------------------------------------- four builds of the tiny model's report


@pytest.fixture(scope="module")
def built(tiny_model, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("nhanes-report")
    validation = hand_built()
    validation.write(tmp / "tables")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(report, "SHAP_ROWS", 300)
        mp.setattr(report, "WHAT_IF_ROWS", 40)
        mp.setattr(report, "DEPENDENCE", report.DEPENDENCE[-1:])
        mp.setattr(report, "EXAMPLES_DIR", tmp / "no-examples-here")
        paths = {
            "en": report.build_report(tiny_model, tmp / "object", nhanes=validation),
            "ar": report.build_report(tiny_model, tmp / "object", language="ar", nhanes=validation),
            "path": report.build_report(tiny_model, tmp / "path", nhanes=tmp / "tables"),
            "off": report.build_report(tiny_model, tmp / "off", nhanes=False),
        }
    return paths


@pytest.fixture(scope="module")
def pages(built):
    return {k: Page(p.read_text(encoding="utf-8"), collapse_whitespace=True) for k, p in built.items()}


# --------------------------------------------------------------------------- where the section is


@pytest.mark.parametrize(("lang", "heading"), [("en", "Real patients (NHANES)"), ("ar", "مرضى حقيقيون (NHANES)")])
def test_the_section_comes_after_performance_in_the_page_and_the_contents(pages, lang, heading):
    page = pages[lang]
    section_ = page.by_id("nhanes")
    assert section_.tag == "section" and next(section_.iter("h2")).text() == heading
    order = [e.attrs["id"] for e in page.elements if e.tag == "section"]
    assert order == list(report.SECTIONS)
    assert order.index("nhanes") == order.index("performance") + 1
    links = [a.attrs["href"] for a in next(page.root.iter("nav")).iter("a")]
    assert links.index("#nhanes") == links.index("#performance") + 1


def test_the_page_says_what_the_data_are(pages):
    text = pages["en"].by_id("nhanes").text()
    assert "adults aged 20 and over" in text and "National Health and Nutrition Examination Survey" in text
    assert "cycles 2001-2002, 2003-2004, 2011-2012" in text
    assert "weighted with its examination weights" in text and "AUROCs are unweighted" in text
    assert "the two assay eras are never pooled" in text
    rows = list(pages["en"].by_id("nhanes-cycles").iter("tr"))[1:]
    assert [next(r.iter("td")).text() for r in rows] == ["2001-2002", "2003-2004", "2011-2012"]


def test_each_outcome_has_its_definition_source_prevalence_and_hidden_fields(pages):
    rows = list(pages["en"].by_id("nhanes-outcomes").iter("tr"))[1:]
    assert [r.attrs["data-outcome"] for r in rows] == ["low_b12", "raised_mma"]
    cells = [td.text() for td in rows[1].iter("td")]
    assert cells[0].startswith("MMA > 0.271 umol/L, among adults with eGFR >= 60")
    assert cells[1:4] == [
        "mma_umol_l > 0.271; among egfr_ml_min >= 60",
        "mma_umol_l",
        "risk factors only, with serum B12, with the full laboratory panel",
    ]
    assert cells[4:] == ["5.0% (8,000)", "5.0% (8,000)", "KDIGO CKD threshold"]
    assert "No scorer is judged against its own input" in pages["en"].by_id("nhanes").text()


def test_one_table_per_group_outcome_and_level_with_every_scorer_and_the_calibration(pages):
    page, perf = pages["en"], hand_built().performance
    for (group, outcome, level), cell in perf.groupby(["group", "outcome", "level"]):
        table = page.by_id(f"nhanes-{group}-{outcome}-{level}")
        rows = list(table.iter("tr"))[1:]
        assert [r.attrs["class"] for r in rows] == [f"scorer-{s}" for s in cell.scorer]
    head = [th.text() for th in page.by_id("nhanes-2001-2004-raised_mma-serum_b12").iter("th")]
    assert head == [
        "Scorer",
        "AUROC (95% CI), unweighted",
        "AUROC, weighted",
        "Mean predicted (weighted)",
        "O/E",
        "Calibration intercept",
        "Calibration slope",
    ]
    table = page.by_id("nhanes-2001-2004-raised_mma-serum_b12")
    model, serum = (
        next(r for r in table.iter("tr") if r.attrs.get("class") == f"scorer-{s}") for s in ("model", "serum_b12")
    )
    assert [td.text() for td in model.iter("td")][1:] == [
        "0.700 (0.680–0.720)",
        "0.710",
        "1.5%",
        "3.30",
        "+1.50",
        "0.45",
    ]
    assert [td.text() for td in serum.iter("td")][3:] == ["–"] * 4  # serum B12 gives no probabilities


# --------------------------------------------------------------------------- the statements follow the numbers


def test_a_model_interval_below_serum_b12_is_said_to_rank_worse(pages):
    said = pages["en"].finding(finding="rank-serum_b12", group="2001-2004", level="serum_b12")
    assert said == (
        "2001-2004, raised MMA, with serum B12: the model ranked worse than serum B12 alone: "
        "AUROC 0.700 (0.680–0.720) against 0.760 (0.740–0.780); the 95% intervals do not overlap."
    )
    real = pages["en"].finding(finding="rank-real_cv", group="2001-2004", level="serum_b12")
    assert "worse than the model fitted on these real adults" in real and "0.790 (0.770–0.810)" in real
    arabic = _plain(pages["ar"].finding(finding="rank-serum_b12", group="2001-2004", level="serum_b12"))
    assert "أسوأ من ب12 في المصل وحده" in arabic and "0.700 (0.680–0.720)" in arabic


def test_a_model_interval_above_serum_b12_is_said_to_rank_better(tiny_model, tmp_path):
    better = hand_built(model=(0.80, 0.78, 0.82), serum=(0.70, 0.68, 0.72))
    said = section(tiny_model, better, "en", tmp_path / "en").finding(finding="rank-serum_b12", group="2001-2004")
    assert said == (
        "2001-2004, raised MMA, with serum B12: the model ranked better than serum B12 alone: "
        "AUROC 0.800 (0.780–0.820) against 0.700 (0.680–0.720); the 95% intervals do not overlap."
    )
    arabic = section(tiny_model, better, "ar", tmp_path / "ar").finding(finding="rank-serum_b12", group="2001-2004")
    assert "أفضل من ب12 في المصل وحده" in _plain(arabic)


def test_overlapping_intervals_are_said_to_be_neither_better_nor_worse(tiny_model, tmp_path):
    close = hand_built(model=(0.75, 0.72, 0.78), serum=(0.76, 0.74, 0.78))
    said = section(tiny_model, close, "en", tmp_path).finding(finding="rank-serum_b12", group="2001-2004")
    assert "neither clearly better nor clearly worse than serum B12 alone" in said
    assert said.endswith("the 95% intervals overlap.")


@pytest.mark.parametrize(
    ("oe", "verdict", "words"),
    [
        (3.3, "under", "it under-predicts this outcome."),
        (1.0, "ok", "close to the observed rate."),
        (0.5, "over", "it over-predicts"),
    ],
)
def test_the_calibration_statement_follows_the_observed_over_expected_ratio(tiny_model, tmp_path, oe, verdict, words):
    page = section(tiny_model, hand_built(oe=oe), "en", tmp_path)
    said = page.finding(finding="calibration", group="2001-2004", verdict=verdict)
    assert f"(O/E {oe:.2f})" in said and words in said
    assert "The model predicts the simulator's true deficiency, not these surrogate outcomes" in page.finding(
        finding="caveat"
    )


def test_the_simulator_statement_gives_the_real_and_simulated_shares_and_medians(pages):
    said = pages["en"].finding(finding="simulator", group="2001-2004")
    assert said == (
        "The simulator puts 10.3% of adults below 148 pmol/L against 2.2% of US adults in NHANES 2001-2004: "
        "4.7 times as many. The gap is largest in adults aged 60+: 20.6% simulated against 3.8% real. "
        "Median serum B12: 249 pmol/L simulated against 337 real."
    )


def test_the_decision_curve_statement_counts_thresholds_above_test_all_and_test_none(pages):
    said = pages["en"].finding(finding="decision", group="2001-2004")
    dc = hand_built().decision.query("group == '2001-2004'").pivot(index="threshold", columns="strategy")["net_benefit"]
    floor = dc["test all"].clip(lower=0)
    k_model, k_real = int((dc["model"] > floor).sum()), int((dc["real_cv"] > floor).sum())
    assert 0 < k_model < k_real < len(dc)  # the hand-built curves cross "test all"
    assert f"b12risk model {k_model}; model fitted on the real data (CV) {k_real}." in said
    assert "of 30 from 0.01 to 0.30" in said


# --------------------------------------------------------------------------- figures and the marginals table


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_decision_curve_and_the_real_vs_simulated_figure_are_embedded_and_saved(built, pages, lang):
    suffix = "" if lang == "en" else "_ar"
    figures = built[lang].parent / "figures"
    for stem in ("nhanes_decision", "nhanes_marginals"):
        img = next(pages[lang].by_id(f"fig-{stem}").iter("img"))
        png = base64.b64decode(img.attrs["src"].removeprefix("data:image/png;base64,"))
        assert img.attrs["data-file"] == f"figures/{stem}{suffix}.png"
        assert (figures / f"{stem}{suffix}.png").read_bytes() == png
        assert (figures / f"{stem}{suffix}.svg").is_file()


def test_the_marginals_table_marks_the_rows_where_the_simulator_is_far_off(pages):
    rows = list(pages["en"].by_id("nhanes-marginals").iter("tr"))[1:]
    off = {(r.attrs["data-metric"], r.attrs["data-stratum"]): r.attrs["data-off"] for r in rows}
    assert off[("share serum B12 < 148", "20+")] == "true"  # 4.7 times as many
    assert off[("share eGFR < 60", "20+")] == "false"  # 1.05
    first = [td.text() for td in rows[0].iter("td")]
    assert first == ["serum B12 below 148 pmol/L", "aged 20+", "2.2%", "2.2%", "10.3%", "4.68", "4.68"]


# --------------------------------------------------------------------------- model card


def test_the_model_card_limitations_and_the_top_banner_state_the_measured_figures(pages):
    measured = [li.text() for li in pages["en"].by_id("limitations").iter("li") if li.attrs.get("data-measured")]
    assert measured[0].startswith(
        "On real US adults (NHANES 2001-2004), given serum B12, the model ranked raised MMA worse than serum B12 "
        "alone: AUROC 0.700 (0.680–0.720) against 0.760 (0.740–0.780)"
    )
    assert (
        "A model fitted on those real adults with the same fields (cross-validated) reached 0.790 (0.770–0.810)."
        in measured[0]
    )
    assert measured[1].startswith("On the same adults, the model's probabilities were about 0.30× the observed rate")
    assert "observed/expected 3.30" in measured[1] and "predicts the simulator's true deficiency" in measured[1]
    assert "puts 10.3% of adults below 148 pmol/L, against 2.2%" in measured[2]
    banner = pages["en"].by_id("nhanes-banner")
    assert "danger" in banner.attrs["class"] and banner.attrs["data-rank"] == "worse"
    assert measured[0] in banner.text()
    assert "Decision support, NOT a diagnosis." in pages["en"].by_id("model-card").text()
    arabic = [li.text() for li in pages["ar"].by_id("limitations").iter("li") if li.attrs.get("data-measured")]
    assert len(arabic) == 3 and "أسوأ من ب12 في المصل وحده" in arabic[0]


def test_render_model_card_adds_the_measurement_only_when_given(tiny_model):
    meta = tiny_model.metadata
    before = modelcard.render_model_card(meta, version="0.1.0", released=False)
    after = modelcard.render_model_card(meta, version="0.1.0", released=False, nhanes=hand_built())
    assert "## Real patients (NHANES)" not in before  # the fitted world is named in the limitations either way
    assert "## Real patients (NHANES)" in after
    assert "| 2001-2004 | raised_mma | serum_b12 | 8,000 | 400 | 0.700 (0.680-0.720) |" in after
    for line in modelcard.nhanes_limitations(hand_built()):
        assert f"- {line}" in after
    assert after.startswith(before.split("## Known limitations")[0])


# --------------------------------------------------------------------------- sources of the measurement


def test_nhanes_false_leaves_the_section_out_and_says_so(pages):
    page = pages["off"]
    assert "left out the check on real patients" in page.by_id("nhanes-omitted").text()
    assert not [e for e in page.elements if e.attrs.get("id", "").startswith("fig-nhanes")]
    assert "not checked" in page.by_id("nhanes-banner").text()
    measured = [li.text() for li in page.by_id("limitations").iter("li") if li.attrs.get("data-measured")]
    assert measured == ["Not measured on real patients in this build of the report (its NHANES section was left out)."]


def test_a_folder_of_written_tables_gives_the_same_page_as_the_object(built):
    assert built["path"].read_bytes() == built["en"].read_bytes()
    for name in ("performance.csv", "decision.csv", "marginals.csv", "adapter.csv", "outcomes.csv", "summary.json"):
        assert (built["path"].parent / "nhanes" / name).read_bytes() == (
            built["en"].parent / "nhanes" / name
        ).read_bytes()
    for stem in ("nhanes_decision", "nhanes_marginals"):
        for ext in (".png", ".svg"):
            first, second = (built[k].parent / "figures" / f"{stem}{ext}" for k in ("en", "path"))
            assert first.read_bytes() == second.read_bytes()


def test_a_measurement_of_another_model_is_flagged(tiny_model, tmp_path):
    page = section(tiny_model, hand_built(version="9.9.9"), "en", tmp_path)
    assert "measured for model 9.9.9, not for this model (0.1.0)" in page.by_id("nhanes-version").text()


@pytest.mark.parametrize("bad", [42, ["tables"]])
def test_an_nhanes_argument_of_another_kind_is_refused_before_any_work(tiny_model, tmp_path, bad):
    with pytest.raises(ConfigError, match="nhanes must be True"):
        report.build_report(tiny_model, tmp_path / "out", nhanes=bad)
    assert not (tmp_path / "out").exists()


def test_a_folder_without_the_tables_is_refused_before_any_work(tiny_model, tmp_path):
    (tmp_path / "tables").mkdir()
    hand_built().performance.to_csv(tmp_path / "tables" / "performance.csv", index=False)
    with pytest.raises(
        ConfigError, match=re.escape("missing decision.csv, marginals.csv, adapter.csv, outcomes.csv, summary.json")
    ):
        report.build_report(tiny_model, tmp_path / "out", nhanes=tmp_path / "tables")
    assert not (tmp_path / "out").exists()


def test_true_measures_the_model_once_per_process_with_the_documented_settings(tiny_model, tmp_path, monkeypatch):
    calls = []

    def fake(model, **kwargs):
        calls.append((model, kwargs))
        return hand_built()

    monkeypatch.setattr(report, "validate", fake)  # b12risk.nhanes.validation.validate, as report calls it
    monkeypatch.setattr(report, "_VALIDATIONS", {})
    first = report._nhanes_tables(True, tiny_model, tmp_path / "en")
    second = report._nhanes_tables(True, tiny_model, tmp_path / "ar")
    assert calls == [(tiny_model, {"simulated_n": 100_000, "seed": 0})]
    pd.testing.assert_frame_equal(first.performance, second.performance)
    assert (tmp_path / "en" / "summary.json").read_bytes() == (tmp_path / "ar" / "summary.json").read_bytes()


# --------------------------------------------------------------------------- a real measurement


@pytest.fixture(scope="module")
def real(tiny_model):
    from b12risk.nhanes.validation import validate

    return validate(tiny_model, cycles=["2011-2012"], simulated_n=20_000)


@pytest.mark.slow
def test_a_real_measurement_renders_every_cell_as_measured(tiny_model, real, tmp_path):
    page = section(tiny_model, real, "en", tmp_path / "one")
    assert not [e for e in page.elements if e.attrs.get("id") == "nhanes-2001-2004"]  # that cycle was not loaded
    model = real.performance.query("scorer == 'model'")
    assert len(model) >= 3
    for r in model.itertuples():
        cells = [
            e
            for e in page.elements
            if e.tag == "td"
            and e.attrs.get("data-metric") == "auroc"
            and (e.attrs["data-group"], e.attrs["data-outcome"], e.attrs["data-level"], e.attrs["data-scorer"])
            == (r.group, r.outcome, r.level, "model")
        ]
        assert len(cells) == 1
        assert cells[0].text() == f"{r.auroc:.3f} ({r.auroc_lo:.3f}–{r.auroc_hi:.3f})"
    said = page.finding(finding="rank-serum_b12", group="2011-2012", level="serum_b12")
    verdict = verdicts.nhanes_headline(real, "2011-2012").rank
    phrase = {"worse": "ranked worse than", "better": "ranked better than", "overlap": "neither clearly better"}
    assert phrase[verdict] in said
    again = section(tiny_model, real, "en", tmp_path / "two")
    assert again.by_id("nhanes").text() == page.by_id("nhanes").text()
    for stem in ("nhanes_decision", "nhanes_marginals"):
        assert (tmp_path / "one" / "figures" / f"{stem}.png").read_bytes() == (
            tmp_path / "two" / "figures" / f"{stem}.png"
        ).read_bytes()


@pytest.mark.parametrize(
    ("flags", "expected"),
    [([], True), (["--no-nhanes"], False), (["--nhanes", "tables/dir"], Path("tables/dir"))],
)
def test_the_report_command_passes_the_nhanes_choice_through(monkeypatch, tmp_path, flags, expected):
    from b12risk import cli
    from b12risk.reporting import report

    seen = {}

    def fake(model, out, **kwargs):
        seen.update(kwargs)
        return tmp_path / "report.html"

    monkeypatch.setattr(report, "build_report", fake)
    for name, module in list(sys.modules.items()):  # a command module may hold its own reference
        if name.startswith("b12risk.cli") and getattr(module, "build_report", None) is not None:
            monkeypatch.setattr(module, "build_report", fake)
    assert cli.main(["report", "--out", str(tmp_path), *flags]) == 0
    assert seen["nhanes"] == expected


def test_the_report_command_refuses_both_nhanes_flags(capsys):
    from b12risk import cli

    with pytest.raises(SystemExit) as exc:
        cli.main(["report", "--no-nhanes", "--nhanes", "x"])
    assert exc.value.code == 2
    assert "not allowed with argument" in capsys.readouterr().err


def with_paired(validation: ExternalValidation, diff: tuple[float, float, float]) -> ExternalValidation:
    """``validation`` with the model-minus-serum-B12 paired interval set to ``diff`` at raised MMA, serum B12."""
    perf = validation.performance.copy()
    for col in ("model_minus", "model_minus_lo", "model_minus_hi"):
        perf[col] = NAN
    rows = (perf["outcome"] == "raised_mma") & (perf["level"] == "serum_b12") & (perf["scorer"] == "serum_b12")
    perf.loc[rows, ["model_minus", "model_minus_lo", "model_minus_hi"]] = diff
    validation.performance = perf
    return validation


def test_a_paired_interval_below_zero_says_worse_even_when_the_two_intervals_overlap(tiny_model, tmp_path):
    close = with_paired(hand_built(model=(0.75, 0.72, 0.78), serum=(0.76, 0.74, 0.78)), (-0.012, -0.020, -0.004))
    said = section(tiny_model, close, "en", tmp_path / "en").finding(finding="rank-serum_b12", group="2001-2004")
    assert said == (
        "2001-2004, raised MMA, with serum B12: the model ranked worse than serum B12 alone: "
        "AUROC 0.750 (0.720–0.780) against 0.760 (0.740–0.780); difference -0.012 (paired 95% interval -0.020 "
        "to -0.004)."
    )
    arabic = _plain(
        section(tiny_model, close, "ar", tmp_path / "ar").finding(finding="rank-serum_b12", group="2001-2004")
    )
    assert "أسوأ من ب12 في المصل وحده" in arabic and "-0.020" in arabic


def test_a_paired_interval_across_zero_says_neither(tiny_model, tmp_path):
    close = with_paired(hand_built(), (-0.010, -0.030, +0.010))
    said = section(tiny_model, close, "en", tmp_path).finding(finding="rank-serum_b12", group="2001-2004")
    assert said.endswith("difference -0.010, whose paired 95% interval (-0.030 to +0.010) includes 0.")
