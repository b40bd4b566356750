"""Shared by the FHIR and CDS Hooks tests: the example patients, their hand-written Bundles
(tests/fhir/bundles/), which state every field of their example as FHIR resources, and the
fields of a patient dict that no code of seeds/codes.toml can carry."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "data" / "examples"
BUNDLES = Path(__file__).parent / "fhir" / "bundles"
#: The date the Bundles were written for: every example's age holds on it.
AS_OF = dt.date(2026, 12, 4)
NAMES = sorted(p.stem for p in EXAMPLES.glob("*.json"))


def example(name: str) -> dict:
    return json.loads((EXAMPLES / f"{name}.json").read_text())


def bundle(name: str) -> dict:
    return copy.deepcopy(json.loads((BUNDLES / f"{name}.json").read_text()))


def outside_record(data: dict) -> dict:
    """The fields of ``data`` no code of the code book fills (none of the examples' since the
    code book reads region, diet, gastrectomy and the symptoms; guilt is one such field)."""
    from b12risk.fhir.codes import code_book
    from b12risk.knowledge.schema import features

    alt_of = {alt[0]: f.name for f in features().values() for alt in f.alt_units}
    fillable = code_book().fields() | {"age", "sex"}
    return {k: v for k, v in data.items() if alt_of.get(k, k) not in fillable}
