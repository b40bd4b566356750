"""The service answers each example patient's patient-view with the probability predict() gives."""

from __future__ import annotations

import copy

import pytest

from b12risk import predict
from b12risk.cds.cards import percent
from b12risk.fhir import from_fhir
from b12risk.words import t
from cds_cases import FHIR_TOKEN, request_body, today
from fhir_cases import NAMES, bundle, example

VIEW = "/cds-services/b12risk-patient-view"
ORDER = "/cds-services/b12risk-order-select"


def expected(name: str):
    """predict() of the whole example dict, with its age on today's date (the service reads the
    record on the day it is called; tests/fhir/test_examples.py checks the age on AS_OF)."""
    data = dict(example(name))
    data["age"] = from_fhir(bundle(name), as_of=today()).data["age"]
    return predict(data)


@pytest.mark.parametrize("name", NAMES)
def test_patient_view_card_has_the_probability_predict_gives(call, name):
    r = call(VIEW, request_body(bundle(name)))
    assert r.status_code == 200, r.text
    cards = r.json()["cards"]
    risk = cards[0]
    p = expected(name)
    ext = risk["extension"]["b12risk"]
    assert (ext["probability"], ext["risk_band"], ext["information_level"]) == (
        p.probability,
        p.risk_band,
        p.information_level,
    )
    assert ext["model_version"] == p.model_version
    assert ext["fields"] == sorted(example(name))  # every field of the example, none dropped
    assert percent(p.probability) in risk["summary"] and len(risk["summary"]) < 140
    assert risk["indicator"] == ("warning" if p.risk_band == "high" else "info")
    assert risk["source"]["label"] == f"b12risk {p.model_version}"
    top = next(c for c in p.contributions if c.field != "(not given)")
    assert top.label.split(" (")[0] in risk["detail"]
    assert t("disclaimer", "en") in risk["detail"]


def test_arabic_cards_from_accept_language(call):
    name = "vegan_pregnancy"
    r = call(VIEW, request_body(bundle(name)), headers={"Accept-Language": "ar-SA, en;q=0.5"})
    card = r.json()["cards"][0]
    assert card["extension"]["b12risk"]["probability"] == expected(name).probability
    assert t("disclaimer", "ar") in card["detail"] and t("disclaimer", "en") not in card["detail"]
    assert (
        t("high", "ar") in card["summary"]
        or t("moderate", "ar") in card["summary"]
        or t("low", "ar") in card["summary"]
    )


def test_without_prefetch_the_configured_fhir_server_is_read(call, fake_fhir):
    name = "hiv_latin_america"
    b = bundle(name)
    before = len(fake_fhir.requests)
    body = request_body(b, prefetch=None, fhirServer=fake_fhir.url,
                        fhirAuthorization={"access_token": FHIR_TOKEN, "token_type": "Bearer", "expires_in": 300,
                                           "scope": "patient/*.read", "subject": "b12risk"})  # fmt: skip
    r = call(VIEW, body)
    assert r.status_code == 200, r.text
    assert r.json()["cards"][0]["extension"]["b12risk"]["probability"] == expected(name).probability
    reads = fake_fhir.requests[before:]
    assert len(reads) == 6 and any(p.startswith("/fhir/Patient/hiv-latin-america") for p in reads)


def test_a_null_prefetch_is_no_data_and_is_not_fetched(call, fake_fhir):
    b = bundle("older_adult_ppi_metformin")
    body = request_body(b)
    body["prefetch"]["medicationStatements"] = None
    before = len(fake_fhir.requests)
    r = call(VIEW, body)
    assert r.status_code == 200 and len(fake_fhir.requests) == before
    assert "ppi_years" not in r.json()["cards"][0]["extension"]["b12risk"]["fields"]


def test_missing_prefetch_keys_other_than_the_patient_are_named_on_the_card(call):
    body = request_body(bundle("vegetarian_screening_no_labs"))
    del body["prefetch"]["conditions"]
    r = call(VIEW, body)
    assert r.status_code == 200
    assert "Not provided by the EHR and not fetched: conditions." in r.json()["cards"][0]["detail"]


def test_the_test_that_informs_most_is_suggested_where_the_knowledge_supports_it(call):
    # serum B12 182 pmol/L: between NICE's 133 and 258; no MMA; eGFR 62 -> MMA
    b = bundle("older_adult_ppi_metformin")
    cards = call(VIEW, request_body(b)).json()["cards"]
    assert len(cards) == 2
    suggestion = cards[1]
    assert suggestion["selectionBehavior"] == "at-most-one"
    request = suggestion["suggestions"][0]["actions"][0]["resource"]
    assert request["resourceType"] == "ServiceRequest" and request["code"]["coding"][0]["code"] == "13964-2"
    assert request["subject"]["reference"] == "Patient/older-adult-ppi-metformin"
    # the same patient with weak kidneys: MMA would reflect the kidneys, so holotranscobalamin
    egfr = next(
        e["resource"]
        for e in b["entry"]
        if e["resource"].get("code", {}).get("coding", [{}])[0].get("code") == "33914-3"
    )
    egfr["valueQuantity"]["value"] = 42
    cards = call(VIEW, request_body(b)).json()["cards"]
    assert cards[1]["suggestions"][0]["actions"][0]["resource"]["code"]["coding"][0]["code"] == "72160-5"
    # a full panel leaves nothing to suggest
    assert len(call(VIEW, request_body(bundle("pernicious_anaemia_falsely_normal_b12"))).json()["cards"]) == 1


