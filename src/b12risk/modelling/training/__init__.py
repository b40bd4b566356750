"""Training: config -> cohorts -> fit -> evaluate against oracle and baselines -> gate -> export.

:func:`train` runs the whole job from a TOML config (the default ships as
``b12risk/configs/default.toml``) and writes a new version into the registry.

Examples
--------
>>> from b12risk.modelling.training import load_config
>>> cfg = load_config()
>>> cfg.model.learning_rate
0.1
"""

from __future__ import annotations

import io
import json
import logging
import math
import numbers
import time
import tomllib
from dataclasses import dataclass
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any, Literal, get_origin

import numpy as np
import pandas as pd
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
from b12risk._version import __version__
from b12risk.errors import ConfigError, ReleaseGateError
from b12risk.knowledge import LEVELS, load
from b12risk.knowledge.schema import features, to_model_frame
from b12risk.logodds import logit
from b12risk.modelling.scorers import BASELINE_LEVELS

__all__ = ["TrainConfig", "TrainResult", "build_pipeline", "load_config", "train", "training_cohort"]

log = logging.getLogger(__name__)

SCORERS = ("model", "oracle", "guideline", "cb12", "risk_factor_score")


# --------------------------------------------------------------------------- config


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


class EvaluationConfig(_Section):
    n: int = Field(ge=200)
    min_events: int = Field(ge=1, default=1)
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


class Gate(_Section):
    auroc_margin: float = Field(ge=0)
    slope_low: float
    slope_high: float
    intercept_max: float = Field(ge=0)


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
    from b12risk.validation import _repr

    text = repr(part)[1:-1] if isinstance(part, str) else _repr(part)
    return text if len(text) <= 60 else text[:57] + "..."


def load_config(config: str | Path | dict | TrainConfig | None = None) -> TrainConfig:
    """Read and validate a training config (a TOML path, a dict, or the default).

    Raises
    ------
    ConfigError
        Naming the file, the key and the problem.
    """
    from b12risk.validation import _repr

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


# --------------------------------------------------------------------------- data


def training_cohort(cfg: TrainConfig, *, progress: bool = False) -> pd.DataFrame:
    """The training rows: a scenario mixture, survey and clinical labs, each row masked
    to one information level drawn with the configured weights."""
    from tqdm.auto import tqdm

    from b12risk.simulation.cohort import simulate

    c = cfg.cohort
    names = list(c.scenarios)
    weights = np.array([c.scenarios[s] for s in names], dtype=float)
    sizes = np.floor(weights / weights.sum() * c.n).astype(int)
    sizes[0] += c.n - sizes.sum()
    parts = []
    seeds = np.random.SeedSequence(c.seed).spawn(len(names) * 2 + 1)
    jobs = [(s, mode, k) for k, s in enumerate(names) for mode in ("survey", "clinical")]
    for s, mode, k in tqdm(jobs, desc="simulate training cohorts", disable=not progress):
        size = round(sizes[k] * (c.survey_share if mode == "survey" else 1 - c.survey_share))
        if size == 0:
            continue
        seed = int(seeds[2 * k + (mode == "clinical")].generate_state(1)[0])
        df = simulate(size, scenario=s, seed=seed, labs=mode)
        df.insert(0, "scenario", s)
        parts.append(df)
    frame = pd.concat(parts, ignore_index=True)
    rng = np.random.default_rng(seeds[-1])
    lw = np.array([c.levels.get(lv, 0.0) for lv in LEVELS])
    level = rng.choice(len(LEVELS), size=len(frame), p=lw / lw.sum())
    frame["level"] = pd.Categorical.from_codes(level, categories=list(LEVELS))
    return mask_rows(frame, level)


def mask_rows(frame: pd.DataFrame, level_index: np.ndarray) -> pd.DataFrame:
    """Mask each row to its own information level (``LEVELS[level_index[i]]``)."""
    out = frame.copy()
    for f in features().values():
        rank = LEVELS.index(f.level)
        hide = level_index < rank
        if hide.any():
            col = out[f.name].astype(np.float64) if f.kind == "binary" else out[f.name]
            out[f.name] = col.mask(hide)
    return out


# --------------------------------------------------------------------------- model


