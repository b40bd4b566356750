"""The knowledge base: ``seeds/*.toml`` read into validated, typed objects.

Every number in the seeds is a table ``{value, unit, source}`` (or ``{low, high, unit,
source}`` for a range), so each fact carries its unit and its provenance: a paragraph
of the source article ("article ¶2") or a citation. :func:`load` validates all of it
and raises :class:`KnowledgeError` naming the file, the key and the problem.

Examples
--------
>>> from b12risk.knowledge import load
>>> kb = load()
>>> kb.biomarkers["serum_b12"].thresholds["deficient"].value
148.0
>>> sorted(kb.scenarios)[:3]
['africa_asia_high', 'antenatal', 'diabetes_clinic']
"""

from __future__ import annotations

import hashlib
import os
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from b12risk.errors import KnowledgeError
from b12risk.paths import CHECKOUT, PACKAGE

__all__ = [
    "LEVELS",
    "Knowledge",
    "KnowledgeError",
    "load",
    "seeds_dir",
]

#: Information levels, from least to most observed.
LEVELS: tuple[str, ...] = ("risk_factors", "symptoms", "serum_b12", "full_panel")

#: Every parameter the structural model reads from ``measurement.toml``, by section: a
#: missing one is a :class:`KnowledgeError` at load time, naming the file and the key. (Each region of
#: ``demographics.toml`` also needs its ``latent.region_median.<region>``.)
MEASUREMENT_KEYS: dict[str, tuple[str, ...]] = {
    "latent": (
        "sd",
        "reference_age",
        "age_slope",
        "deficient_below",
    ),
    "labs": ("max_depth",),
    "severity": (
        "mild_below",
        "moderate_below",
        "severe_below",
    ),
    "symptoms": (
        "moderate_onset",
        "severe_onset",
        "moderate_weight",
        "severe_weight",
        "max_depth",
    ),
    "serum_assay": (
        "sd",
        "falsely_normal_pa",
        "falsely_normal_other",
        "falsely_normal_median",
        "falsely_normal_sd",
        "pregnancy_shift",
    ),
    "mma": (
        "median",
        "sd",
        "age_slope",
        "egfr_slope",
        "deficiency_onset",
        "deficiency_slope",
    ),
    "hcy": (
        "median",
        "sd",
        "male_shift",
        "age_slope",
        "egfr_slope",
        "deficiency_onset",
        "deficiency_slope",
    ),
    "holotc": (
        "fraction",
        "sd",
        "pregnancy_shift",
    ),
    "mcv": (
        "mean",
        "sd",
        "macrocytosis_slope",
        "iron_deficiency_shift",
        "iron_deficiency_masking",
    ),
    "hgb": (
        "male_mean",
        "female_mean",
        "pregnant_mean",
        "sd",
        "deficiency_slope",
        "iron_deficiency_shift",
        "shortened_rbc_shift",
    ),
    "iron_deficiency": (
        "male",
        "female",
        "pregnant",
    ),
    "egfr": (
        "median",
        "age_slope",
        "sd",
    ),
    "missingness": (
        "b12_intercept",
        "b12_per_decade",
        "b12_per_symptom",
        "b12_risk_factor",
        "fbc_intercept",
        "fbc_per_decade",
        "fbc_per_symptom",
        "mma_reflex_borderline",
        "mma_other",
        "hcy_given_b12",
        "holotc_given_b12",
        "reflex_upper",
    ),
}

SEED_FILES = (
    "biomarkers",
    "causes",
    "demographics",
    "epidemiology",
    "literature",
    "measurement",
    "scenarios",
    "symptoms",
)

