"""The code book: ``seeds/codes.toml`` read into typed entries, and lookups by coding.

Which LOINC observation, medicine (RxNorm, ATC, generic name) and diagnosis (SNOMED CT,
ICD-10) fills which :func:`b12risk.predict` field. Every entry names its field or cause,
which are checked against the knowledge base when the book is read, so a code can never
point at a field the model does not have.

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
    """A diagnosis or finding: present (confirmed) sets ``field`` true, refuted false."""

    field: str


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
        for e in (*self.coded_observation, *self.condition):
            if e.field not in feats or feats[e.field].kind != "binary":
                problems.append(f"{e.code}: field {e.field!r} is not a true/false field of the schema")
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
        """The condition entry a coding names, if any."""
        return next((e for e in self.condition if self._matches(e, system, code)), None)

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
        causes = load().causes
        for cause in {e.cause for e in self.medication}:
            c = causes[cause]
            out.update(c.columns if c.kind == "exposure" else (c.column,))
        return frozenset(out)

    def lab_codings(self) -> list[tuple[str, str]]:
        """(system URI, code) of every laboratory and coded observation, for a FHIR search."""
        entries = [*self.observation, *self.coded_observation]
        return [(self.systems[e.system][0], e.code) for e in entries]


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
