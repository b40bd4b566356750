"""Which test would inform the decision most: the rules of ``seeds/suggestions.toml``.

Each rule's conditions are data (fields missing or present, a risk band, serum B12 between
two named thresholds of ``seeds/biomarkers.toml``, eGFR below or not below a value); the
first rule that holds gives the test to suggest, with its rationale's words key and source.
"""

from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from b12risk.errors import KnowledgeError
from b12risk.fhir.codes import code_book
from b12risk.knowledge import load
from b12risk.knowledge.load import seeds_dir
from b12risk.knowledge.schema import features
from b12risk.paths import CHECKOUT, PACKAGE
from b12risk.words import has

__all__ = ["Rule", "rules", "suggest"]

BANDS = ("low", "moderate", "high")


class Test(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    system: str
    code: str


class Rule(BaseModel):
    """One suggestion rule (see ``seeds/suggestions.toml`` for the meaning of each key)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    test: Test
    words: str
    source: str
    missing: tuple[str, ...] = ()
    present: tuple[str, ...] = ()
    min_band: Literal["moderate", "high"] | None = None
    between: tuple[str, str, str] | None = None
    egfr_below: float | None = None
    egfr_not_below: float | None = None

    @model_validator(mode="after")
    def _names_exist(self) -> Rule:
        feats = features()
        for name in (*self.missing, *self.present, *(self.between[:1] if self.between else ())):
            if name not in feats:
                raise ValueError(f"rule {self.id}: {name!r} is not a field of the schema")
        if self.between is not None:
            marker = next((b for b in load().biomarkers.values() if b.column == self.between[0]), None)
            if marker is None:
                raise ValueError(f"rule {self.id}: {self.between[0]!r} is not a biomarker")
            for t in self.between[1:]:
                if t not in marker.thresholds:
                    raise ValueError(f"rule {self.id}: {t!r} is not a threshold of {self.between[0]}")
        if code_book().lab(code_book().systems[self.test.system][0], self.test.code) is None:
            raise ValueError(f"rule {self.id}: test {self.test.code} is not a laboratory code of seeds/codes.toml")
        if not has(self.words):
            raise ValueError(f"rule {self.id}: words.toml has no [{self.words}]")
        return self

    def threshold(self, name: str) -> float:
        marker = next(b for b in load().biomarkers.values() if b.column == self.between[0])
        return float(marker.thresholds[name].value)

    def holds(self, frame_row: dict[str, Any], band: str) -> bool:
        """Whether the rule applies to a patient (canonical values; NaN or absent: not given)."""

        def given(name: str) -> bool:
            v = frame_row.get(name)
            return v is not None and v == v

        if any(given(n) for n in self.missing):
            return False
        if not all(given(n) and bool(frame_row[n]) for n in self.present):
            return False
        if self.min_band is not None and BANDS.index(band) < BANDS.index(self.min_band):
            return False
        if self.between is not None:
            name, low, high = self.between
            if not given(name) or not (self.threshold(low) <= frame_row[name] < self.threshold(high)):
                return False
        egfr = frame_row.get("egfr_ml_min") if given("egfr_ml_min") else None
        if self.egfr_below is not None and (egfr is None or egfr >= self.egfr_below):
            return False
        return not (self.egfr_not_below is not None and egfr is not None and egfr < self.egfr_not_below)


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    rule: tuple[Rule, ...]


def _path() -> Path:
    for folder in (seeds_dir(), PACKAGE / "seeds", CHECKOUT / "seeds"):
        if (folder / "suggestions.toml").is_file():
            return folder / "suggestions.toml"
    raise KnowledgeError(f"suggestions.toml not found in {seeds_dir()} nor in the shipped seeds")


@lru_cache(maxsize=1)
def rules() -> tuple[Rule, ...]:
    """The rules, checked against the schema, the biomarkers, the code book and the words.

    Raises
    ------
    KnowledgeError
        Naming the file and the rule at fault.
    """
    path = _path()
    try:
        return _File.model_validate(tomllib.loads(path.read_text(encoding="utf-8"))).rule
    except tomllib.TOMLDecodeError as exc:
        raise KnowledgeError(f"{path}: not valid TOML: {exc}") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        raise KnowledgeError(f"{path}: {'.'.join(map(str, first['loc']))}: {first['msg']}") from None


def suggest(frame_row: dict[str, Any], band: str) -> Rule | None:
    """The first rule that holds for a patient (its canonical values and risk band), if any."""
    return next((r for r in rules() if r.holds(frame_row, band)), None)
