"""The provenance section shows where the sources disagree (seeds/disagreements.toml): one
row per entry, with the article's paragraph and figure, every primary source and real-data
figure, the side that drives the simulator and why, in English and in Arabic.

The section is rendered directly from the knowledge base: it reads nothing of the model,
so no report needs building.
"""

from __future__ import annotations

import pytest

from b12risk.knowledge import load
from b12risk.reporting.data import ReportData
from b12risk.reporting.html import provenance
from b12risk.words import say
from html_page import Page

KB = load()


def section_of(language: str) -> Page:
    """The provenance section in ``language``, parsed; only the knowledge base and language are read."""
    data = ReportData(
        loaded=None,
        kb=KB,
        language=language,
        table=None,
        subgroups=None,
        curves=None,
        cohort=None,
        masked={},
        shap={},
        checks=[],
        examples=None,
    )
    return Page(provenance.render(data), collapse_whitespace=True)


@pytest.fixture(scope="module", params=["en", "ar"])
def page(request) -> tuple[str, Page]:
    return request.param, section_of(request.param)


def rows(page: Page) -> dict[str, object]:
    table = page.by_id("provenance-disagreements")
    return {tr.attrs["data-key"]: tr for tr in table.iter("tr") if "data-key" in tr.attrs}


def test_the_table_sits_in_the_provenance_section_under_its_heading(page):
    language, parsed = page
    section = parsed.by_id("provenance")
    headings = [h.text() for h in section.iter("h3")]
    assert say("disagreements", language) in headings
    assert [th.text() for th in parsed.by_id("provenance-disagreements").iter("th")] == [
        say(f"col.{k}", language)
        for k in ("claim", "article", "primary", "real_data", "drives", "reason", "in_simulator")
    ]


def test_every_disagreement_appears_once_with_every_side_and_what_drives(page):
    language, parsed = page
    found = rows(parsed)
    assert list(found) == list(KB.disagreements)
    for key, entry in KB.disagreements.items():
        row = found[key]
        cells = [td.text() for td in row.iter("td")]
        claim, article, primary, real, drives, reason, where = cells
        assert (entry.label_ar if language == "ar" else entry.label_en) in claim and entry.claim in claim
        assert f"¶{entry.article.paragraph}" in article
        assert entry.article.text in article and entry.article.figure in article
        for p in entry.primary:
            assert p.citation in primary and p.figure in primary, (key, p.citation)
        for r in entry.real_data:
            assert r.source in real and r.figure in real, (key, r.source)
        assert (primary == "–") == (not entry.primary) and (real == "–") == (not entry.real_data)
        assert drives == say(f"drives.{entry.drives}", language) and row.attrs["data-drives"] == entry.drives
        assert reason == " ".join(entry.reason.split()) and where == " ".join(entry.in_simulator.split())


def test_the_us_uk_rows_say_the_world_is_fitted_to_nhanes():
    found = rows(section_of("en"))
    for key in ("us_uk_prevalence", "western_marginal"):
        text = found[key].text()
        assert "Real data" in text and "NHANES" in text and "targets.toml" in text, key
        assert "fitted to NHANES" in KB.disagreements[key].reason
