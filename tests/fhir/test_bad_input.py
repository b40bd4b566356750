"""Bad FHIR input: one clear error naming the resource, the value and what was expected."""

from __future__ import annotations

import copy

import pytest

from b12risk.errors import FhirInputError, InvalidPatientError
from b12risk.fhir import from_fhir
from fhir_cases import AS_OF, bundle

BASE = "borderline_b12_high_mma"  # has serum B12 (lab1), MMA in nmol/L (lab2), eGFR, ...


def entry(b, rtype, index=0):
    return [e["resource"] for e in b["entry"] if e["resource"]["resourceType"] == rtype][index]


def b12_obs(b):
    return next(
        r
        for r in (e["resource"] for e in b["entry"])
        if r.get("code", {}).get("coding", [{}])[0].get("code") == "2132-9"
    )


def with_unit(unit, system="http://unitsofmeasure.org"):
    def change(b):
        q = b12_obs(b)["valueQuantity"]
        q.update(unit=unit, code=unit, system=system)

    return change


def set_in(path, value, rtype="Observation"):
    def change(b):
        node = b12_obs(b) if rtype == "Observation" else entry(b, rtype)
        *parents, last = path
        for p in parents:
            node = node[p]
        if value is None:
            del node[last]
        else:
            node[last] = value

    return change


def add(resource):
    return lambda b: b["entry"].append({"resource": resource})


OTHER = {"resourceType": "Patient", "id": "someone-else", "gender": "male", "birthDate": "1950-01-01"}
SUBJECT = {"reference": "Patient/borderline-b12-high-mma"}
NUMB = {"coding": [{"system": "http://snomed.info/sct", "code": "44077006"}]}
GASTRECTOMY = {"coding": [{"system": "http://snomed.info/sct", "code": "26452005"}]}
CASES = [
    (
        "a unit that cannot express serum B12",
        with_unit("fL"),
        r"Observation/[\w-]+-lab1: Cobalamin .* value 168 fL: 'fL' cannot express this result; expected a unit convertible to 'pmol/L' or 'pg/mL'",
    ),
    ("a unit that is not UCUM", with_unit("pgs/mL"), r"Observation/[\w-]+-lab1: .*'pgs/mL' is not a UCUM unit"),
    (
        "a unit from another code system",
        with_unit("PMOL/L", system="http://example.org/lab-units"),
        r"unit 'PMOL/L' is from the code system 'http://example.org/lab-units'; expected a UCUM unit",
    ),
    (
        "a value behind a comparator",
        set_in(["valueQuantity", "comparator"], "<"),
        r"'< 168 pmol/L', a bound, not a measured value",
    ),
    (
        "a result with no value",
        set_in(["valueQuantity"], None),
        r"lab1: Cobalamin .* has no value; expected valueQuantity",
    ),
    (
        "a string where a number belongs",
        set_in(["valueQuantity", "value"], "one hundred"),
        r"Observation/[\w-]+-lab1: is not valid FHIR R4: valueQuantity\.value",
    ),
    (
        "a result without status (invalid FHIR)",
        set_in(["status"], None),
        r"lab1: is not valid FHIR R4: status: Value for the field 'status' is required",
    ),
    (
        "a result about another patient",
        set_in(["subject"], {"reference": "Patient/someone-else"}),
        r"lab1: is about Patient/someone-else; expected Patient/borderline-b12-high-mma",
    ),
    ("a result with no subject", set_in(["subject"], None), r"lab1: names no subject"),
    ("two patients in one record", add(OTHER), r"Patient resources of 2 patients"),
    (
        "an unknown resource type",
        add({"resourceType": "Labresult", "id": "x"}),
        r"Labresult/x: resourceType 'Labresult' is not a FHIR R4 resource type",
    ),
    (
        "a yes/no finding answered in words",
        add(
            {
                "resourceType": "Observation",
                "id": "numb",
                "status": "final",
                "subject": SUBJECT,
                "code": NUMB,
                "effectiveDateTime": "2026-11-20",
                "valueString": "a bit",
            }
        ),
        r"Observation/numb: Numbness has a valueString; expected valueBoolean \(true: present, false: absent\)",
    ),
    (
        "a procedure about another patient",
        add(
            {
                "resourceType": "Procedure",
                "id": "op",
                "status": "completed",
                "code": GASTRECTOMY,
                "subject": {"reference": "Patient/someone-else"},
                "performedDateTime": "2015-01-01",
            }
        ),
        r"Procedure/op: is about Patient/someone-else; expected Patient/borderline-b12-high-mma",
    ),
    (
        "a procedure without status (invalid FHIR)",
        add({"resourceType": "Procedure", "id": "op", "code": GASTRECTOMY, "subject": SUBJECT}),
        r"Procedure/op: is not valid FHIR R4: status: Value for the field 'status' is required",
    ),
    (
        "an age predict() refuses",
        set_in(["birthDate"], "2015-01-01", rtype="Patient"),
        r"Patient/borderline-b12-high-mma: field 'age': 11 .*18",
    ),
    (
        "a refused lab value names its resource",
        lambda b: b12_obs(b)["valueQuantity"].update(value=900000),
        r"Observation/[\w-]+-lab1: field 'serum_b12_pmol_l': 900000 is impossible; expected 1 to 250000 pmol/L",
    ),
]