def build_pipeline(params: ModelParams):
    """The model: ordinal codes for categories, then gradient boosting on numbers."""
    from sklearn.compose import ColumnTransformer
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OrdinalEncoder

    feats = features()
    cat = [f.name for f in feats.values() if f.kind == "categorical"]
    num = [f.name for f in feats.values() if f.kind != "categorical"]
    prep = ColumnTransformer(
        [
            (
                "cat",
                OrdinalEncoder(
                    categories=[list(feats[c].categories) for c in cat],
                    handle_unknown="use_encoded_value",
                    unknown_value=np.nan,
                    encoded_missing_value=np.nan,
                ),
                cat,
            ),
            ("num", "passthrough", num),
        ],
        verbose_feature_names_out=False,
    )
    hgb = HistGradientBoostingClassifier(categorical_features=None, **params.model_dump())
    return Pipeline([("prep", prep), ("hgb", hgb)])


def _calibration_check(y: np.ndarray, p: np.ndarray) -> dict[str, float]:
    """Calibration intercept and slope with their standard errors (statsmodels GLMs)."""
    import statsmodels.api as sm

    z = logit(p, clip=1e-12)
    fam = sm.families.Binomial()
    icpt = sm.GLM(y.astype(float), np.ones((len(z), 1)), family=fam, offset=z).fit()
    slope = sm.GLM(y.astype(float), sm.add_constant(z), family=fam).fit()
    return {
        "intercept": float(icpt.params[0]),
        "intercept_se": float(icpt.bse[0]),
        "slope": float(slope.params[1]),
        "slope_se": float(slope.bse[1]),
    }


def _fit(cfg: TrainConfig, frame: pd.DataFrame, *, progress: bool) -> tuple[Any, dict[str, Any]]:
    """Fit the pipeline on the training cohort, check calibration per group on a fresh
    simulated calibration cohort, and correct it (Platt scaling of the log-odds, per
    group) only where it is off by more than the tolerance and by more than two
    standard errors."""
    from b12risk.modelling.calibration import GROUPS, LevelCalibratedClassifier, calibration_group

    X, y = to_model_frame(frame), frame["true_deficient"].to_numpy()
    pipe = build_pipeline(cfg.model)
    t0 = time.perf_counter()
    if progress:
        print(f"fitting gradient boosting on {len(X):,} rows ...", flush=True)
    pipe.fit(X, y)
    seconds = time.perf_counter() - t0
    tol = cfg.calibration
    cal_cfg = cfg.model_copy(
        update={"cohort": cfg.cohort.model_copy(update={"n": tol.rows, "seed": cfg.cohort.seed + 1})}
    )
    cal = training_cohort(cal_cfg)
    Xc, yc = to_model_frame(cal), cal["true_deficient"].to_numpy()
    p = pipe.predict_proba(Xc)[:, 1]
    group = calibration_group(Xc)
    info: dict[str, Any] = {
        "fit_seconds": round(seconds, 1),
        "n_iter": int(pipe[-1].n_iter_),
        "train_rows": len(X),
        "calibration_rows": len(Xc),
        "calibration_seed": cal_cfg.cohort.seed,
        "calibration": {},
    }
    off = []
    for g in GROUPS:
        sel = group == g
        if sel.sum() < 200 or yc[sel].all() or not yc[sel].any():
            continue
        c = _calibration_check(yc[sel], p[sel])
        info["calibration"][g] = {"rows": int(sel.sum()), **{k: round(v, 4) for k, v in c.items()}}
        slope_off = abs(c["slope"] - 1) > max(tol.slope_tolerance, 2 * c["slope_se"])
        icpt_off = abs(c["intercept"]) > max(tol.intercept_tolerance, 2 * c["intercept_se"])
        if slope_off or icpt_off:
            off.append(g)
    info["corrected_levels"] = off
    if not off:
        return pipe, info
    model = LevelCalibratedClassifier(pipe, levels=tuple(off)).fit(Xc, yc)
    info["correction"] = {g: [round(a, 4), round(b, 4)] for g, (a, b) in model.coef_.items() if g in off}
    return model, info


# --------------------------------------------------------------------------- evaluation


