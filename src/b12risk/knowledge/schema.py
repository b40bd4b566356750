"""The feature contract, generated from the knowledge base.

One :class:`Feature` per observed column of a cohort, which is also one input field of
:func:`b12risk.serving.predict`: its name (snake_case, with its unit where it has one), kind,
unit, plausible range, categories, labels in English and Arabic, and the information
level at which it is first observed.

Examples
--------
>>> from b12risk.knowledge.schema import features, level_columns
>>> features()["serum_b12_pmol_l"].unit
'pmol/L'
>>> "serum_b12_pmol_l" in level_columns("symptoms")
False
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd

from b12risk.errors import ConfigError
from b12risk.knowledge import LEVELS, Knowledge, load

__all__ = [
    "Feature",
    "categorical_columns",
    "check_level",
    "features",
    "level_columns",
    "mask_to_level",
    "monotone_directions",
    "truth_columns",
]

#: Columns a cohort carries about the truth; never model inputs.
TRUTH_COLUMNS: tuple[str, ...] = ("true_b12_pmol_l", "true_deficient", "true_severity")


@dataclass(frozen=True)
class Feature:
    """One observed field: what it is, its unit, allowed values and labels."""

    name: str
    kind: str  # "numeric" | "binary" | "categorical"
    level: str
    group: str  # "demographics" | "causes" | "symptoms" | "labs"
    label_en: str
    label_ar: str
    unit: str | None = None
    low: float | None = None  # plausible range: outside is an error
    high: float | None = None
    train_low: float | None = None  # training range: outside is a warning
    train_high: float | None = None
    categories: tuple[str, ...] = ()
    category_labels_en: tuple[str, ...] = ()
    category_labels_ar: tuple[str, ...] = ()
    source: str = ""
    cause: str | None = None
    alt_units: tuple[tuple[str, str, float], ...] = field(default=())  # (column, unit, factor)
    direction: int = 0  # monotone direction of the risk: 1 rising, -1 falling, 0 unconstrained


def _build(kb: Knowledge) -> dict[str, Feature]:
    out: dict[str, Feature] = {}

    def add(f: Feature) -> None:
        if f.name in out:
            raise ConfigError(f"feature {f.name!r} is defined twice in the knowledge base")
        out[f.name] = f

    for d in kb.demographics.values():
        add(
            Feature(
                name=d.column,
                kind=d.kind,
                level="risk_factors",
                group="demographics",
                label_en=d.label_en,
                label_ar=d.label_ar,
                unit=d.unit,
                low=d.plausible.low if d.plausible else None,
                high=d.plausible.high if d.plausible else None,
                train_low=d.training_range.low if d.training_range else None,
                train_high=d.training_range.high if d.training_range else None,
                categories=tuple(d.levels or ()),
                category_labels_en=tuple(d.level_labels_en or ()),
                category_labels_ar=tuple(d.level_labels_ar or ()),
                source=d.source,
            )
        )
    for name, c in kb.causes.items():
        for spec in c.features(name):  # each kind of cause says which columns it contributes
            add(Feature(**spec))
    for name, s in kb.symptoms.items():
        add(
            Feature(
                name=name,
                kind="binary",
                level="symptoms",
                group="symptoms",
                label_en=s.label_en,
                label_ar=s.label_ar,
                source=s.source,
            )
        )
    for b in kb.biomarkers.values():
        alt = ((b.alt_unit.column, b.alt_unit.unit, b.alt_unit.to_canonical.value),) if b.alt_unit else ()
        add(
            Feature(
                name=b.column,
                kind="numeric",
                level=b.level,
                group="labs" if b.level != "risk_factors" else "causes",
                label_en=b.label_en,
                label_ar=b.label_ar,
                unit=b.unit,
                low=b.plausible.low,
                high=b.plausible.high,
                train_low=b.training_range.low,
                train_high=b.training_range.high,
                source=b.source,
                alt_units=alt,
                direction=b.direction.value if b.direction is not None else 0,
            )
        )
    return out


@lru_cache(maxsize=1)
def _default() -> dict[str, Feature]:
    return _build(load())


def features(kb: Knowledge | None = None) -> dict[str, Feature]:
    """All observed features, in model column order, keyed by name.

    Built once for the shipped knowledge base (``None`` or the object :func:`load` returns),
    and again on each call for any other."""
    return _default() if kb is None or kb is load() else _build(kb)


def check_level(level: str) -> str:
    """Return ``level`` if it is an information level, else raise :class:`ConfigError`."""
    if level not in LEVELS:
        raise ConfigError(f"level must be one of {', '.join(LEVELS)}; got {level!r}")
    return level


def level_columns(level: str, kb: Knowledge | None = None) -> list[str]:
    """Columns observed at ``level`` (each level includes the ones below it)."""
    rank = LEVELS.index(check_level(level))
    return [f.name for f in features(kb).values() if LEVELS.index(f.level) <= rank]


def categorical_columns(kb: Knowledge | None = None) -> list[str]:
    """Names of the categorical features."""
    return [f.name for f in features(kb).values() if f.kind == "categorical"]


def monotone_directions(kb: Knowledge | None = None) -> dict[str, int]:
    """Which way each feature moves the risk of deficiency, as the seeds declare it.

    Read from the ``direction`` of each biomarker and of each binary or exposure cause
    (both columns of a medicine); every other feature is unconstrained.

    Parameters
    ----------
    kb : Knowledge, optional
        Knowledge base; the shipped one by default.

    Returns
    -------
    dict of str to int
        For every feature, in model column order: ``1`` if the risk never falls as the
        value rises (all else fixed), ``-1`` if it never rises, ``0`` if unconstrained.

    Examples
    --------
    >>> from b12risk.knowledge.schema import monotone_directions
    >>> d = monotone_directions()
    >>> d["serum_b12_pmol_l"], d["mma_umol_l"], d["mcv_fl"]
    (-1, 1, 0)
    """
    return {name: f.direction for name, f in features(kb).items()}


def truth_columns() -> tuple[str, ...]:
    """Names of the ``true_*`` columns a cohort carries."""
    return TRUTH_COLUMNS


def to_model_frame(frame: pd.DataFrame, kb: Knowledge | None = None) -> pd.DataFrame:
    """The model's input: every feature in contract order, binaries and numbers as
    float64 (NaN = not observed), categories as pandas Categorical with the schema's
    categories. Absent columns become all-NaN; other columns are dropped."""
    out = {}
    n = len(frame)
    for f in features(kb).values():
        if f.name not in frame.columns:
            out[f.name] = (
                pd.Categorical([None] * n, categories=list(f.categories))
                if f.kind == "categorical"
                else np.full(n, np.nan)
            )
        elif f.kind == "categorical":
            col = frame[f.name]
            if isinstance(col.dtype, pd.CategoricalDtype) and list(col.cat.categories) == list(f.categories):
                out[f.name] = col.array
            else:
                out[f.name] = pd.Categorical(col.astype(object).where(col.notna(), None), categories=list(f.categories))
        else:
            out[f.name] = frame[f.name].to_numpy(dtype=np.float64, na_value=np.nan)
    return pd.DataFrame(out, index=frame.index)


def mask_to_level(frame: pd.DataFrame, level: str) -> pd.DataFrame:
    """Copy of ``frame`` with every feature not observed at ``level`` set to missing.

    Part of the feature contract (which fields a level shows), so the simulator, the
    oracle, training and the report share it from here.

    Masked binary columns become float (1.0 / 0.0 / NaN); masked numeric columns NaN.
    Truth columns and unknown columns are kept as they are.
    """
    keep = set(level_columns(check_level(level)))
    out = frame.copy()
    for name in features():
        if name in out.columns and name not in keep:
            out[name] = np.nan
    return out
