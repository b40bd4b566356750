"""The four kinds of cause, one class each, and what every consumer needs from them.

A cause in ``seeds/causes.toml`` declares its ``kind``; pydantic picks the class:

=============  ==============================================  =========================
kind           observed as                                     shifts the latent level by
=============  ==============================================  =========================
binary         one true/false column                           ``effect`` when true
categorical    one column holding one of ``levels``            ``effects[level]``
exposure       years taken (and, optionally, a daily dose)     ``effect * dose/ref * min(years, sat)/sat``
hidden         never (at most whether it is diagnosed)         ``effect``, summed over by the oracle
=============  ==============================================  =========================

Each class answers, for its kind: which feature columns it contributes
(:meth:`features`, read by :mod:`b12risk.knowledge.schema`), how it moves the latent
level given the observed columns (:meth:`log_shift`, shared by the simulator and the
oracle), and, for the simulator, who can have it (:meth:`BinaryCause.can_have`) and how
common a hidden one is (:meth:`HiddenCause.prevalence`). A binary or exposure cause may
declare the ``direction`` in which its columns move the risk (the model's monotone
constraint; undeclared is unconstrained). So diet and gastrectomy are two
categorical causes like any other, and a new cause of a known kind is an entry in the
seeds, not code.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import numpy as np
from pydantic import Field, model_validator

from b12risk.knowledge.sections import Direction, Quantity, Range, Source, Strict
from b12risk.logodds import expit, logit

__all__ = ["BinaryCause", "CategoricalCause", "Cause", "Eligibility", "ExposureCause", "HiddenCause"]


class _Cause(Strict):
    """What every cause has: how the article groups it, its labels and its source."""

    mechanism: Literal["intake", "absorption", "demand"]
    label_en: str
    label_ar: str
    source: Source
    protective: bool = False

    def features(self, name: str) -> tuple[dict[str, Any], ...]:
        """The feature columns this cause contributes, as keyword arguments of
        :class:`b12risk.knowledge.schema.Feature`."""
        return ()

    @property
    def columns(self) -> tuple[str, ...]:
        """Names of the observed columns this cause contributes."""
        return tuple(f["name"] for f in self.features(""))

    def _common(self, name: str) -> dict[str, Any]:
        declared = getattr(self, "direction", None)  # binary and exposure causes may declare one
        direction = declared.value if declared is not None else 0
        return dict(level="risk_factors", group="causes", source=self.source, cause=name, direction=direction)


class Eligibility(Strict):
    """Who can have a binary cause at all (pregnancy: women of child-bearing age).

    The simulator draws it among ``sex`` up to ``simulated_age.high``, with the share a
    scenario gives under the cause's column name (``pregnant``); predict() accepts it up
    to ``plausible_age.high``."""

    sex: Literal["female", "male"]
    simulated_age: Range
    plausible_age: Range


class BinaryCause(_Cause):
    kind: Literal["binary"]
    column: str
    effect: Quantity
    eligible: Eligibility | None = None
    direction: Direction | None = None  # of the column; None: unconstrained

    def features(self, name: str) -> tuple[dict[str, Any], ...]:
        return (
            dict(name=self.column, kind="binary", label_en=self.label_en, label_ar=self.label_ar, **self._common(name)),
        )

    def log_shift(self, a: dict[str, np.ndarray]) -> np.ndarray:
        return self.effect.value * a[self.column]

    def can_have(self, a: dict[str, np.ndarray]) -> np.ndarray | bool:
        """Rows that can have the cause in a simulated population (everyone, unless restricted)."""
        if self.eligible is None:
            return True
        sex = 0 if self.eligible.sex == "female" else 1  # sex is coded 0 female, 1 male
        return (a["sex"] == sex) & (a["age"] <= self.eligible.simulated_age.high)


class CategoricalCause(_Cause):
    kind: Literal["categorical"]
    column: str
    levels: list[str]
    level_labels_en: list[str]
    level_labels_ar: list[str]
    effects: dict[str, Quantity]

    @model_validator(mode="after")
    def _one_entry_per_level(self) -> CategoricalCause:
        if set(self.effects) != set(self.levels):
            raise ValueError(f"effects {sorted(self.effects)} must match levels {self.levels}")
        for labels in (self.level_labels_en, self.level_labels_ar):
            if len(labels) != len(self.levels):
                raise ValueError("level labels must have one entry per level")
        return self

    def features(self, name: str) -> tuple[dict[str, Any], ...]:
        return (
            dict(
                name=self.column,
                kind="categorical",
                label_en=self.label_en,
                label_ar=self.label_ar,
                categories=tuple(self.levels),
                category_labels_en=tuple(self.level_labels_en),
                category_labels_ar=tuple(self.level_labels_ar),
                **self._common(name),
            ),
        )

    @property
    def effect_by_code(self) -> np.ndarray:
        """The shift of each level, indexed by the level's code."""
        return np.array([self.effects[lv].value for lv in self.levels])

    def log_shift(self, a: dict[str, np.ndarray]) -> np.ndarray:
        return self.effect_by_code[a[self.column]]


