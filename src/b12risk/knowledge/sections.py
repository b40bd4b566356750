"""Typed sections of the seed files: every entry of ``seeds/*.toml`` is one of these
pydantic models, so a missing, unknown or mistyped key is refused when the seeds are read
(:func:`b12risk.knowledge.load` turns the error into a :class:`KnowledgeError` naming the
file and the key). Causes have a class per kind in :mod:`b12risk.knowledge.causes`.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, field_validator, model_validator

__all__ = [
    "AgeBands",
    "AltUnit",
    "Biomarker",
    "Choices",
    "Demographic",
    "Direction",
    "Estimate",
    "Gamma",
    "Ordering",
    "Quantity",
    "Range",
    "Scenario",
    "Simulated",
    "Source",
    "Strict",
    "Symptom",
    "Target",
]

Source = Annotated[str, Field(min_length=3)]
Unit = Annotated[str, Field(min_length=1)]


class Strict(BaseModel):
    """A seed entry: unknown keys are refused, values are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Quantity(Strict):
    """A number with its unit and source."""

    value: float
    unit: Unit
    source: Source
    low: float | None = None
    high: float | None = None
    per_decade: float | None = None

    @model_validator(mode="after")
    def _in_range(self) -> Quantity:
        if self.unit == "fraction" or self.unit.startswith("fraction "):
            if not 0.0 <= self.value <= 1.0:
                raise ValueError(f"a fraction must lie in [0, 1], got {self.value}")
        if self.low is not None and self.high is not None and not self.low <= self.value <= self.high:
            if self.value != self.low or self.value != self.high:
                raise ValueError(f"value {self.value} lies outside its interval [{self.low}, {self.high}]")
        return self


class Range(Strict):
    """A closed interval with its unit and source."""

    low: float
    high: float
    unit: Unit
    source: Source

    @model_validator(mode="after")
    def _ordered(self) -> Range:
        if not self.low < self.high:
            raise ValueError(f"low ({self.low}) must be below high ({self.high})")
        if self.unit == "fraction" and not (0 <= self.low and self.high <= 1):
            raise ValueError(f"a fraction range must lie in [0, 1], got [{self.low}, {self.high}]")
        return self


class Direction(Strict):
    """Which way a feature moves the risk of deficiency with everything else held fixed:
    ``1`` never lowers it, ``-1`` never raises it, ``0`` either (unconstrained). The model
    is trained under these monotone constraints, so each needs its clinical reason."""

    value: Literal[-1, 0, 1]
    source: Source

    @field_validator("value", mode="before")
    @classmethod
    def _whole_number(cls, value: object) -> object:
        if isinstance(value, bool) or not isinstance(value, int):  # true == 1 and 1.0 == 1 would pass
            raise ValueError("Input should be -1, 0 or 1 (a whole number)")
        return value


class AltUnit(Strict):
    column: str
    unit: Unit
    to_canonical: Quantity


class Ordering(Strict):
    """When a clinician has the marker measured (clinical mode).

    ``test`` is the request it belongs to (``b12`` or ``fbc``, whose ordering odds are the
    ``<test>_*`` entries of ``[missingness]``). A marker with ``share`` is added to a
    ``test`` request in that share of cases (the ``[missingness]`` key holding it), and
    with ``borderline_share`` in that share when serum B12 is borderline (a reflex test).
    """

    test: str
    share: str | None = None
    borderline_share: str | None = None


class Simulated(Strict):
    """How the simulator draws a marker and the oracle weighs it: the structural equation
    (one of :data:`EQUATIONS`), the ``measurement.toml`` section holding its parameters,
    and the clinical ordering rule."""

    equation: str
    parameters: str
    ordering: Ordering