def _evaluation_cohort(scenario: str, e: EvaluationConfig, *, seed: int) -> pd.DataFrame:
    """At least ``e.n`` rows and, up to ``e.max_n`` rows, at least ``e.min_events``
    deficient ones: calibration estimates in low-prevalence scenarios need events."""
    from b12risk.simulation.cohort import simulate

    big = simulate(max(e.max_n, e.n), scenario=scenario, seed=seed, labs="survey")
    events = np.cumsum(big["true_deficient"].to_numpy())
    k = int(np.searchsorted(events, e.min_events)) + 1
    return big.iloc[: min(max(e.n, k), len(big))]


def evaluate(
    model: Any, baselines: dict[str, Any], cfg: TrainConfig, *, progress: bool = False
) -> dict[str, pd.DataFrame]:
    """Score fresh cohorts (scenario x level) with the model, the oracle and the baselines.

    Returns tidy tables: ``metrics`` (scenario, level, scorer, metric, estimate, lo, hi,
    n), and ``subgroups`` (level, grouping, subgroup, ...) on the pooled cohorts.
    """
    from tqdm.auto import tqdm

    from b12risk.knowledge.schema import mask_to_level
    from b12risk.modelling import metrics
    from b12risk.simulation.oracle import oracle_probability

    e = cfg.evaluation
    rows, pooled, curves = [], {lv: [] for lv in LEVELS}, []
    scen = cfg.eval_scenarios()
    cells = [(i, s, lv) for i, s in enumerate(scen) for lv in LEVELS]
    cohorts: dict[str, pd.DataFrame] = {}
    for i, s, level in tqdm(cells, desc="evaluate scenario x level", disable=not progress):
        if s not in cohorts:
            cohorts[s] = _evaluation_cohort(s, e, seed=e.seed + i)
        frame = mask_to_level(cohorts[s], level)
        y = frame["true_deficient"].to_numpy()
        scores = {"model": model.predict_proba(to_model_frame(frame))[:, 1], "oracle": oracle_probability(frame)}
        for name, est in baselines.items():
            if level in BASELINE_LEVELS[name]:
                ok = est.applies(frame)
                if ok.all():
                    scores[name] = (est.predict_proba(frame)[:, 1], est.decision_function(frame))
        for name, sc in scores.items():
            p, score = (sc, None) if not isinstance(sc, tuple) else sc
            point = metrics.summary(y, p, threshold=e.threshold, score=score)
            ci = metrics.bootstrap_ci(y, p, threshold=e.threshold, score=score, n_boot=e.n_boot, seed=e.seed + i)
            for metric, value in point.items():
                lo, hi = ci.get(metric, (np.nan, np.nan))
                rows.append((s, level, name, metric, value, lo, hi))
        pooled[level].append(frame.assign(_p=scores["model"]))
        keep = np.random.default_rng(e.seed + i).permutation(len(frame))[: e.curve_rows]
        curve = pd.DataFrame({"scenario": s, "level": level, "y": y[keep]})
        for name, sc in scores.items():
            p, score = (sc, None) if not isinstance(sc, tuple) else sc
            curve[f"{name}_p"] = p[keep]
            if score is not None:
                curve[f"{name}_score"] = score[keep]
        curves.append(curve)
    table = pd.DataFrame(rows, columns=["scenario", "level", "scorer", "metric", "estimate", "lo", "hi"])

    sub_rows = []
    for level in tqdm(LEVELS, desc="subgroups", disable=not progress):
        df = pd.concat(pooled[level], ignore_index=True)
        if len(df) > e.subgroup_rows:  # a fixed, seeded subsample keeps the bootstrap affordable
            df = df.sample(n=e.subgroup_rows, random_state=e.seed).reset_index(drop=True)
        groups = {
            "age_band": pd.cut(
                df["age"], [17, 40, 60, 75, 200], labels=["18-39", "40-59", "60-74", "75+"], right=False
            ).astype(str),
            "sex": df["sex"].astype(str),
            "pregnant": np.where(df["pregnant"].astype(float) > 0.5, "yes", "no"),
            "diet": df["diet"].astype(str),
            "region": df["region"].astype(str),
        }
        st = metrics.subgroup_table(
            df["true_deficient"].to_numpy(),
            df["_p"].to_numpy(),
            groups,
            threshold=e.threshold,
            n_boot=e.n_boot,
            seed=e.seed,
        )
        st.insert(0, "info_level", level)
        sub_rows.append(st)
    return {
        "metrics": table,
        "subgroups": pd.concat(sub_rows, ignore_index=True),
        "curves": pd.concat(curves, ignore_index=True),
    }