class ExposureCause(_Cause):
    kind: Literal["exposure"]
    years_column: str
    years_label_en: str
    years_label_ar: str
    effect: Quantity
    saturation: Quantity
    years_range: Range
    dose_column: str | None = None
    dose_label_en: str | None = None
    dose_label_ar: str | None = None
    reference_dose: Quantity | None = None
    dose_range: Range | None = None
    direction: Direction | None = None  # of both columns (the shift grows with each); None: unconstrained

    @model_validator(mode="after")
    def _dose_complete(self) -> ExposureCause:
        if self.dose_column is not None and (self.reference_dose is None or self.dose_range is None):
            raise ValueError("an exposure with a dose column needs reference_dose and dose_range")
        return self

    def features(self, name: str) -> tuple[dict[str, Any], ...]:
        years = dict(
            name=self.years_column,
            kind="numeric",
            label_en=self.years_label_en,
            label_ar=self.years_label_ar,
            unit="years",
            low=self.years_range.low,
            high=self.years_range.high,
            train_low=0.0,
            train_high=40.0,
            **self._common(name),
        )
        if not self.dose_column:
            return (years,)
        dose = dict(
            name=self.dose_column,
            kind="numeric",
            label_en=self.dose_label_en,
            label_ar=self.dose_label_ar,
            unit=self.dose_range.unit,
            low=self.dose_range.low,
            high=self.dose_range.high,
            train_low=self.dose_range.low,
            train_high=self.dose_range.high,
            **self._common(name),
        )
        return years, dose

    def log_shift(self, a: dict[str, np.ndarray]) -> np.ndarray:
        sat = self.saturation.value
        factor = np.minimum(a[self.years_column], sat) / sat
        if self.dose_column is not None:
            factor = factor * a[self.dose_column] / self.reference_dose.value
        return self.effect.value * factor


class HiddenCause(_Cause):
    """Never observed; the oracle sums over it. Prevalence is either by age band and sex
    (``prevalence_under_60`` / ``prevalence_60plus_*``) or logistic in age
    (``prevalence_age_50`` and ``log_odds_per_decade``)."""

    kind: Literal["hidden"]
    effect: Quantity
    known_column: str | None = None
    known_label_en: str | None = None
    known_label_ar: str | None = None
    known_share: Quantity | None = None
    prevalence_under_60: Quantity | None = None
    prevalence_60plus_female: Quantity | None = None
    prevalence_60plus_male: Quantity | None = None
    prevalence_age_50: Quantity | None = None
    log_odds_per_decade: Quantity | None = None
    #: Observed binary causes whose effect does not reach someone with this cause (oral B12
    #: needs intrinsic factor), and the source for it.
    blocks: tuple[str, ...] = ()
    blocks_source: Source | None = None

    @model_validator(mode="after")
    def _one_prevalence(self) -> HiddenCause:
        banded = (self.prevalence_under_60, self.prevalence_60plus_female, self.prevalence_60plus_male)
        logistic = (self.prevalence_age_50, self.log_odds_per_decade)
        if not (all(q is not None for q in banded) or all(q is not None for q in logistic)):
            raise ValueError(
                "a hidden cause needs its prevalence: prevalence_under_60, prevalence_60plus_female and "
                "prevalence_60plus_male, or prevalence_age_50 and log_odds_per_decade"
            )
        if self.known_column is not None and None in (self.known_share, self.known_label_en, self.known_label_ar):
            raise ValueError("a hidden cause with a known_column needs known_share and its labels")
        if self.blocks and self.blocks_source is None:
            raise ValueError("a hidden cause that blocks other causes needs blocks_source")
        return self

    def features(self, name: str) -> tuple[dict[str, Any], ...]:
        if not self.known_column:
            return ()
        return (
            dict(
                name=self.known_column,
                kind="binary",
                label_en=self.known_label_en,
                label_ar=self.known_label_ar,
                **self._common(name),
            ),
        )

    def prevalence(self, a: dict[str, np.ndarray]) -> np.ndarray:
        """P(cause) in the population, per row, from age (and sex)."""
        age = a["age"]
        if self.prevalence_age_50 is None:
            older = np.where(a["sex"] == 0, self.prevalence_60plus_female.value, self.prevalence_60plus_male.value)
            return np.where(age < 60, self.prevalence_under_60.value, older)
        return expit(logit(self.prevalence_age_50.value) + self.log_odds_per_decade.value * (age - 50.0) / 10.0)


#: A cause of any kind, picked by its ``kind`` entry.
Cause = Annotated[BinaryCause | CategoricalCause | ExposureCause | HiddenCause, Field(discriminator="kind")]