Source = Annotated[str, Field(min_length=3)]
Unit = Annotated[str, Field(min_length=1)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Quantity(_Strict):
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


class Range(_Strict):
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


class AltUnit(_Strict):
    column: str
    unit: Unit
    to_canonical: Quantity


class Biomarker(_Strict):
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


class Cause(_Strict):
    kind: Literal["binary", "categorical", "exposure", "hidden"]
    mechanism: Literal["intake", "absorption", "demand"]
    label_en: str
    label_ar: str
    source: Source
    protective: bool = False
    column: str | None = None
    levels: list[str] | None = None
    level_labels_en: list[str] | None = None
    level_labels_ar: list[str] | None = None
    effects: dict[str, Quantity] | None = None
    effect: Quantity | None = None
    years_column: str | None = None
    dose_column: str | None = None
    years_label_en: str | None = None
    years_label_ar: str | None = None
    dose_label_en: str | None = None
    dose_label_ar: str | None = None
    reference_dose: Quantity | None = None
    saturation: Quantity | None = None
    years_range: Range | None = None
    dose_range: Range | None = None
    known_column: str | None = None
    known_label_en: str | None = None
    known_label_ar: str | None = None
    known_share: Quantity | None = None
    prevalence_under_60: Quantity | None = None
    prevalence_60plus_female: Quantity | None = None
    prevalence_60plus_male: Quantity | None = None
    prevalence_age_50: Quantity | None = None
    log_odds_per_decade: Quantity | None = None

    @model_validator(mode="after")
    def _shape(self) -> Cause:
        need = {
            "binary": ("column", "effect"),
            "categorical": ("column", "levels", "effects", "level_labels_en", "level_labels_ar"),
            "exposure": ("years_column", "effect", "saturation", "years_range"),
            "hidden": ("effect",),
        }[self.kind]
        missing = [k for k in need if getattr(self, k) is None]
        if missing:
            raise ValueError(f"a {self.kind} cause needs {', '.join(missing)}")
        if self.kind == "categorical":
            if set(self.effects) != set(self.levels):
                raise ValueError(f"effects {sorted(self.effects)} must match levels {self.levels}")
            for labels in (self.level_labels_en, self.level_labels_ar):
                if len(labels) != len(self.levels):
                    raise ValueError("level labels must have one entry per level")
        if self.dose_column is not None and (self.reference_dose is None or self.dose_range is None):
            raise ValueError("an exposure with a dose column needs reference_dose and dose_range")
        return self


class Symptom(_Strict):
    label_en: str
    label_ar: str
    tier: Literal["moderate", "severe"]
    neurological: bool
    source: Source
    background: Quantity


class Demographic(_Strict):
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


class Target(_Strict):
    scenario: str
    age: tuple[float, float]
    serum_b12_pmol_l: tuple[float, float]
    figure: Quantity
    target: Range


class Estimate(_Strict):
    cause: str
    measure: str
    definition: str
    estimate: Quantity
    status: Literal["verified", "reported", "check"]
    test: bool = False


class Gamma(_Strict):
    shape: float = Field(gt=0)
    scale: float = Field(gt=0)
    unit: Unit
    source: Source


class Choices(_Strict):
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


class AgeBands(_Strict):
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


class Scenario(_Strict):
    description: str
    region: str
    source: Source
    female: Quantity
    pregnant: Quantity
    age_bands: AgeBands
    diet: dict[str, Quantity]
    gastrectomy: dict[str, Quantity]
    prevalence: dict[str, Quantity]
    exposure: dict[str, Gamma | Choices]

    @model_validator(mode="after")
    def _shares(self) -> Scenario:
        for name in ("diet", "gastrectomy"):
            total = sum(q.value for q in getattr(self, name).values())
            if abs(total - 1) > 1e-9:
                raise ValueError(f"{name} shares must sum to 1, got {total:.6g}")
        for name, q in self.prevalence.items():
            if q.per_decade is None:
                raise ValueError(f"prevalence.{name} needs per_decade")
        return self


@dataclass(frozen=True, eq=False)
class Knowledge:
    """The validated knowledge base. Build it with :func:`load`."""

    biomarkers: dict[str, Biomarker]
    causes: dict[str, Cause]
    symptoms: dict[str, Symptom]
    demographics: dict[str, Demographic]
    scenarios: dict[str, Scenario]
    measurement: dict[str, dict[str, Quantity]]
    epidemiology: dict[str, Target]
    literature: dict[str, Estimate]
    fingerprint: str
    directory: Path

    def param(self, section: str, key: str) -> float:
        """Value of a structural-model parameter from ``measurement.toml``."""
        return self.measurement[section][key].value


def seeds_dir() -> Path:
    """The ``seeds/`` folder: ``$B12RISK_SEEDS`` if set, else the installed package's, else the checkout's."""
    override = os.environ.get("B12RISK_SEEDS")
    if override:
        return Path(override)
    here = PACKAGE
    for candidate in (PACKAGE / "seeds", CHECKOUT / "seeds"):
        if candidate.is_dir():
            return candidate
    raise KnowledgeError(f"no seeds/ folder found next to {here} or in the source checkout")


def _read(directory: Path, name: str) -> dict[str, Any]:
    path = directory / f"{name}.toml"
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise KnowledgeError(f"{path}: file is missing (expected one of {', '.join(SEED_FILES)})") from None
    except tomllib.TOMLDecodeError as exc:
        raise KnowledgeError(f"{path}: not valid TOML: {exc}") from None


def _validate(path: Path, key: str, model: type[BaseModel], data: Any) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join([key, *(str(p) for p in err["loc"])])
        msg = err["msg"].removeprefix("Value error, ")
        got = err.get("input")
        shown = "" if isinstance(got, dict | list) else f" (got {got!r})"
        raise KnowledgeError(f"{path}: [{where}] {msg}{shown}") from None


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict) and "value" not in value:
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _resolve_scenarios(path: Path, raw: dict[str, Any]) -> dict[str, dict[str, Any]]:
    resolved: dict[str, dict[str, Any]] = {}

    def resolve(name: str, chain: tuple[str, ...]) -> dict[str, Any]:
        if name in resolved:
            return resolved[name]
        if name in chain:
            raise KnowledgeError(f"{path}: [{name}] base chain loops: {' -> '.join([*chain, name])}")
        entry = dict(raw[name])
        base = entry.pop("base", None)
        if base is not None:
            if base not in raw:
                raise KnowledgeError(
                    f"{path}: [{name}.base] names unknown scenario {base!r}; known: {', '.join(sorted(raw))}"
                )
            entry = _merge(resolve(base, (*chain, name)), entry)
        resolved[name] = entry
        return entry

    for name in raw:
        resolve(name, ())
    return resolved