def draft(code: str, system: str = "http://loinc.org") -> dict:
    return {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": {
        "resourceType": "ServiceRequest", "id": "order-1", "status": "draft", "intent": "order",
        "subject": {"reference": "Patient/older-adult-ppi-metformin"},
        "code": {"coding": [{"system": system, "code": code}]}}}]}  # fmt: skip


def test_order_select_answers_when_a_b12_test_is_ordered(call):
    name = "older_adult_ppi_metformin"
    body = request_body(bundle(name), hook="order-select")
    body["context"].update(selections=["ServiceRequest/order-1"], draftOrders=draft("2132-9"))
    cards = call(ORDER, body).json()["cards"]
    assert cards[0]["extension"]["b12risk"]["probability"] == expected(name).probability
    shown = cards[0]["detail"].replace("\\", "")  # Markdown escapes removed, as a reader sees it
    assert "Being ordered: Cobalamin (Vitamin B12) [Mass/volume] in Serum or Plasma." in shown
    assert cards[1]["suggestions"][0]["actions"][0]["resource"]["code"]["coding"][0]["code"] == "13964-2"


def test_order_select_is_silent_for_other_orders_and_for_the_suggested_test_itself(call):
    body = request_body(bundle("older_adult_ppi_metformin"), hook="order-select")
    body["context"].update(selections=["ServiceRequest/order-1"], draftOrders=draft("2093-3"))  # cholesterol
    assert call(ORDER, body).json() == {"cards": []}
    body["context"].update(draftOrders=draft("13964-2"))  # MMA, the suggested test, already being ordered
    cards = call(ORDER, body).json()["cards"]
    assert len(cards) == 1 and "Methylmalonate" in cards[0]["detail"]


def test_discovery_lists_both_hooks_with_prefetch_templates(call):
    r = call("/cds-services")
    services = {s["id"]: s for s in r.json()["services"]}
    assert {s["hook"] for s in services.values()} == {"patient-view", "order-select"}
    templates = services["b12risk-patient-view"]["prefetch"]
    assert templates["patient"] == "Patient/{{context.patientId}}"
    assert "http://loinc.org|2132-9" in templates["observations"]
    assert all(s["description"] and s["title"] for s in services.values())


def test_health_and_the_openapi_page(service):
    import httpx

    with httpx.Client() as client:
        health = client.get(service.url + "/health").json()
        page = client.get(service.url + "/docs")
        spec = client.get(service.url + "/openapi.json").json()
    assert health == {"status": "ok", "model_version": predict(example(NAMES[0])).model_version,
                      "services": ["b12risk-patient-view", "b12risk-order-select"]}  # fmt: skip
    assert page.headers["content-type"].startswith("text/html") and "/cds-services/{service_id}" in page.text
    assert "<script" not in page.text and "src=" not in page.text and "cdn" not in page.text.lower()
    assert "/cds-services/{service_id}" in spec["paths"]


def test_a_card_is_the_same_for_the_same_record(call):
    b = bundle("borderline_b12_high_mma")
    first = call(VIEW, request_body(copy.deepcopy(b))).json()["cards"][0]
    second = call(VIEW, request_body(copy.deepcopy(b))).json()["cards"][0]
    assert first["uuid"] != second["uuid"]
    assert {k: v for k, v in first.items() if k != "uuid"} == {k: v for k, v in second.items() if k != "uuid"}


def test_order_select_with_invalid_draft_orders_is_422_naming_the_order(call):
    body = request_body(bundle("older_adult_ppi_metformin"), hook="order-select")
    orders = draft("2132-9")
    del orders["entry"][0]["resource"]["intent"]  # ServiceRequest.intent is required
    body["context"].update(selections=["ServiceRequest/order-1"], draftOrders=orders)
    r = call(ORDER, body)
    assert r.status_code == 422, r.text
    assert r.json()["problems"] == [
        "ServiceRequest/order-1: is not valid FHIR R4: intent: Value for the field 'intent' is required"
    ]


def test_a_fhir_server_that_refuses_the_token_is_412(call, fake_fhir):
    body = request_body(bundle("hiv_latin_america"), prefetch=None, fhirServer=fake_fhir.url + "/",
                        fhirAuthorization={"access_token": "wrong", "token_type": "Bearer", "expires_in": 300,
                                           "scope": "patient/*.read", "subject": "b12risk"})  # fmt: skip
    r = call(VIEW, body)
    assert r.status_code == 412, r.text
    assert (
        r.json()["error"]
        == "cannot read the patient's data from the FHIR server: Patient/hiv-latin-america: the FHIR server answered HTTP 401"
    )
