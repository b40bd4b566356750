"""The rules input is checked against, read from the schema and the knowledge base.

:func:`_rules` gathers, for one knowledge base, every accepted input column (each
canonical feature and each alternative unit, with its kind, unit, plausible range and
the range's source), which canonical column each alternative unit stands for, and the
medicines that have both a years and a dose field. Of the two cross-field limits, the
oldest age at which pregnancy is accepted comes from the seeds
(:func:`pregnancy_max_age`) and :data:`UNIT_TOLERANCE` is a constant here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

from b12risk.knowledge import Knowledge, load
from b12risk.knowledge.schema import Feature, features
from b12risk.validation.text import _num

__all__ = ["ID_FIELDS", "UNIT_TOLERANCE", "pregnancy_max_age"]

#: Identifier columns a caller may include; they are ignored and returned as ``Validated.ids``.
ID_FIELDS: tuple[str, ...] = ("patient_id", "id")
#: Largest relative difference accepted between a lab given in both of its units.
UNIT_TOLERANCE = 0.02


@dataclass(frozen=True)
class _Field:
    """One accepted input column: a canonical feature or its alternative unit."""

    name: str
    canonical: str
    kind: str
    unit: str | None = None
    low: float = -math.inf
    high: float = math.inf
    reason: str = ""
    categories: tuple[str, ...] = ()
    factor: float = 1.0  # multiply to get the canonical unit
    canonical_unit: str | None = None

    def describe_range(self) -> str:
        text = f"{_num(self.low, 4)} to {_num(self.high, 4)} {self.unit}"
        if self.factor != 1.0:
            canonical = f"{_num(self.low * self.factor)} to {_num(self.high * self.factor)}"
            text += f", that is {canonical} {self.canonical_unit}"
        return f"{text} ({self.reason})" if self.reason else text


@dataclass(frozen=True, eq=False)
class _Rules:
    kb: Knowledge | None  # as the caller gave it (None: the shipped one)
    features: dict[str, Feature]
    fields: dict[str, _Field]  # every accepted input name
    alt_of: dict[str, str]  # canonical -> alternative-unit column
    exposures: tuple[tuple[str, str], ...]  # (years column, dose column)
    pregnancy_max_age: float  # oldest age at which pregnant may be true


def _range_reasons(kb: Knowledge) -> dict[str, str]:
    """Why each plausible range is what it is (the range's source in the seeds)."""
    out: dict[str, str] = {}
    for d in kb.demographics.values():
        if d.plausible is not None:
            out[d.column] = d.plausible.source
    for b in kb.biomarkers.values():
        out[b.column] = b.plausible.source
    for c in kb.causes.values():
        if c.kind == "exposure":
            out[c.years_column] = c.years_range.source
            if c.dose_column:
                out[c.dose_column] = c.dose_range.source
    return out


@lru_cache(maxsize=8)
def _rules(kb: Knowledge | None) -> _Rules:
    feats = features(kb)
    reasons = _range_reasons(load() if kb is None else kb)
    fields: dict[str, _Field] = {}
    alt_of: dict[str, str] = {}
    for f in feats.values():
        low = -math.inf if f.low is None else f.low
        high = math.inf if f.high is None else f.high
        reason = reasons.get(f.name, "")
        fields[f.name] = _Field(f.name, f.name, f.kind, f.unit, low, high, reason, f.categories)
        for column, unit, factor in f.alt_units:
            fields[column] = _Field(
                column, f.name, f.kind, unit, low / factor, high / factor, reason, (), factor, canonical_unit=f.unit
            )
            alt_of[f.name] = column
    exposures = tuple(
        (c.years_column, c.dose_column)
        for c in (load() if kb is None else kb).causes.values()
        if c.kind == "exposure" and c.dose_column and c.years_column in feats and c.dose_column in feats
    )
    return _Rules(kb, feats, fields, alt_of, exposures, pregnancy_max_age(kb))


def pregnancy_max_age(kb: Knowledge | None = None) -> float:
    """Oldest age at which ``pregnant`` may be true: ``[pregnancy.eligible] plausible_age`` in
    the seeds (no limit when the seeds give none)."""
    eligible = getattr((load() if kb is None else kb).causes.get("pregnancy"), "eligible", None)
    return eligible.plausible_age.high if eligible is not None else math.inf