def _cross_check(directory: Path, kb: dict[str, Any]) -> None:
    """Checks that span files: names one file uses must exist in another."""
    regions = set(kb["demographics"]["region"].levels)
    median = kb["measurement"]["latent"]
    scen_path = directory / "scenarios.toml"
    prevalence_causes = {
        name for name, c in kb["causes"].items() if c.kind in ("binary", "exposure") and name != "pregnancy"
    }
    for name, sc in kb["scenarios"].items():
        if sc.region not in regions:
            raise KnowledgeError(f"{scen_path}: [{name}.region] {sc.region!r} is not one of {sorted(regions)}")
        if f"region_median.{sc.region}" not in median:
            raise KnowledgeError(f"{directory / 'measurement.toml'}: [latent.region_median.{sc.region}] is missing")
        missing = prevalence_causes - set(sc.prevalence)
        if missing:
            raise KnowledgeError(f"{scen_path}: [{name}.prevalence] lacks {', '.join(sorted(missing))}")
        unknown = set(sc.prevalence) - prevalence_causes
        if unknown:
            raise KnowledgeError(f"{scen_path}: [{name}.prevalence] names unknown causes {', '.join(sorted(unknown))}")
        for cause_name in ("diet", "gastrectomy"):
            levels = set(kb["causes"][cause_name].levels)
            if set(getattr(sc, cause_name)) != levels:
                raise KnowledgeError(f"{scen_path}: [{name}.{cause_name}] must give shares for {sorted(levels)}")
    for name, t in kb["epidemiology"].items():
        if t.scenario not in kb["scenarios"]:
            raise KnowledgeError(
                f"{directory / 'epidemiology.toml'}: [{name}.scenario] unknown scenario {t.scenario!r}"
            )
    for name, e in kb["literature"].items():
        if e.cause not in kb["causes"]:
            raise KnowledgeError(f"{directory / 'literature.toml'}: [{name}.cause] unknown cause {e.cause!r}")


