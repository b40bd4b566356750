"""The training config: a TOML file validated by pydantic models, one per section.

Every section is strict (a config says what it means: no ``true`` for 1, no ``"1000"``
for 1000) and refuses unknown keys; :func:`load_config` turns every problem into one
:class:`b12risk.errors.ConfigError` naming the file, the key and the value.
"""

from __future__ import annotations

import math
import numbers
import re
import tomllib
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any, Literal, get_origin

import numpy as np
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from b12risk import registry
from b12risk.errors import ConfigError
from b12risk.knowledge import LEVELS, load
from b12risk.validation import _repr

__all__ = [
    "Bands",
    "CalibrationConfig",
    "CohortConfig",
    "EvaluationConfig",
    "Gate",
    "ModelParams",
    "TrainConfig",
    "default_config_path",
    "load_config",
]


#: Largest whole number a config may hold: counts and seeds reach numpy as 64-bit integers.
_INT64_MAX = 2**63 - 1


class _Section(BaseModel):
    # strict: a config says what it means (no true for 1, "1000" for 1000 or 1 for true);
    # allow_inf_nan=False: no weight, tolerance or bound may be NaN or infinite.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)

    @field_validator("*", mode="before")
    @classmethod
    def _plain_numbers(cls, value: Any, info: ValidationInfo) -> Any:
        # Even in strict mode a float field reads anything with __float__ as a number:
        # numpy's bool as 1.0, a one-element array as its element, a duration as its count.
        annotation = cls.model_fields[info.field_name].annotation
        if annotation not in (int, float) and not (get_origin(annotation) is dict and isinstance(value, dict)):
            return value
        for key, item in value.items() if isinstance(value, dict) else [(None, value)]:
            if isinstance(item, np.timedelta64) or (
                hasattr(item, "__float__") and not isinstance(item, numbers.Real | Decimal)
            ):
                what = "true or false" if isinstance(item, np.bool_) else f"a {type(item).__name__}"
                weight = "" if key is None else f"weight {key}: "
                raise ValueError(f"{weight}Input should be a number, not {what}")
        return value

    @field_validator("*")
    @classmethod
    def _fits_64_bits(cls, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > _INT64_MAX:
            raise ValueError(f"must be a whole number of at most {_INT64_MAX} (64 bits)")
        return value


class CohortConfig(_Section):
    n: int = Field(ge=1000)
    seed: int = Field(ge=0)
    survey_share: float = Field(ge=0, le=1)
    scenarios: dict[str, float]
    levels: dict[str, float]
    #: Share of rows in which each risk factor other than age, sex and region is hidden with
    #: probability 1/2 (:func:`b12risk.modelling.training.cohorts.hide_risk_factors`), among the
    #: rows of the scenarios in ``unknown_in`` only: what an unknown field means depends on the
    #: population, and the general population is the one an application cannot otherwise name.
    unknown_risk_factors: float = Field(default=0.0, ge=0, le=1)
    unknown_in: list[str] = ["us_uk"]
    #: What the boosting learns from: ``"truth"``, each row's true status (0 or 1); or
    #: ``"posterior"``, the oracle's exact probability of it for the row (see
    #: :func:`b12risk.modelling.training.cohorts.posterior_target`). Calibration and
    #: evaluation always use the true status.
    target: Literal["truth", "posterior"] = "truth"

    @model_validator(mode="after")
    def _weights(self) -> CohortConfig:
        known = load().scenarios
        for name, w in self.scenarios.items():
            if name not in known:
                raise ValueError(f"scenario {name!r} is not one of {', '.join(sorted(known))}")
            if w < 0:
                raise ValueError(f"scenario weight {name} = {w} must be >= 0")
        for name, w in self.levels.items():
            if name not in LEVELS:
                raise ValueError(f"level {name!r} is not one of {', '.join(LEVELS)}")
            if w < 0:
                raise ValueError(f"level weight {name} = {w} must be >= 0")
        if sum(self.scenarios.values()) <= 0 or sum(self.levels.values()) <= 0:
            raise ValueError("scenario and level weights must not all be zero")
        if not math.isfinite(sum(self.scenarios.values())) or not math.isfinite(sum(self.levels.values())):
            raise ValueError("scenario and level weights must each add up to a finite number")
        return self


class ModelParams(_Section):
    learning_rate: float = Field(gt=0, le=1)
    max_iter: int = Field(ge=1)
    max_leaf_nodes: int = Field(ge=2)
    min_samples_leaf: int = Field(ge=1)
    l2_regularization: float = Field(ge=0)
    max_bins: int = Field(ge=2, le=255)
    early_stopping: bool
    validation_fraction: float = Field(gt=0, lt=1)
    n_iter_no_change: int = Field(ge=1)
    random_state: int = Field(ge=0, le=2**32 - 1)  # scikit-learn's limit for a seed


class CalibrationConfig(_Section):
    rows: int = Field(ge=1000)
    slope_tolerance: float = Field(gt=0)
    intercept_tolerance: float = Field(gt=0)
    # split each level's group by this input (b12risk.modelling.calibration.SPLITS); None: per level only
    by: Literal["region"] | None = None


class EvaluationConfig(_Section):
    n: int = Field(ge=200)
    min_events: int = Field(ge=1, default=1)
    # Fisher information of the calibration intercept at every level (sum of the oracle's
    # p (1 - p)); 0 leaves it out. See b12risk.modelling.training.cohorts._evaluation_cohort.
    min_information: float = Field(ge=0, default=0.0)
    max_n: int = Field(ge=200, default=200_000)
    seed: int = Field(ge=0)
    n_boot: int = Field(ge=10)
    subgroup_rows: int = Field(ge=1000, default=60_000)
    curve_rows: int = Field(ge=100, default=4000)
    threshold: float = Field(gt=0, lt=1)
    scenarios: list[str] | Literal["all"] = "all"

    @field_validator("scenarios")
    @classmethod
    def _known_scenarios(cls, scenarios: list[str] | str) -> list[str] | str:
        if scenarios == "all":
            return scenarios
        known = load().scenarios
        if not scenarios:
            raise ValueError("must name at least one scenario, or be 'all'")
        for name in scenarios:
            if name not in known:
                raise ValueError(f"scenario {name!r} is not one of {', '.join(sorted(known))}")
        return scenarios


class Bands(_Section):
    moderate: float = Field(gt=0, lt=1)
    high: float = Field(gt=0, lt=1)

    @model_validator(mode="after")
    def _ordered(self) -> Bands:
        if not self.moderate < self.high:
            raise ValueError(f"moderate ({self.moderate}) must be below high ({self.high})")
        return self


#: A NHANES cycle group as :mod:`b12risk.nhanes.validation` names it: "2001-2004".
_GROUP = r"^\d{4}-\d{4}$"


class Gate(_Section):
    """The release gate's criteria: on simulated cells, and on real patients (NHANES).

    The ``real_*`` settings are read by :mod:`b12risk.modelling.training.real_gate`. Their
    defaults leave the real-data gate off, so a config written before it existed (and the
    config recorded in the 1.0.0 model) still means what it meant; the shipped default
    config turns it on.
    """

    auroc_margin: float = Field(ge=0)
    slope_low: float
    slope_high: float
    intercept_max: float = Field(ge=0)
    #: Measure the trained candidate on the shipped NHANES cycles and gate on it.
    real_data: bool = False
    #: Cycle groups of the NHANES validation that are gated (each its own assay era).
    real_groups: list[str] = Field(default=["2001-2004", "2011-2012"], min_length=1)
    #: The model may rank below the real-data cross-validated model by this many paired standard errors.
    real_auroc_margin_se: float = Field(default=1.96, ge=0)
    #: Observed / mean predicted must lie in [1 / factor, factor].
    real_calibration_factor: float = Field(default=1.5, ge=1)
    #: The validation's simulated cohort (baselines, cB12 outcome) and the seed of it and of the CV folds.
    real_simulated_n: int = Field(default=200_000, ge=1000)
    real_seed: int = Field(default=0, ge=0)

    @field_validator("real_groups")
    @classmethod
    def _group_names(cls, groups: list[str]) -> list[str]:
        for group in groups:
            if not re.fullmatch(_GROUP, group):
                raise ValueError(f"cycle group {group!r} is not of the form '2001-2004'")
        if len(set(groups)) != len(groups):
            raise ValueError(f"cycle groups must not repeat; got {groups}")
        return groups


class TrainConfig(_Section):
    """A validated training config; see ``b12risk/configs/default.toml``."""

    version: str = "auto"
    cohort: CohortConfig
    model: ModelParams
    calibration: CalibrationConfig
    evaluation: EvaluationConfig
    bands: Bands
    gate: Gate

    def eval_scenarios(self) -> list[str]:
        names = sorted(load().scenarios) if self.evaluation.scenarios == "all" else list(self.evaluation.scenarios)
        return names


def default_config_path() -> Path:
    return Path(str(resources.files("b12risk") / "configs" / "default.toml"))


def _loc_text(part: Any) -> str:
    """One step of a config key's path as text: escaped (no raw control or direction characters), short."""
    text = repr(part)[1:-1] if isinstance(part, str) else _repr(part)
    return text if len(text) <= 60 else text[:57] + "..."


def load_config(config: str | Path | dict | TrainConfig | None = None) -> TrainConfig:
    """Read and validate a training config (a TOML path, a dict, or the default).

    Raises
    ------
    ConfigError
        Naming the file, the key and the problem.
    """
    if isinstance(config, TrainConfig):
        return config
    where = "config"
    if config is None:
        config = default_config_path()
    if isinstance(config, str | Path):
        where = str(config)
        try:
            with open(config, "rb") as fh:
                config = tomllib.load(fh)
        except FileNotFoundError:
            raise ConfigError(f"{where}: no such config file") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{where}: not valid TOML: {exc}") from None
        except UnicodeDecodeError as exc:
            raise ConfigError(f"{where}: not valid TOML: not UTF-8 text (byte {exc.start})") from None
        except RecursionError:
            raise ConfigError(f"{where}: not valid TOML: nested too deeply") from None
        except OSError as exc:  # a folder, a name too long ...
            raise ConfigError(f"{where}: cannot read the config file: {exc.strerror or exc}") from None
        except ValueError as exc:  # a NUL in the path, or a number beyond Python's digit limit
            if "\0" in where:
                raise ConfigError(f"{where!r}: cannot read the config file: the path contains a NUL") from None
            raise ConfigError(f"{where}: not valid TOML: {str(exc).split(';')[0]}") from None
    if not isinstance(config, dict):
        raise ConfigError(f"a training config must be a TOML file or a dict; got {type(config).__name__}")
    try:
        cfg = TrainConfig.model_validate(config)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            key = ".".join(_loc_text(p) for p in err["loc"]) or "(top level)"
            got = err.get("input")
            shown = "" if isinstance(got, dict | list) else f" (got {_repr(got)})"
            problems.append(f"[{key}] {err['msg'].removeprefix('Value error, ')}{shown}")
        raise ConfigError(f"{where}: " + "; ".join(problems)) from None
    if cfg.version != "auto":
        try:
            registry._check_version(cfg.version)
            for part in cfg.version.split("."):
                int(part)  # a part beyond Python's digit limit for int() is refused here, not when saving
        except ValueError:
            raise ConfigError(
                f"{where}: [version] must be 'auto' or a semantic version MAJOR.MINOR.PATCH of whole numbers "
                f"without leading zeros, such as '1.0.0' (got {_repr(cfg.version)})"
            ) from None
    return cfg