class Biomarker(Strict):
    column: str
    unit: Unit
    level: Literal["risk_factors", "symptoms", "serum_b12", "full_panel"]
    label_en: str
    label_ar: str
    plausible: Range
    training_range: Range
    source: Source
    alt_unit: AltUnit | None = None
    thresholds: dict[str, Quantity]
    simulated: Simulated | None = None
    direction: Direction | None = None  # None: not declared, so unconstrained

    @model_validator(mode="after")
    def _thresholds_plausible(self) -> Biomarker:
        for name, q in self.thresholds.items():
            if q.value <= 0:
                raise ValueError(f"threshold {name} must be > 0, got {q.value}")
            if q.unit == self.unit and not self.plausible.low <= q.value <= self.plausible.high:
                raise ValueError(
                    f"threshold {name}={q.value} {q.unit} lies outside the plausible range "
                    f"[{self.plausible.low}, {self.plausible.high}]"
                )
        return self


class Symptom(Strict):
    label_en: str
    label_ar: str
    tier: Literal["moderate", "severe"]
    neurological: bool
    source: Source
    background: Quantity


class Demographic(Strict):
    column: str
    kind: Literal["numeric", "categorical"]
    label_en: str
    label_ar: str
    source: Source
    unit: str | None = None
    levels: list[str] | None = None
    level_labels_en: list[str] | None = None
    level_labels_ar: list[str] | None = None
    plausible: Range | None = None
    training_range: Range | None = None


class Target(Strict):
    """A prevalence figure of the article and the calibration target derived from it.

    ``drives`` says whether the simulator is calibrated to it (its test runs); where it is
    not, ``disagreement`` names the entry of ``disagreements.toml`` saying what drives instead.
    """

    scenario: str
    drives: StrictBool
    disagreement: str | None = None
    age: tuple[float, float]
    serum_b12_pmol_l: tuple[float, float]
    figure: Quantity
    target: Range

    @model_validator(mode="after")
    def _pointer(self) -> Target:
        if not self.drives and self.disagreement is None:
            raise ValueError(
                "drives = false needs disagreement = '<entry of disagreements.toml>' saying what drives the "
                "simulator instead"
            )
        return self


class Estimate(Strict):
    cause: str
    measure: str
    definition: str
    estimate: Quantity
    status: Literal["verified", "reported", "check"]
    test: bool = False


class Gamma(Strict):
    shape: float = Field(gt=0)
    scale: float = Field(gt=0)
    unit: Unit
    source: Source


class Choices(Strict):
    choices: list[float] = Field(min_length=1)
    weights: list[float] = Field(min_length=1)
    unit: Unit
    source: Source

    @model_validator(mode="after")
    def _weights(self) -> Choices:
        if len(self.choices) != len(self.weights):
            raise ValueError("choices and weights must have the same length")
        if abs(sum(self.weights) - 1) > 1e-9 or min(self.weights) < 0:
            raise ValueError(f"weights must be non-negative and sum to 1, got {self.weights}")
        return self


class AgeBands(Strict):
    value: list[tuple[float, float, float]]
    unit: Unit
    source: Source

    @model_validator(mode="after")
    def _bands(self) -> AgeBands:
        for low, high, share in self.value:
            if not 18 <= low < high <= 120 or share < 0:
                raise ValueError(f"age band ({low}, {high}, {share}) must satisfy 18 <= low < high <= 120")
        if abs(sum(s for _, _, s in self.value) - 1) > 1e-9:
            raise ValueError("age band shares must sum to 1")
        return self


class Scenario(Strict):
    description: str
    region: str
    source: Source
    female: Quantity
    pregnant: Quantity
    age_bands: AgeBands
    #: Shares of each level of every categorical cause (``[<scenario>.<cause>]`` in the file).
    shares: dict[str, dict[str, Quantity]]
    prevalence: dict[str, Quantity]
    exposure: dict[str, Gamma | Choices]

    @model_validator(mode="after")
    def _shares(self) -> Scenario:
        for name, shares in self.shares.items():
            total = sum(q.value for q in shares.values())
            if abs(total - 1) > 1e-9:
                raise ValueError(f"{name} shares must sum to 1, got {total:.6g}")
        for name, q in self.prevalence.items():
            if q.per_decade is None:
                raise ValueError(f"prevalence.{name} needs per_decade")
        return self
