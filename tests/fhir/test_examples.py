"""Each example patient as a hand-written FHIR Bundle reads back as exactly its dict, from
the record alone (no ``extra``), and predicts exactly what its dict predicts."""

from __future__ import annotations

import datetime as dt

import pytest

from b12risk import predict
from b12risk.fhir import from_fhir
from fhir_cases import AS_OF, NAMES, bundle, example, outside_record


@pytest.mark.parametrize("name", NAMES)
def test_bundle_reads_back_as_the_example_and_predicts_the_same(name):
    ex = example(name)
    record = from_fhir(bundle(name), as_of=AS_OF)
    assert record.data == ex  # every field, from the record alone
    assert record.notes == ()
    assert record.extra_fields == ()
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
    record = from_fhir(bundle(name), as_of=AS_OF)
    ids = {e["resource"]["resourceType"] + "/" + e["resource"]["id"] for e in bundle(name)["entry"]}
    assert set(record.sources) == set(record.data)
    for field in record.data:
        names = [s.resource for s in record.sources[field]]
        assert names and all(n in ids for part in names for n in part.split(", ")), (field, names)


def test_no_example_field_is_outside_what_the_code_book_reads():
    for name in NAMES:
        assert outside_record(example(name)) == {}, name
    # the helper still tells a field without a code from one with a code
    assert outside_record({"guilt": True, "region": "us_uk", "diet": "vegan", "gastrectomy": "none"}) == {"guilt": True}


def test_age_is_whole_years_on_the_date_read():
    b = bundle("vegan_pregnancy")
    born = dt.date.fromisoformat(b["entry"][0]["resource"]["birthDate"])
    assert from_fhir(b, as_of=AS_OF).data["age"] == 29
    birthday = born.replace(year=born.year + 30)
    assert from_fhir(b, as_of=birthday - dt.timedelta(days=1)).data["age"] == 29
    assert from_fhir(b, as_of=birthday).data["age"] == 30