def _estimate(table: pd.DataFrame, scenario: str, level: str, scorer: str, metric: str) -> float:
    sel = table[
        (table.scenario == scenario) & (table.level == level) & (table.scorer == scorer) & (table.metric == metric)
    ]
    return float(sel.estimate.iloc[0]) if len(sel) else float("nan")


def release_gate(table: pd.DataFrame, gate: Gate) -> list[dict[str, Any]]:
    """Every failed check of the release gate, one dict per scenario x level x check."""
    failures = []
    for (scenario, level), _ in table.groupby(["scenario", "level"], sort=False):

        def get(scorer: str, metric: str, scenario=scenario, level=level) -> float:
            return _estimate(table, scenario, level, scorer, metric)

        auc, oracle = get("model", "auroc"), get("oracle", "auroc")
        checks = [("AUROC vs oracle", auc - oracle, -gate.auroc_margin, f"model {auc:.4f}, oracle {oracle:.4f}")]
        slope, intercept = get("model", "cal_slope"), get("model", "cal_intercept")
        checks.append(("calibration slope", slope, None, f"{slope:.3f} outside [{gate.slope_low}, {gate.slope_high}]"))
        checks.append(("calibration intercept", intercept, None, f"|{intercept:.3f}| > {gate.intercept_max}"))
        for name, levels in BASELINE_LEVELS.items():
            if level in levels:
                base = get(name, "auroc")
                if not np.isnan(base):
                    checks.append((f"AUROC vs {name}", auc - base, 0.0, f"model {auc:.4f}, {name} {base:.4f}"))
        for check, value, floor, detail in checks:
            if check == "calibration slope":
                bad = not gate.slope_low <= value <= gate.slope_high
                by = min(abs(value - gate.slope_low), abs(value - gate.slope_high))
            elif check == "calibration intercept":
                bad = not abs(value) <= gate.intercept_max
                by = abs(value) - gate.intercept_max
            else:
                bad = not value > floor if floor == 0.0 else not value >= floor
                by = floor - value
            if bad or np.isnan(value):
                failures.append(
                    {"scenario": scenario, "level": level, "check": check, "by": round(float(by), 4), "detail": detail}
                )
    return failures


def _summary(table: pd.DataFrame) -> dict[str, Any]:
    """Per level: mean over scenarios of model, oracle and best-baseline AUROC and calibration."""
    out = {}
    for level in LEVELS:
        t = table[(table.level == level) & (table.metric.isin(["auroc", "cal_slope", "cal_intercept"]))]
        piv = t.groupby(["scorer", "metric"]).estimate.mean()
        bases = {
            n: piv.get((n, "auroc")) for n in BASELINE_LEVELS if level in BASELINE_LEVELS[n] and (n, "auroc") in piv
        }
        best = max(bases, key=lambda n: bases[n]) if bases else None
        out[level] = {
            "model_auroc": round(float(piv[("model", "auroc")]), 4),
            "oracle_auroc": round(float(piv[("oracle", "auroc")]), 4),
            "best_baseline": best,
            "best_baseline_auroc": round(float(bases[best]), 4) if best else None,
            "model_cal_slope": round(float(piv[("model", "cal_slope")]), 3),
            "model_cal_intercept": round(float(piv[("model", "cal_intercept")]), 3),
        }
    return out


# --------------------------------------------------------------------------- run


@dataclass(frozen=True)
class TrainResult:
    """What :func:`train` produced."""

    version: str
    path: Path | None
    released: bool
    failures: list[dict[str, Any]]
    metrics: pd.DataFrame
    subgroups: pd.DataFrame
    metadata: dict[str, Any]


