"""The code book: every code well formed, sourced, pointing at a real field, and refused otherwise."""

from __future__ import annotations

import re

import pytest

from b12risk.errors import KnowledgeError
from b12risk.fhir.codes import code_book, codes_path
from b12risk.knowledge.schema import features


def loinc_check_digit(number: str) -> int:
    """LOINC's mod-10 check digit of the part before the hyphen (LOINC Users' Guide, appendix)."""
    digits = number[::-1]
    doubled = str(int(digits[0::2][::-1]) * 2)  # odd positions from the right, read left to right, times two
    evens = digits[1::2][::-1]
    total = sum(int(d) for d in evens + doubled)
    return (10 - total % 10) % 10


@pytest.mark.parametrize(("code", "valid"), [("2132-9", True), ("718-7", True), ("13965-9", True), ("2132-8", False)])
def test_the_check_digit_rule_itself(code, valid):
    number, check = code.split("-")
    assert (loinc_check_digit(number) == int(check)) is valid


def all_entries():
    book = code_book()
    return [*book.observation, *book.coded_observation, *book.condition, *book.medication]


def test_every_loinc_code_has_its_check_digit():
    book = code_book()
    loinc = [e for e in all_entries() if e.system == "loinc"]
    loinc += [
        a for e in book.coded_observation for a in e.answers if a.system == "loinc" and not a.code.startswith("LA")
    ]
    assert loinc
    for e in loinc:
        number, check = e.code.split("-")
        assert loinc_check_digit(number) == int(check), e.code


def test_every_code_says_where_it_was_checked_and_what_it_means():
    for e in all_entries():
        assert len(e.checked) > 20 and len(e.display) > 2, e.code
    for e in code_book().medication_name:
        assert e.names and e.checked


def test_codes_look_like_their_system():
    shapes = {
        "loinc": r"\d{1,6}-\d",
        "snomed": r"\d{6,18}",
        "icd10": r"[A-Z]\d\d(\.\d{1,4})?",
        "icd10cm": r"[A-Z]\d\d(\.[0-9A-Z]{1,4})?",
        "hl7diet": r"[a-z]+(-[a-z]+)*",
        "rxnorm": r"\d{1,8}",
        "atc": r"[A-Z](\d\d([A-Z]([A-Z](\d\d)?)?)?)?",
    }
    for e in all_entries():
        assert re.fullmatch(shapes[e.system], e.code), (e.system, e.code)


def test_every_lab_field_has_a_ucum_unit_of_its_own_dimension():
    from b12risk.fhir.units import convert

    book = code_book()
    for e in book.observation:
        f = features()[e.field]
        assert convert(1.0, book.ucum[e.field], book.ucum[e.field]) == 1.0
        for column, _unit, factor in f.alt_units:
            if column in book.ucum and e.field != "serum_b12_pmol_l":  # pg/mL -> pmol/L is a molar mass, not UCUM
                assert convert(1.0, book.ucum[column], book.ucum[e.field]) == pytest.approx(factor)


def test_lookups_match_by_system_and_code():
    book = code_book()
    assert book.lab("http://loinc.org", "2132-9").field == "serum_b12_pmol_l"
    assert book.lab("http://snomed.info/sct", "2132-9") is None  # a LOINC code under another system is not it
    assert book.condition_of("http://hl7.org/fhir/sid/icd-10-cm", "B20.1").field == "hiv"
    assert book.condition_of("http://hl7.org/fhir/sid/icd-10", "B2") is None
    assert book.medication_cause("http://www.whocc.no/atc", "A02BA03") == "h2_blocker"
    assert book.medication_cause("http://www.whocc.no/atc", "A02B") is None  # a broader class is not a PPI
    # an ICD-10-CM-only entry is not matched under the WHO edition's system
    assert book.condition_of("http://hl7.org/fhir/sid/icd-10-cm", "R29.2").field == "reflex_changes"
    assert book.condition_of("http://hl7.org/fhir/sid/icd-10", "R29.2") is None


