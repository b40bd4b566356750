"""Every scorer of the scorer table is drawn as the table says: colour, line style and name.

Small made-up curve samples and NHANES decision tables give every scorer an output, so
each figure has a legend entry per scorer; the entries must carry the table's style
and label in both languages. Serum B12 alone ranks but gives no probability: the one
scorer an NHANES decision curve leaves out, by the rule written as data.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from b12risk.knowledge import LEVELS
from b12risk.modelling.scorers import SCORERS, TRAINING_SCORERS, VALIDATION_SCORERS
from b12risk.reporting.figures import curves, nhanes
from b12risk.reporting.figures.layout import scorer_name
from b12risk.serving.plots import rtl


def legend_entries(fig) -> dict[str, tuple[str, str]]:
    """Legend label -> (colour, line style) of the figure's legend lines."""
    (legend,) = fig.legends
    return {h.get_label(): (h.get_color(), h.get_linestyle()) for h in legend.legend_handles}


def drawn_as_in_the_table(entries: dict[str, tuple[str, str]], scorer: str, language: str) -> bool:
    s = SCORERS[scorer]
    return entries.get(rtl(s.label(language))) == (s.color, s.line)


@pytest.fixture(scope="module")
def curve_sample() -> pd.DataFrame:
    """Two scenarios x every level, every training scorer with a probability and a score on every row."""
    rng = np.random.default_rng(3)
    parts = []
    for level in LEVELS:
        for scenario in ("us_uk", "older_adults"):
            y = rng.random(400) < 0.2
            frame = {"scenario": scenario, "level": level, "y": y.astype(int)}
            for scorer in TRAINING_SCORERS:
                p = np.clip(0.2 + 0.3 * y + rng.normal(0, 0.15, y.size), 0.001, 0.999)
                frame[f"{scorer}_p"] = p
                frame[f"{scorer}_score"] = p
            parts.append(pd.DataFrame(frame))
    return pd.concat(parts, ignore_index=True)


def nhanes_decision_table(strategies) -> pd.DataFrame:
    thresholds = np.round(np.arange(0.01, 0.3001, 0.01), 2)
    rows = [
        {
            "group": "2001-2004",
            "outcome": "raised_mma",
            "level": "serum_b12",
            "strategy": s,
            "threshold": t,
            "net_benefit": 0.02 - t / 20,
        }
        for s in [*strategies, "test all"]
        for t in thresholds
    ]
    return pd.DataFrame(rows)


@pytest.mark.parametrize("language", ["en", "ar"])
@pytest.mark.parametrize("kind", ["roc", "pr"])
def test_every_training_scorer_is_drawn_with_its_style_on_the_discrimination_curves(curve_sample, kind, language):
    entries = legend_entries(curves.discrimination(curve_sample, kind, language))
    assert [s for s in TRAINING_SCORERS if not drawn_as_in_the_table(entries, s, language)] == []


@pytest.mark.parametrize("language", ["en", "ar"])
def test_every_training_scorer_is_drawn_with_its_style_on_the_decision_curves(curve_sample, language):
    entries = legend_entries(curves.decision(curve_sample, 0.1, language))
    assert [s for s in TRAINING_SCORERS if not drawn_as_in_the_table(entries, s, language)] == []
    labels = list(entries)
    assert labels[: len(TRAINING_SCORERS)] == [rtl(SCORERS[s].label(language)) for s in TRAINING_SCORERS]


@pytest.mark.parametrize("language", ["en", "ar"])
def test_every_validation_scorer_with_probabilities_is_drawn_on_the_nhanes_decision_curve(language):
    table = nhanes_decision_table(VALIDATION_SCORERS)  # serum B12 included, as if it had net benefits
    fig = nhanes.nhanes_decision(
        table,
        group="2001-2004",
        outcome="raised_mma",
        level="serum_b12",
        outcome_name="raised MMA",
        n=1000,
        prevalence=0.05,
        language=language,
    )
    entries = legend_entries(fig)
    drawn = [s for s in VALIDATION_SCORERS if s not in nhanes.WITHOUT_PROBABILITIES]
    assert [s for s in drawn if not drawn_as_in_the_table(entries, s, language)] == []
    assert not {rtl(SCORERS[s].label(language)) for s in nhanes.WITHOUT_PROBABILITIES} & set(entries)
    assert list(entries)[: len(drawn)] == [rtl(SCORERS[s].label(language)) for s in drawn]


def test_the_rule_left_out_of_decision_curves_names_scorers_of_the_table():
    assert nhanes.WITHOUT_PROBABILITIES == {"serum_b12"}
    assert nhanes.WITHOUT_PROBABILITIES <= set(VALIDATION_SCORERS)
    assert nhanes.decision_strategies(["test all", "serum_b12", "cb12", "model"]) == ["model", "cb12"]


def test_every_scorer_of_the_table_is_drawn_somewhere_or_left_out_by_the_rule():
    assert set(SCORERS) == set(TRAINING_SCORERS) | set(VALIDATION_SCORERS)
    unseen = set(SCORERS) - set(TRAINING_SCORERS) - (set(VALIDATION_SCORERS) - nhanes.WITHOUT_PROBABILITIES)
    assert unseen == set(nhanes.WITHOUT_PROBABILITIES)  # serum B12 alone is shown in the tables only


@pytest.mark.parametrize("language", ["en", "ar"])
def test_tables_name_each_scorer_as_the_table_does_and_an_unknown_one_by_its_key(language):
    for name, scorer in SCORERS.items():
        assert scorer_name(name, language) == scorer.label(language)
    assert scorer_name("not_a_scorer", language) == "not_a_scorer"
