"""Units through UCUM: a FHIR Quantity's unit into a field's unit, or a clear refusal.

Units are parsed by ``ucumvert`` (a UCUM grammar) into ``pint`` quantities, so any UCUM
spelling of a unit is understood (``pg/mL`` = ``ng/L``, ``umol/L`` = ``nmol/mL``) and a
prefix is never mis-scaled. A value goes to the field's own unit when the dimensions agree,
else to the field's alternative-unit column (first whichever takes the value unchanged) (``serum_b12_pg_ml``, ``mma_nmol_l``,
``hgb_g_l``), whose factor to the canonical unit is the knowledge base's
(``seeds/biomarkers.toml``: 0.738 pmol/L per pg/mL for serum B12). No molar mass is coded
here: a mass concentration of a marker whose schema has no mass unit is refused.

Examples
--------
>>> from b12risk.fhir.units import to_field
>>> to_field(175.0, "pg/mL", "serum_b12_pmol_l")
('serum_b12_pg_ml', 175.0)
>>> to_field(0.175, "ug/L", "serum_b12_pmol_l")
('serum_b12_pg_ml', 175.0)
>>> to_field(540.0, "nmol/L", "mma_umol_l")
('mma_nmol_l', 540.0)
>>> to_field(0.54, "nmol/mL", "mma_umol_l")
('mma_umol_l', 0.54)
"""

from __future__ import annotations

import threading
from functools import lru_cache
from typing import Any

from b12risk.fhir.codes import code_book
from b12risk.knowledge.schema import features

__all__ = ["UnitProblem", "convert", "is_count", "to_field"]

_LOCK = threading.Lock()  # the grammar's parser and pint's registry caches are shared state


class UnitProblem(ValueError):
    """A unit that is not UCUM (``kind="unknown"``) or cannot express the field (``"impossible"``)."""

    def __init__(self, message: str, kind: str):
        super().__init__(message)
        self.kind = kind


@lru_cache(maxsize=1)
def _registry() -> Any:
    try:
        from ucumvert import PintUcumRegistry  # heavy (a grammar and a unit registry): only when a unit is read
    except ImportError:  # pragma: no cover - the fhir extra is a test dependency
        raise ImportError("reading FHIR units needs the 'fhir' extra: pip install 'b12risk[fhir]'") from None
    return PintUcumRegistry()


@lru_cache(maxsize=512)
def _parse(unit: str) -> Any:
    """The pint quantity one UCUM unit stands for; :class:`UnitProblem` if it is not UCUM."""
    registry = _registry()
    text = unit.strip()
    if not text:
        raise UnitProblem("the unit is empty", "unknown")
    try:
        with _LOCK:
            q = registry.from_ucum(text)
    except (
        Exception
    ) as exc:  # the grammar (lark) and pint raise several kinds, and ucumvert's own class varies by version
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise UnitProblem(f"{text!r} is not a UCUM unit ({reason})", "unknown") from None
    if not hasattr(q, "dimensionality"):  # an annotation alone ({tablet}) is the unit 1 in UCUM
        return registry.Quantity(1.0, "dimensionless")
    return q


@lru_cache(maxsize=512)
def _factor(source: str, target: str) -> float | None:
    """Multiply a value in ``source`` by this to get ``target``; None if the dimensions differ."""
    a, b = _parse(source), _parse(target)
    with _LOCK:
        if a.dimensionality != b.dimensionality:
            return None
        value = float((1.0 * a).to(b.units).magnitude) * float(a.magnitude) / float(b.magnitude)
    # twelve significant digits: UCUM factors are decimal powers and exact ratios, and pint's
    # float arithmetic leaves noise in the last bits (1 g/dL -> 10.000000000000002 g/L)
    return float(f"{value:.12g}")


def convert(value: float, source: str, target: str) -> float:
    """``value`` in UCUM unit ``source``, expressed in UCUM unit ``target``.

    Raises
    ------
    UnitProblem
        If either is not UCUM, or they measure different things.
    """
    factor = _factor(source, target)
    if factor is None:
        raise UnitProblem(f"{source!r} cannot be converted to {target!r}", "impossible")
    return value if factor == 1.0 else value * factor


def is_count(unit: str) -> bool:
    """Whether ``unit`` is a plain count (``1``, ``{tablet}``, ``{capsule}``): dimensionless, factor 1."""
    try:
        q = _parse(unit)
    except UnitProblem:
        return False
    with _LOCK:
        return bool(q.dimensionless) and float(q.to("dimensionless").magnitude) == 1.0


def _targets(field: str) -> list[tuple[str, str]]:
    """(column, UCUM unit) a value of ``field`` may go to: the field, then its alternative unit."""
    ucum = code_book().ucum
    out = [(field, ucum[field])]
    for column, _unit, _factor in features()[field].alt_units:
        if column in ucum:
            out.append((column, ucum[column]))
    return out


def to_field(value: float, unit: str, field: str) -> tuple[str, float]:
    """Where a laboratory value goes: the column (``field`` or its alternative) and the value there.

    Parameters
    ----------
    value : float
        The Quantity's value.
    unit : str
        Its UCUM unit code.
    field : str
        The canonical field the observation's code fills (``serum_b12_pmol_l``).

    Returns
    -------
    (str, float)
        The column and the value in that column's unit; the value is returned unchanged
        when the unit is the column's own.

    Raises
    ------
    UnitProblem
        ``kind="unknown"`` when ``unit`` is not UCUM; ``kind="impossible"`` when it measures
        something else than the field (a volume for serum B12).
    """
    targets = _targets(field)
    _parse(unit)  # an unknown unit is said as such before any comparison
    factors = [(column, _factor(unit, target)) for column, target in targets]
    # a column in whose own unit the value already is takes it unchanged, so a value in the
    # alternative unit reaches predict() exactly as a dict in that unit would
    for column, factor in sorted(factors, key=lambda cf: cf[1] != 1.0):
        if factor is not None:
            return column, value if factor == 1.0 else value * factor
    expected = " or ".join(repr(t) for _, t in targets)
    raise UnitProblem(f"{unit!r} cannot express this result; expected a unit convertible to {expected}", "impossible")