def _flatten_measurement(path: Path, raw: dict[str, Any]) -> dict[str, dict[str, Quantity]]:
    out: dict[str, dict[str, Quantity]] = {}
    for section, entries in raw.items():
        if not isinstance(entries, dict):
            raise KnowledgeError(f"{path}: [{section}] must be a table of quantities")
        flat: dict[str, Quantity] = {}
        for key, value in entries.items():
            if isinstance(value, dict) and "value" not in value:  # one level of nesting
                for sub, q in value.items():
                    flat[f"{key}.{sub}"] = _validate(path, f"{section}.{key}.{sub}", Quantity, q)
            else:
                flat[key] = _validate(path, f"{section}.{key}", Quantity, value)
            for k, q in flat.items():
                positive = k in ("sd", "median", "mean") or k.endswith(("_sd", "_mean", "_below", "_onset"))
                if (positive or k.startswith("region_median.")) and q.value <= 0:
                    raise KnowledgeError(f"{path}: [{section}.{k}] must be > 0, got {q.value}")
        out[section] = flat
    for section, keys in MEASUREMENT_KEYS.items():
        for key in keys:
            if key not in out.get(section, {}):
                raise KnowledgeError(
                    f"{path}: [{section}] is missing {key!r} (the structural model reads {section}.{key}); "
                    "add it as { value = ..., unit = ..., source = ... }"
                )
    return out


def load(directory: str | Path | None = None) -> Knowledge:
    """Read and validate the knowledge base.

    Parameters
    ----------
    directory : str or Path, optional
        Folder holding the seed TOML files; the shipped ``seeds/`` by default.

    Returns
    -------
    Knowledge
        Frozen, validated knowledge with a SHA-256 ``fingerprint`` of the files.

    Raises
    ------
    KnowledgeError
        Naming the file, the key and the problem, for the first problem found.
    """
    if directory is None:
        return _load_default()
    return _load(Path(directory))


@lru_cache(maxsize=1)
def _load_default() -> Knowledge:
    return _load(seeds_dir())


def _load(directory: Path) -> Knowledge:
    raw = {name: _read(directory, name) for name in SEED_FILES}
    digest = hashlib.sha256()
    for name in SEED_FILES:
        digest.update(name.encode())
        digest.update((directory / f"{name}.toml").read_bytes())

    def table(name: str, model: type[BaseModel], data: dict[str, Any] | None = None) -> dict[str, Any]:
        path = directory / f"{name}.toml"
        data = raw[name] if data is None else data
        if not data:
            raise KnowledgeError(f"{path}: holds no entries")
        return {key: _validate(path, key, model, value) for key, value in data.items()}

    kb: dict[str, Any] = {
        "biomarkers": table("biomarkers", Biomarker),
        "causes": table("causes", Cause),
        "symptoms": table("symptoms", Symptom),
        "demographics": table("demographics", Demographic),
        "scenarios": table("scenarios", Scenario, _resolve_scenarios(directory / "scenarios.toml", raw["scenarios"])),
        "measurement": _flatten_measurement(directory / "measurement.toml", raw["measurement"]),
        "epidemiology": table("epidemiology", Target),
        "literature": table("literature", Estimate),
    }
    _cross_check(directory, kb)
    return Knowledge(**kb, fingerprint=digest.hexdigest(), directory=directory)
