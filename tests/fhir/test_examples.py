"""Each example patient as a hand-written FHIR Bundle predicts exactly what its dict predicts."""

from __future__ import annotations

import datetime as dt

import pytest

from b12risk import predict
from b12risk.fhir import from_fhir
from fhir_cases import AS_OF, NAMES, bundle, example, outside_record


@pytest.mark.parametrize("name", NAMES)
def test_bundle_reads_back_as_the_example_and_predicts_the_same(name):
    ex = example(name)
    extra = outside_record(ex)
    record = from_fhir(bundle(name), as_of=AS_OF, extra=extra)
    assert record.data == ex
    assert record.notes == ()
    a, b = predict(ex), record.predict()
    assert (b.probability, b.log_odds, b.risk_band, b.information_level) == (
        a.probability,
        a.log_odds,
        a.risk_band,
        a.information_level,
    )
    assert [(c.field, c.log_odds) for c in b.contributions] == [(c.field, c.log_odds) for c in a.contributions]


@pytest.mark.parametrize("name", NAMES)
def test_every_value_from_the_record_names_its_resource(name):
    ex = example(name)
    record = from_fhir(bundle(name), as_of=AS_OF)
    from_record = {k: v for k, v in ex.items() if k not in outside_record(ex)}
    assert record.data == from_record  # without extra: exactly what the record carries
    ids = {e["resource"]["resourceType"] + "/" + e["resource"]["id"] for e in bundle(name)["entry"]}
    for field in record.data:
        names = [s.resource for s in record.sources[field]]
        assert names and all(n in ids for part in names for n in part.split(", ")), (field, names)


def test_fields_outside_the_record_are_only_those_without_a_checked_code():
    # region, diet and gastrectomy are in every example; none has a code in seeds/codes.toml
    assert {"region", "diet", "gastrectomy"} <= set(outside_record(example(NAMES[0])))
    assert not {"serum_b12_pmol_l", "ppi_years", "pregnant", "hiv", "fatigue"} & set(
        outside_record({"serum_b12_pmol_l": 1, "ppi_years": 1, "pregnant": True, "hiv": True, "fatigue": True})
    )


def test_age_is_whole_years_on_the_date_read():
    b = bundle("vegan_pregnancy")
    born = dt.date.fromisoformat(b["entry"][0]["resource"]["birthDate"])
    assert from_fhir(b, as_of=AS_OF).data["age"] == 29
    birthday = born.replace(year=born.year + 30)
    assert from_fhir(b, as_of=birthday - dt.timedelta(days=1)).data["age"] == 29
    assert from_fhir(b, as_of=birthday).data["age"] == 30