@pytest.mark.parametrize(("what", "change", "message"), CASES, ids=[c[0] for c in CASES])
def test_bad_record_is_one_error_naming_the_resource(what, change, message):
    b = bundle(BASE)
    change(b)
    with pytest.raises(FhirInputError, match=message) as info:
        from_fhir(b, as_of=AS_OF)
    assert isinstance(info.value, InvalidPatientError)  # callers catching predict()'s error catch this too


def test_problems_are_collected_not_raised_one_at_a_time():
    b = bundle(BASE)
    with_unit("fL")(b)
    stray = {**copy.deepcopy(entry(b, "Observation", 1)), "id": "stray", "subject": {"reference": "Patient/x"}}
    add(stray)(b)
    with pytest.raises(FhirInputError) as info:
        from_fhir(b, as_of=AS_OF)
    assert [p.message.split(":")[0] for p in info.value.problems] == [
        b12_obs(b)["resourceType"] + "/" + b12_obs(b)["id"],
        "Observation/stray",
    ]


def test_not_a_record_at_all():
    with pytest.raises(FhirInputError, match=r"FHIR input must be a Bundle, a resource or a list of them.*got str"):
        from_fhir("Patient/1")
    with pytest.raises(FhirInputError, match="has no resourceType"):
        from_fhir({"id": "x"})
    with pytest.raises(FhirInputError, match="the input has no Patient resource"):
        from_fhir({"resourceType": "Bundle", "type": "collection", "entry": []})


def test_extra_that_contradicts_the_record_is_refused():
    with pytest.raises(FhirInputError, match=r"lab1: serum_b12_pmol_l is 168\.0 in the record but 300 in extra"):
        from_fhir(bundle(BASE), as_of=AS_OF, extra={"serum_b12_pmol_l": 300})
    with pytest.raises(
        FhirInputError, match=r"Patient/borderline-b12-high-mma: region is 'us_uk' in the record but 'africa_asia'"
    ):
        from_fhir(bundle(BASE), as_of=AS_OF, extra={"region": "africa_asia"})


def test_undated_results_that_disagree_are_refused():
    b = bundle(BASE)
    first = b12_obs(b)
    del first["effectiveDateTime"]
    second = {**copy.deepcopy(first), "id": "b12-again", "valueQuantity": {**first["valueQuantity"], "value": 400}}
    b["entry"].append({"resource": second})
    with pytest.raises(FhirInputError, match=r"state different values of serum_b12_pmol_l .* none has a date"):
        from_fhir(b, as_of=AS_OF)


def test_a_dose_in_a_unit_that_cannot_be_a_dose_is_refused():
    b = bundle("metformin_high_dose_diabetes")
    met = next(e["resource"] for e in b["entry"] if e["resource"]["id"].endswith("-met"))
    met["dosage"][0]["doseAndRate"][0]["doseQuantity"].update(unit="mL", code="mL")
    with pytest.raises(
        FhirInputError,
        match=r"MedicationStatement/metformin-high-dose-+met: dose 850 mL cannot be a dose for metformin_mg_day: 'mL' cannot be converted to 'mg'",
    ):
        from_fhir(b, as_of=AS_OF)


def test_the_patient_asked_about_must_be_the_records():
    with pytest.raises(
        FhirInputError, match=r"Patient/borderline-b12-high-mma: is not the patient asked about \(Patient/p9\)"
    ):
        from_fhir(bundle(BASE), as_of=AS_OF, patient_id="p9")