def _next_version(root: Path | None) -> str:
    versions = [m["version"] for m in registry.list_models(root)]
    if not versions:
        return "1.0.0"
    major, minor, patch = max(registry._semver_key(v) for v in versions)
    return f"{major}.{minor}.{patch + 1}"


def _schema_table() -> list[dict[str, Any]]:
    keep = (
        "name",
        "kind",
        "level",
        "group",
        "unit",
        "low",
        "high",
        "train_low",
        "train_high",
        "categories",
        "label_en",
        "label_ar",
    )
    return [{k: getattr(f, k) for k in keep} for f in features().values()]


def train(
    config: str | Path | dict | TrainConfig | None = None,
    *,
    root: str | Path | None = None,
    version: str | None = None,
    force: bool = False,
    progress: bool = True,
) -> TrainResult:
    """Train, evaluate, gate and export a model version.

    Parameters
    ----------
    config : path, dict or TrainConfig, optional
        Training config; the shipped default if omitted.
    root : path, optional
        Registry folder; :func:`b12risk.registry.models_dir` by default.
    version : str, optional
        Version to write; overrides the config's ``version``.
    force : bool
        Export even if the release gate fails, marked unreleased.
    progress : bool
        Show progress bars.

    Returns
    -------
    TrainResult

    Raises
    ------
    ReleaseGateError
        If the gate fails and ``force`` is false; its message lists every failed cell.
    """
    from b12risk.reporting.modelcard import render_model_card

    cfg = load_config(config)
    kb = load()
    version = version or (cfg.version if cfg.version != "auto" else _next_version(root))
    registry._check_version(version)
    registry._check_can_save(version, root)  # an existing version or an unwritable folder: fail before the work
    t_start = time.perf_counter()
    frame = training_cohort(cfg, progress=progress)
    model, fit_info = _fit(cfg, frame, progress=progress)
    from b12risk.modelling.baselines import fit_baselines  # scikit-learn: loaded when training, not on import b12risk

    baselines = fit_baselines(frame)
    tables = evaluate(model, baselines, cfg, progress=progress)
    failures = release_gate(tables["metrics"], cfg.gate)
    released = not failures
    metadata = {
        "package": "b12risk",
        "schema": _schema_table(),
        "model_features": list(features()),
        "levels": list(LEVELS),
        "config": cfg.model_dump(),
        "knowledge_fingerprint": kb.fingerprint,
        "seeds": {
            "training": cfg.cohort.seed,
            "evaluation": {s: cfg.evaluation.seed + i for i, s in enumerate(cfg.eval_scenarios())},
        },
        "training": {**fit_info, "total_seconds": round(time.perf_counter() - t_start, 1), "rows": len(frame)},
        "risk_bands": cfg.bands.model_dump(),
        "decision_threshold": cfg.evaluation.threshold,
        "metrics_summary": _summary(tables["metrics"]),
        "gate": {"passed": released, "failures": failures, "criteria": cfg.gate.model_dump()},
        "b12risk_version": __version__,
    }
    if failures and not force:
        raise ReleaseGateError(gate_report(failures))
    extra = {
        "evaluation.csv": tables["metrics"].to_csv(index=False).encode(),
        "evaluation.json": json.dumps(json.loads(tables["metrics"].to_json(orient="records")), indent=1).encode(),
        "subgroups.csv": tables["subgroups"].to_csv(index=False).encode(),
    }
    for name, table in (("evaluation.parquet", tables["metrics"]), ("curves.parquet", tables["curves"])):
        buf = io.BytesIO()
        table.to_parquet(buf, index=False, compression="zstd")
        extra[name] = buf.getvalue()
    path = registry.save_model(
        model,
        version=version,
        metadata=metadata,
        model_card=render_model_card(metadata, version=version, released=released),
        root=root,
        released=released,
        extra_files=extra,
    )
    return TrainResult(version, path, released, failures, tables["metrics"], tables["subgroups"], metadata)


def gate_report(failures: list[dict[str, Any]]) -> str:
    """Human-readable list of failed gate checks."""
    lines = [f"release gate failed in {len(failures)} check(s):"]
    for f in failures:
        lines.append(f"  {f['scenario']:<18} {f['level']:<13} {f['check']:<28} by {f['by']:+.4f}  ({f['detail']})")
    return "\n".join(lines)
