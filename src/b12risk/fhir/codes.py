"""The code book: ``seeds/codes.toml`` read into typed entries, and lookups by coding.

Which LOINC observation, medicine (RxNorm, ATC, generic name), diagnosis, finding or
procedure (SNOMED CT, ICD-10, HL7 diet codes) fills which :func:`b12risk.predict` field,
and which country of a Patient's address lies in which region. Every entry names its
field, value or cause, which are checked against the knowledge base when the book is read,
so a code can never point at a field, category or region the model does not have.

Examples
--------
>>> from b12risk.fhir.codes import code_book
>>> book = code_book()
>>> book.lab("http://loinc.org", "2132-9").field
'serum_b12_pmol_l'
>>> book.medication_cause("http://www.whocc.no/atc", "A02BC01")
'ppi'
>>> book.medication_cause_by_name("Omeprazole 20 MG Delayed Release Oral Capsule")
'ppi'
"""

from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from b12risk.errors import KnowledgeError
from b12risk.knowledge import load
from b12risk.knowledge.load import seeds_dir
from b12risk.knowledge.schema import features
from b12risk.paths import CHECKOUT, PACKAGE

__all__ = ["CodeBook", "code_book", "codes_path"]

#: Name of the code book in a seeds folder (not one of knowledge.SEED_FILES: it is not model knowledge).
CODES_FILE = "codes.toml"


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    system: str
    code: str
    display: str
    checked: str
    match: Literal["exact", "prefix"] = "exact"


class ObservationCode(_Entry):
    """A laboratory result: its code fills ``field`` (a numeric field of the schema)."""

    field: str


