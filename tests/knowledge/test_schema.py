"""The feature contract: every field's name, kind, level and unit come from the seeds,
each column once, in the order predict() and the model see them."""

import itertools

import pandas as pd
import pytest

from b12risk.errors import ConfigError
from b12risk.knowledge import LEVELS, load
from b12risk.knowledge.schema import check_level, features, level_columns, mask_to_level, to_model_frame

KB = load()
FEATURES = features()


def test_every_cause_column_is_a_feature_at_the_risk_factor_level():
    for name, cause in KB.causes.items():
        for column in cause.columns:
            assert FEATURES[column].cause == name
            assert FEATURES[column].level == "risk_factors"


def test_every_biomarker_and_symptom_is_a_feature_at_its_level():
    for b in KB.biomarkers.values():
        assert FEATURES[b.column].level == b.level
        assert FEATURES[b.column].unit == b.unit
    for s in KB.symptoms:
        assert FEATURES[s].level == "symptoms" and FEATURES[s].kind == "binary"


def test_levels_are_nested():
    columns = [set(level_columns(level)) for level in LEVELS]
    for lower, higher in itertools.pairwise(columns):
        assert lower < higher
    assert columns[-1] == set(FEATURES)


def test_masking_blanks_exactly_the_fields_above_the_level():
    frame = pd.DataFrame({name: [1.0] for name in FEATURES if FEATURES[name].kind == "numeric"})
    masked = mask_to_level(frame, "serum_b12")
    for name in frame:
        assert masked[name].isna().all() == (FEATURES[name].level == "full_panel")


def test_an_unknown_level_is_refused_naming_the_choices():
    with pytest.raises(ConfigError, match="full_panel"):
        check_level("everything")


def test_the_model_frame_keeps_the_contracts_order_and_types():
    df = pd.DataFrame({"age": [70], "sex": ["female"], "diet": ["vegan"]})
    out = to_model_frame(df)
    assert list(out.columns) == list(FEATURES)
    assert isinstance(out["diet"].dtype, pd.CategoricalDtype)
    assert list(out["diet"].cat.categories) == KB.causes["diet"].levels