def test_every_field_of_the_schema_has_a_code_or_is_named_as_left_out():
    """A field with no code is a gap the code book's closing comment must own up to."""
    from b12risk.fhir.codes import codes_path

    book = code_book()
    text = codes_path().read_text()
    left_out_comment = text[text.index("# Left out because") :]
    missing = sorted(set(features()) - book.fields() - {"age", "sex"})
    for name in missing:
        assert name in left_out_comment or name.replace("_", " ") in left_out_comment, name
    assert missing == ["guilt", "reduced_heart_function"]


@pytest.mark.parametrize(
    ("country", "region"),
    [("US", "us_uk"), ("gbr", "us_uk"), (" MEX ", "latin_america"), ("BR", "latin_america"), ("JM", None),
     ("DE", None), ("NG", None), ("", None), ("Mexico", None)],
)  # fmt: skip
def test_the_region_table_places_only_the_countries_the_knowledge_base_names(country, region):
    assert code_book().region_of(country) == region


def test_categorical_findings_name_categories_of_their_field():
    book = code_book()
    cats = {f: set(features()[f].categories) for f in ("diet", "gastrectomy")}
    entries = [e for e in book.condition if e.field in cats]
    assert {e.field for e in entries} == {"diet", "gastrectomy"}
    for e in entries:
        assert {e.present, e.absent} - {None} <= cats[e.field], e.code
    # what each statement of a total gastrectomy, and of no stomach surgery at all, implies
    total = book.condition_of("http://snomed.info/sct", "26452005")
    any_gastrectomy = book.condition_of("http://snomed.info/sct", "53442002")
    assert (book.implied(total, True), book.implied(total, False)) == ("total", None)
    assert (book.implied(any_gastrectomy, True), book.implied(any_gastrectomy, False)) == (None, "none")
    assert book.refines("diet", "vegan", "vegetarian") and not book.refines("diet", "vegetarian", "vegan")


@pytest.mark.parametrize(
    ("text", "cause"),
    [
        ("Esomeprazole 40 MG Delayed Release Oral Capsule", "ppi"),
        ("METFORMIN HCL 500MG", "metformin"),  # case and what follows the name do not matter
        ("metformin hcl 500 mg", "metformin"),
        ("aripiprazole 10 mg", None),  # not a PPI: the name must be a whole word
        ("metformin / omeprazole", None),  # two classes at once: not guessed
        ("Vitamin B12 1000 mcg", "supplement_use"),
    ],
)
def test_generic_names_match_as_whole_words_only(text, cause):
    assert code_book().medication_cause_by_name(text) == cause


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('field = "hcy_umol_l"', 'field = "homocysteine"', r"'homocysteine' is not a numeric field"),
        ('present = "total"', 'present = "complete"', r"'complete' is not a category of 'gastrectomy'"),
        ('level = "latin_america"', 'level = "south_america"', r"level 'south_america' is not one of the schema's"),
        ('"US", "USA"', '"US", "MEX"', r"MEX is in both us_uk and latin_america"),
    ],
)
def test_a_code_pointing_at_a_field_or_category_the_model_lacks_is_refused(tmp_path, old, new, message):
    text = codes_path().read_text()
    assert old in text
    bad = tmp_path / "codes.toml"
    bad.write_text(text.replace(old, new, 1))
    with pytest.raises(KnowledgeError, match=r"codes\.toml.*" + message):
        code_book(bad)


def test_the_code_book_is_not_model_knowledge():
    from b12risk.knowledge.load import SEED_FILES

    # codes.toml and suggestions.toml change how records are read and cards are made,
    # never what the model was trained on, so they stay out of the knowledge fingerprint
    assert "codes" not in SEED_FILES and "suggestions" not in SEED_FILES
    assert codes_path().name == "codes.toml"