class Answer(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    system: str
    code: str
    display: str
    value: bool | Literal["unknown"]


class CodedObservationCode(_Entry):
    """An observation answered with a code (pregnancy status): each answer's truth value."""

    field: str
    answers: tuple[Answer, ...]
    answers_checked: str


class ConditionCode(_Entry):
    """A diagnosis, finding or procedure: what its presence and its absence say about ``field``.

    For a true/false field, present is true and absent (refuted, answered no) false. For a
    categorical field (diet, gastrectomy) the entry names the category each implies; one left
    out means that statement cannot tell the category, and it is reported as a note instead
    of guessed (see :meth:`CodeBook.implied`).
    """

    field: str
    present: str | None = None
    absent: str | None = None


class Refinement(BaseModel):
    """Category ``value`` of ``field`` is a narrower case of ``refines`` (vegan of vegetarian)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    field: str
    value: str
    refines: str
    checked: str


class RegionLevel(BaseModel):
    """The countries (ISO 3166-1 alpha-2 and alpha-3 codes) whose residents are in region ``level``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    level: str
    countries: tuple[str, ...]
    checked: str


class RegionTable(BaseModel):
    """Patient.address.country -> the schema's ``region``, where the knowledge base supports it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    source: str
    levels: tuple[RegionLevel, ...] = ()
    left_out: str = ""


class MedicationCode(_Entry):
    """A medicine or medicine class: taking it is exposure to ``cause`` (seeds/causes.toml)."""

    cause: str


class MedicationName(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    cause: str
    names: tuple[str, ...]
    checked: str


class CodeBook(BaseModel):
    """Every code b12risk.fhir reads, checked against the knowledge base."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    systems: dict[str, tuple[str, ...]]
    ucum: dict[str, str]
    observation: tuple[ObservationCode, ...]
    coded_observation: tuple[CodedObservationCode, ...]
    condition: tuple[ConditionCode, ...]
    medication: tuple[MedicationCode, ...]
    medication_name: tuple[MedicationName, ...]
    refinement: tuple[Refinement, ...] = ()
    region: RegionTable | None = None

    @model_validator(mode="after")
    def _names_exist(self) -> CodeBook:
        feats = features()
        causes = load().causes
        problems = []
        entries = [*self.observation, *self.coded_observation, *self.condition, *self.medication]
        for e in entries:
            if e.system not in self.systems:
                problems.append(f"{e.code}: system {e.system!r} is not one of [systems] ({', '.join(self.systems)})")
        for a in (a for e in self.coded_observation for a in e.answers):
            if a.system not in self.systems:
                problems.append(f"answer {a.code}: system {a.system!r} is not one of [systems]")
        for e in self.observation:
            if e.field not in feats or feats[e.field].kind != "numeric":
                problems.append(f"{e.code}: field {e.field!r} is not a numeric field of the schema")
            elif e.field not in self.ucum:
                problems.append(f"{e.code}: field {e.field!r} has no UCUM unit in [ucum]")
        alt_columns = {alt[0] for f in feats.values() for alt in f.alt_units}
        for column in self.ucum:
            if column not in feats and column not in alt_columns:
                problems.append(f"[ucum] {column!r} is neither a field nor an alternative-unit column of the schema")
        for e in self.coded_observation:
            if e.field not in feats or feats[e.field].kind != "binary":
                problems.append(f"{e.code}: field {e.field!r} is not a true/false field of the schema")
        for e in self.condition:
            problems += _condition_problems(e, feats)
        for r in self.refinement:
            cats = feats[r.field].categories if r.field in feats else ()
            if r.value not in cats or r.refines not in cats:
                problems.append(f"refinement {r.value!r} of {r.refines!r}: not categories of field {r.field!r}")
        if self.region is not None:
            levels = feats["region"].categories
            seen: dict[str, str] = {}
            for lv in self.region.levels:
                if lv.level not in levels:
                    problems.append(f"[region] level {lv.level!r} is not one of the schema's ({', '.join(levels)})")
                for country in lv.countries:
                    if not re.fullmatch(r"[A-Z]{2,3}", country):
                        problems.append(f"[region] {country!r} is not an ISO 3166-1 alpha-2 or alpha-3 code")
                    elif seen.setdefault(country, lv.level) != lv.level:
                        problems.append(f"[region] {country} is in both {seen[country]} and {lv.level}")
        for e in (*self.medication, *self.medication_name):
            cause = causes.get(e.cause)
            if cause is None or cause.kind not in ("exposure", "binary"):
                problems.append(f"{e.cause!r} is not an exposure or binary cause of seeds/causes.toml")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    # ------------------------------------------------------------------ lookups

    def _matches(self, entry: _Entry | Answer, system: str | None, code: str | None) -> bool:
        if system is None or code is None or system not in self.systems.get(entry.system, ()):
            return False
        if getattr(entry, "match", "exact") == "prefix":
            return code.strip().upper().startswith(entry.code.upper())
        return code.strip() == entry.code

    def lab(self, system: str | None, code: str | None) -> ObservationCode | None:
        """The laboratory entry a coding names, if any."""
        return next((e for e in self.observation if self._matches(e, system, code)), None)

    def coded(self, system: str | None, code: str | None) -> CodedObservationCode | None:
        """The coded-observation entry (pregnancy status) a coding names, if any."""
        return next((e for e in self.coded_observation if self._matches(e, system, code)), None)

    def answer(self, entry: CodedObservationCode, system: str | None, code: str | None) -> Answer | None:
        """The answer of ``entry`` a value coding names, if any."""
        return next((a for a in entry.answers if self._matches(a, system, code)), None)

    def condition_of(self, system: str | None, code: str | None) -> ConditionCode | None:
        """The condition (finding, procedure) entry a coding names, if any."""
        return next((e for e in self.condition if self._matches(e, system, code)), None)

    def implied(self, entry: ConditionCode, present: bool) -> bool | str | None:
        """The value of ``entry.field`` that the finding being present (or absent) implies; None if it cannot tell."""
        if features()[entry.field].kind == "binary":
            return present
        return entry.present if present else entry.absent

    def region_of(self, country: str | None) -> str | None:
        """The region level an ISO 3166-1 country code (alpha-2 or alpha-3) lies in, if the table has it."""
        if self.region is None or not country:
            return None
        key = country.strip().upper()
        return next((lv.level for lv in self.region.levels if key in lv.countries), None)

    def refines(self, field: str, narrow: str, broad: str) -> bool:
        """Whether category ``narrow`` of ``field`` is the same as or a narrower case of ``broad``."""
        seen = {narrow}
        frontier = [narrow]
        while frontier:
            value = frontier.pop()
            for r in self.refinement:
                if r.field == field and r.value == value and r.refines not in seen:
                    seen.add(r.refines)
                    frontier.append(r.refines)
        return broad in seen

    def medication_cause(self, system: str | None, code: str | None) -> str | None:
        """The cause a medicine coding (RxNorm ingredient, ATC code or class) names, if any."""
        return next((e.cause for e in self.medication if self._matches(e, system, code)), None)

    def medication_cause_by_name(self, text: str | None) -> str | None:
        """The cause whose generic name appears in ``text`` as a whole word, if exactly one does."""
        if not text:
            return None
        found = {
            m.cause for m in self.medication_name for name in m.names if _whole_word(name).search(text) is not None
        }
        return found.pop() if len(found) == 1 else None

    def fields(self) -> frozenset[str]:
        """Every predict() field some code fills (besides age and sex, from Patient)."""
        out = {e.field for e in (*self.observation, *self.coded_observation, *self.condition)}
        if self.region is not None and self.region.levels:
            out.add("region")
        causes = load().causes
        for cause in {e.cause for e in self.medication}:
            c = causes[cause]
            out.update(c.columns if c.kind == "exposure" else (c.column,))
        return frozenset(out)

    def lab_codings(self) -> list[tuple[str, str]]:
        """(system URI, code) of every laboratory and coded observation, for a FHIR search."""
        entries = [*self.observation, *self.coded_observation]
        return [(self.systems[e.system][0], e.code) for e in entries]

    def observation_codings(self) -> list[tuple[str, str]]:
        """(system URI, code) of every code an Observation can carry: labs, coded answers and
        findings asked as yes/no (symptoms, diet); exact codes only, for a FHIR search."""
        findings = [e for e in self.condition if e.match == "exact"]
        pairs = self.lab_codings() + [(self.systems[e.system][0], e.code) for e in findings]
        return list(dict.fromkeys(pairs))


def _condition_problems(e: ConditionCode, feats: dict) -> list[str]:
    """Why a condition entry does not fit the schema (empty when it does)."""
    f = feats.get(e.field)
    if f is None or f.kind not in ("binary", "categorical"):
        return [f"{e.code}: field {e.field!r} is not a true/false or categorical field of the schema"]
    if f.kind == "binary":
        given = [v for v in (e.present, e.absent) if v is not None]
        return (
            [f"{e.code}: field {e.field!r} is true/false; present and absent are implied, got {given[0]!r}"]
            if given
            else []
        )
    out = [
        f"{e.code}: {v!r} is not a category of {e.field!r} ({', '.join(f.categories)})"
        for v in (e.present, e.absent)
        if v is not None and v not in f.categories
    ]
    if e.present is None and e.absent is None:
        out.append(f"{e.code}: field {e.field!r} is categorical; name the category present or absent implies")
    return out


@lru_cache(maxsize=64)
def _whole_word(name: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![A-Za-z0-9]){re.escape(name)}(?![A-Za-z0-9])", re.IGNORECASE)


def codes_path() -> Path:
    """The code book in use: the seeds folder's ``codes.toml``, else the shipped one."""
    for folder in (seeds_dir(), PACKAGE / "seeds", CHECKOUT / "seeds"):
        if (folder / CODES_FILE).is_file():
            return folder / CODES_FILE
    raise KnowledgeError(f"{CODES_FILE} not found in {seeds_dir()} nor in the shipped seeds")


@lru_cache(maxsize=4)
def _read(path: Path) -> CodeBook:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise KnowledgeError(f"{path}: not valid TOML: {exc}") from None
    try:
        return CodeBook.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise KnowledgeError(f"{path}: {where}: {first['msg']}") from None


def code_book(path: str | Path | None = None) -> CodeBook:
    """Read and check the code book (cached).

    Parameters
    ----------
    path : str or Path, optional
        A ``codes.toml``; :func:`codes_path` by default.

    Returns
    -------
    CodeBook

    Raises
    ------
    KnowledgeError
        If the file is missing, not TOML, lacks a key, or names a field, cause or system
        the knowledge base does not have (the message names the file and the entry).
    """
    return _read(Path(path) if path is not None else codes_path())
