"""How a record is read: the latest result, periods of medicines, what is not used and why."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from b12risk.errors import FhirInputError
from b12risk.fhir import from_fhir
from fhir_cases import AS_OF, bundle

LOINC, UCUM, ATC, RX = (
    "http://loinc.org",
    "http://unitsofmeasure.org",
    "http://www.whocc.no/atc",
    "http://www.nlm.nih.gov/research/umls/rxnorm",
)
PATIENT = {"resourceType": "Patient", "id": "p", "gender": "male", "birthDate": "1960-05-01"}


def record(*resources, **kwargs):
    return from_fhir([PATIENT, *resources], as_of=kwargs.pop("as_of", AS_OF), **kwargs)


def b12(rid, value, date, unit="pmol/L", status="final", code="2132-9"):
    return {
        "resourceType": "Observation", "id": rid, "status": status, "subject": {"reference": "Patient/p"},
        "code": {"coding": [{"system": LOINC, "code": code}]}, "effectiveDateTime": date,
        "valueQuantity": {"value": value, "unit": unit, "system": UCUM, "code": unit},
    }  # fmt: skip


def statement(rid, concept, start=None, end=None, status="active", **more):
    s = {"resourceType": "MedicationStatement", "id": rid, "status": status, "subject": {"reference": "Patient/p"},
         "medicationCodeableConcept": concept, **more}  # fmt: skip
    if start or end:
        s["effectivePeriod"] = {k: v for k, v in (("start", start), ("end", end)) if v}
    return s


OMEPRAZOLE = {"coding": [{"system": RX, "code": "7646", "display": "omeprazole"}]}
SCT, DIET = "http://snomed.info/sct", "http://terminology.hl7.org/CodeSystem/diet"


def procedure(rid, code, performed, status="completed"):
    p = {"resourceType": "Procedure", "id": rid, "status": status, "subject": {"reference": "Patient/p"},
         "code": {"coding": [{"system": SCT, "code": code}]}}  # fmt: skip
    if performed:
        p["performedDateTime"] = performed
    return p


def condition(rid, code, verification, system=SCT, date="2026-11-20", clinical=None):
    c = {"resourceType": "Condition", "id": rid, "subject": {"reference": "Patient/p"},
         "code": {"coding": [{"system": system, "code": code}]}, "recordedDate": date}  # fmt: skip
    if verification:
        c["verificationStatus"] = {"coding": [{"code": verification}]}
    if clinical:
        c["clinicalStatus"] = {"coding": [{"code": clinical}]}
    return c


def answer(rid, code, value, system=SCT, date="2026-11-20", **more):
    a = {"resourceType": "Observation", "id": rid, "status": "final", "subject": {"reference": "Patient/p"},
         "code": {"coding": [{"system": system, "code": code}]}, "effectiveDateTime": date, **more}  # fmt: skip
    if value is not None:
        a["valueBoolean"] = value
    return a


def test_the_most_recent_result_is_used_whatever_the_order():
    results = [b12("old", 300, "2020-01-10"), b12("new", 150, "2026-11-30"), b12("mid", 250, "2023-06-01")]
    for _ in range(3):
        random.shuffle(results)
        r = record(*results)
        assert r.data["serum_b12_pmol_l"] == 150
        assert r.sources["serum_b12_pmol_l"][0].resource == "Observation/new"
        assert r.sources["serum_b12_pmol_l"][0].date == "2026-11-30"
        assert {n.resource for n in r.notes} == {"Observation/old", "Observation/mid"}


def test_the_latest_result_may_be_in_another_unit():
    r = record(b12("a", 300, "2024-01-10"), b12("b", 200, "2026-11-30", unit="pg/mL"))
    assert r.data == {"age": 66, "sex": "male", "serum_b12_pg_ml": 200}


@pytest.mark.parametrize(
    ("status", "used"), [("final", True), ("amended", True), ("preliminary", False), ("cancelled", False)]
)
def test_only_final_results_are_used(status, used):
    r = record(b12("x", 150, "2026-11-30", status=status))
    assert ("serum_b12_pmol_l" in r.data) is used
    assert bool(r.notes) is not used
    if not used:
        assert status in r.notes[0].detail and r.notes[0].resource == "Observation/x"


def test_codes_not_read_and_resource_types_not_read_are_reported_not_dropped():
    chol = b12("chol", 5.2, "2026-11-30", unit="mmol/L", code="2093-3")
    appendix = procedure("appendix", "80146002", "2001-06-01")  # appendectomy: not a code b12risk reads
    sct_unknown = condition("itch", "418363000", None)  # itching of skin: a finding b12risk does not read
    vaccine = {"resourceType": "Immunization", "id": "flu"}
    r = record(chol, appendix, sct_unknown, vaccine)
    assert r.data == {"age": 66, "sex": "male"}
    notes = {n.resource: n.detail for n in r.notes}
    assert "2093-3" in notes["Observation/chol"] and "not one b12risk reads" in notes["Observation/chol"]
    assert notes["Procedure/appendix"] == f"code {SCT}|80146002 is not one b12risk reads"
    assert notes["Condition/itch"] == f"code {SCT}|418363000 is not one b12risk reads"
    assert notes["Immunization/flu"] == "Immunization resources are not read"


def test_years_of_a_medicine_are_the_union_of_its_periods():
    r = record(
        statement("a", OMEPRAZOLE, "2016-12-04T00:00:00Z", "2020-12-04T00:00:00Z", status="completed"),
        statement(
            "b",
            {"text": "Pantoprazole 40 mg tablet"},
            "2018-12-04T00:00:00Z",
            "2022-12-04T00:00:00Z",
            status="completed",
        ),
    )
    union = (dt.date(2022, 12, 4) - dt.date(2016, 12, 4)).days  # 2016-12-04 .. 2022-12-04, the overlap once
    assert r.data["ppi_years"] == pytest.approx(union / 365.25, rel=1e-12)
    assert {s.resource for s in r.sources["ppi_years"]} >= {"MedicationStatement/a, MedicationStatement/b"}


def test_an_ongoing_medicine_runs_to_the_date_read():
    s = statement("a", OMEPRAZOLE, "2024-12-04T00:00:00Z")
    assert record(s, as_of=dt.date(2026, 12, 4)).data["ppi_years"] == pytest.approx(730 / 365.25)
    assert record(s, as_of=dt.date(2025, 12, 4)).data["ppi_years"] == pytest.approx(365 / 365.25)


def test_not_taken_is_zero_years_and_absence_is_unobserved():
    assert (
        record(statement("n", {"coding": [{"system": ATC, "code": "A02BA"}]}, status="not-taken")).data[
            "h2_blocker_years"
        ]
        == 0.0
    )
    assert "h2_blocker_years" not in record().data


def test_a_request_counts_from_its_validity_period_and_a_medication_reference_is_followed():
    med = {
        "resourceType": "Medication",
        "id": "m1",
        "code": {"coding": [{"system": RX, "code": "6809", "display": "metformin"}]},
    }
    req = {
        "resourceType": "MedicationRequest", "id": "r1", "status": "active", "intent": "order",
        "subject": {"reference": "Patient/p"}, "medicationReference": {"reference": "Medication/m1"},
        "dispenseRequest": {"validityPeriod": {"start": "2022-12-04T00:00:00Z", "end": "2025-12-04T00:00:00Z"}},
        "dosageInstruction": [{"timing": {"repeat": {"frequency": 2, "period": 1, "periodUnit": "d"}},
                               "doseAndRate": [{"doseQuantity": {"value": 0.5, "unit": "g", "system": UCUM, "code": "g"}}]}],
    }  # fmt: skip
    r = record(med, req)
    assert r.data["metformin_years"] == pytest.approx(1096 / 365.25)
    assert r.data["metformin_mg_day"] == pytest.approx(1000.0)


def test_a_ppi_dose_in_milligrams_is_noted_not_guessed_as_pills():
    dosage = [{"timing": {"repeat": {"frequency": 1, "period": 1, "periodUnit": "d"}},
               "doseAndRate": [{"doseQuantity": {"value": 20, "unit": "mg", "system": UCUM, "code": "mg"}}]}]  # fmt: skip
    r = record(statement("a", OMEPRAZOLE, "2024-12-04T00:00:00Z", dosage=dosage))
    assert "ppi_years" in r.data and "ppi_pills_per_day" not in r.data
    assert any("pills per day cannot be told" in n.detail for n in r.notes)


@pytest.mark.parametrize(
    ("verification", "clinical", "value"),
    [
        ("confirmed", "active", True),
        (None, "resolved", True),
        ("refuted", None, False),
        ("provisional", "active", None),
    ],
)
def test_a_diagnosis_is_true_when_confirmed_false_only_when_refuted(verification, clinical, value):
    cond = {"resourceType": "Condition", "id": "c", "subject": {"reference": "Patient/p"},
            "code": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10", "code": "D51.0"}]}}  # fmt: skip
    if verification:
        cond["verificationStatus"] = {"coding": [{"code": verification}]}
    if clinical:
        cond["clinicalStatus"] = {"coding": [{"code": clinical}]}
    assert record(cond).data.get("pernicious_anaemia_known") is value


def test_a_resolved_pregnancy_is_not_a_current_one():
    cond = {"resourceType": "Condition", "id": "c", "subject": {"reference": "Patient/p"},
            "clinicalStatus": {"coding": [{"code": "resolved"}]},
            "code": {"coding": [{"system": "http://snomed.info/sct", "code": "77386006"}]}}  # fmt: skip
    r = from_fhir([{**PATIENT, "gender": "female", "birthDate": "1990-01-01"}, cond], as_of=AS_OF)
    assert "pregnant" not in r.data and "no longer present" in r.notes[0].detail


def test_a_searchset_of_searchsets_is_read_like_a_collection():
    b = bundle("borderline_b12_high_mma")
    nested = {"resourceType": "Bundle", "type": "searchset",
              "entry": [{"resource": {"resourceType": "Bundle", "type": "searchset", "entry": b["entry"]}}]}  # fmt: skip
    assert from_fhir(nested, as_of=AS_OF).data == from_fhir(b, as_of=AS_OF).data


def test_a_procedure_counts_once_done_and_not_before_the_date_read():
    total = procedure("g", "26452005", "2026-12-20")  # scheduled after the date read
    r = record(total)
    assert "gastrectomy" not in r.data
    assert r.notes[0].resource == "Procedure/g" and "performed 2026-12-20, after the record's date" in r.notes[0].detail
    assert record(total, as_of=dt.date(2027, 1, 5)).data["gastrectomy"] == "total"
    assert record(procedure("g", "85217002", "2015-03-01")).data["gastrectomy"] == "partial"


@pytest.mark.parametrize("status", ["not-done", "in-progress", "stopped", "entered-in-error", "preparation"])
def test_only_a_completed_procedure_says_it_was_done(status):
    r = record(procedure("g", "26452005", "2015-03-01", status=status))
    assert "gastrectomy" not in r.data
    assert f"status {status!r}, not a completed procedure" in r.notes[0].detail


def test_a_later_operation_supersedes_an_earlier_one():
    r = record(procedure("first", "85217002", "2010-01-10"), procedure("completion", "439878001", "2018-06-01"))
    assert r.data["gastrectomy"] == "total"
    assert r.sources["gastrectomy"][0].resource == "Procedure/completion"
    assert "a more recent statement (Procedure/completion)" in r.notes[0].detail


def test_no_stomach_surgery_is_none_and_some_stomach_surgery_cannot_tell_how_much():
    assert record(answer("q", "53442002", False)).data["gastrectomy"] == "none"
    assert record(condition("c", "53442002", "refuted")).data["gastrectomy"] == "none"
    r = record(answer("q", "53442002", True))
    assert "gastrectomy" not in r.data and "does not tell gastrectomy" in r.notes[0].detail
    # "not a total gastrectomy" leaves partial and none open
    r = record(condition("c", "26452005", "refuted"))
    assert "gastrectomy" not in r.data and "absent, which does not tell gastrectomy" in r.notes[0].detail


@pytest.mark.parametrize(
    ("statements", "diet"),
    [
        ([("vegan", True)], "vegan"),
        ([("vegetarian", True)], "vegetarian"),
        ([("vegetarian", False)], "omnivore"),  # not vegetarian: neither vegetarian nor vegan
        ([("vegetarian", True), ("vegan", False)], "vegetarian"),
        ([("vegetarian", True), ("vegan", True)], "vegan"),  # the narrower of two of the same moment
        ([("vegan", False)], None),  # vegetarian or omnivore cannot be told
    ],
)
def test_diet_from_yes_no_answers(statements, diet):
    r = record(*[answer(f"d{i}", code, value, system=DIET) for i, (code, value) in enumerate(statements)])
    assert r.data.get("diet") == diet
    if diet is None:
        assert "does not tell diet" in r.notes[0].detail


def test_the_latest_diet_holds_and_a_resolved_one_does_not_count():
    old = answer("old", "vegetarian", True, system=DIET, date="2019-04-01")
    new = answer("new", "vegetarian", False, system=DIET, date="2026-10-01")
    assert record(old, new).data["diet"] == "omnivore"
    gone = condition("was-vegan", "vegan", None, system=DIET, clinical="resolved")
    r = record(gone)
    assert "diet" not in r.data and "no longer present" in r.notes[0].detail


@pytest.mark.parametrize(
    ("resource", "value"),
    [
        (condition("c", "91019004", "confirmed", clinical="active"), True),
        (condition("c", "91019004", "refuted"), False),
        (answer("c", "91019004", True), True),
        (answer("c", "91019004", False), False),
        (condition("c", "91019004", "provisional"), None),
        (condition("c", "91019004", None, clinical="resolved"), None),  # a symptom that passed
        (answer("c", "91019004", True, status="preliminary"), None),
    ],
)
def test_a_symptom_from_a_condition_or_a_yes_no_answer(resource, value):
    assert record(resource).data.get("paresthesia") is value


def test_a_symptom_stated_both_ways_at_the_same_moment_is_refused():
    yes = answer("yes", "44077006", True)
    no = condition("no", "44077006", "refuted")
    with pytest.raises(FhirInputError, match=r"Observation/yes, Condition/no: state different values of numbness"
                       r" \(False, True\) for the same moment \(2026-11-20\)"):  # fmt: skip
        record(yes, no)


def with_address(*addresses):
    return {**PATIENT, "address": list(addresses)}


@pytest.mark.parametrize(
    ("addresses", "fallback", "region", "from_address", "note"),
    [
        ([{"use": "home", "country": "MX"}], None, "latin_america", True, None),
        ([{"use": "home", "country": "gbr"}], "latin_america", "us_uk", True, "the fallback region 'latin_america' is not used"),
        ([{"use": "home", "country": "DE"}], "us_uk", "us_uk", False, "'DE' is not one the region table"),
        ([{"use": "home", "country": "Germany"}], None, None, False, "'Germany' is not one the region table"),
        ([{"use": "old", "country": "MX"}, {"use": "home", "country": "US"}], None, "us_uk", True, None),
        ([{"use": "home", "country": "MX", "period": {"end": "2020-01-01"}}], "us_uk", "us_uk", False, None),
        ([{"use": "home", "country": "MX"}, {"use": "home", "country": "US"}], None, None, False, "different regions"),
        ([{"use": "work", "country": "MX"}, {"use": "home", "country": "US"}], None, "us_uk", True, None),  # home first
        ([{"use": "home", "city": "Leeds"}], "us_uk", "us_uk", False, None),
    ],
)  # fmt: skip
def test_region_from_the_address_with_the_service_region_as_fallback(addresses, fallback, region, from_address, note):
    r = from_fhir([with_address(*addresses)], as_of=AS_OF, region=fallback)
    assert r.data.get("region") == region
    assert ("region" in r.sources) is from_address  # the fallback is not the record's, so it names no resource
    if note:
        assert any(note in n.detail for n in r.notes), r.notes
    else:
        assert r.notes == ()
