"""How a record is read: the latest result, periods of medicines, what is not used and why."""

from __future__ import annotations

import datetime as dt
import random

import pytest

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
    proc = {
        "resourceType": "Procedure",
        "id": "gastrectomy",
        "status": "completed",
        "subject": {"reference": "Patient/p"},
    }
    r = record(chol, proc)
    assert r.data == {"age": 66, "sex": "male"}
    notes = {n.resource: n.detail for n in r.notes}
    assert "2093-3" in notes["Observation/chol"] and "not one b12risk reads" in notes["Observation/chol"]
    assert notes["Procedure/gastrectomy"] == "Procedure resources are not read"


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
