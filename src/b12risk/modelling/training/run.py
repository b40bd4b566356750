"""The whole training job, :func:`train`: config -> cohorts -> fit -> evaluate against the
oracle and the baselines -> gate (simulated cells, then real patients) -> export a new
version into the registry.

The real-data gate measures the candidate on NHANES, which lives in a later stage
(:mod:`b12risk.nhanes` validates trained models through serving, so training must not
import it, not even inside a function: ``tests/test_imports.py``). :func:`train` is
therefore handed the measurement as a function, ``real_data``; the ``b12risk train``
command hands it :func:`b12risk.nhanes.release.measure`.
"""

from __future__ import annotations

import io
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from b12risk import registry
from b12risk._version import __version__
from b12risk.errors import ReleaseGateError
from b12risk.knowledge import LEVELS, load
from b12risk.knowledge.schema import features
from b12risk.modelling.modelcard import render_model_card
from b12risk.modelling.training.cohorts import training_cohort
from b12risk.modelling.training.config import TrainConfig, load_config
from b12risk.modelling.training.evaluation import _summary, evaluate
from b12risk.modelling.training.fit import _fit
from b12risk.modelling.training.gate import gate_report, release_gate
from b12risk.modelling.training.real_gate import real_data_gate, real_gate_record

if TYPE_CHECKING:
    from b12risk.nhanes.validation import ExternalValidation

__all__ = ["RealDataMeasure", "TrainResult", "train"]

log = logging.getLogger(__name__)

#: The real-data measurement :func:`train` is handed: called as
#: ``measure(candidate, simulated_n=..., seed=...)`` with the unsaved candidate as a
#: :class:`~b12risk.registry.LoadedModel`, it returns an ``ExternalValidation``
#: (:func:`b12risk.nhanes.release.measure`; :func:`b12risk.nhanes.validation.validate`
#: has the same signature).
RealDataMeasure = Callable[..., "ExternalValidation"]


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
    real_data: ExternalValidation | None = None


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
    real_data: RealDataMeasure | None = None,
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
    real_data : callable, optional
        The measurement on real patients, :data:`RealDataMeasure` (the ``b12risk train``
        command passes :func:`b12risk.nhanes.release.measure`). Called only when the
        config's ``[gate] real_data`` is true; then the candidate must also pass
        :func:`~b12risk.modelling.training.real_gate.real_data_gate`, and without a
        measurement every real-data check fails as not measured (export with ``force``,
        marked unreleased). Its checks go into the metadata (``gate.real_data``), its
        failures into ``gate.failures``, its tables into the model card.

    Returns
    -------
    TrainResult

    Raises
    ------
    ReleaseGateError
        If the gate fails and ``force`` is false; its message lists every failed cell
        and every failed real-data check.
    """
    cfg = load_config(config)
    kb = load()
    version = version or (cfg.version if cfg.version != "auto" else _next_version(root))
    registry._check_version(version)
    registry._check_can_save(version, root)  # an existing version or an unwritable folder: fail before the work
    t_start = time.perf_counter()
    stages: dict[str, float] = {}  # seconds of each stage, in order, for the summary
    clock = time.perf_counter()

    def stage(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        stages[name] = round(now - clock, 1)
        clock = now

    frame = training_cohort(cfg, progress=progress)
    stage("simulate training cohort")
    model, fit_info = _fit(cfg, frame, progress=progress)
    stage("fit and calibration check")
    # the baselines import scikit-learn: loaded when training, not on ``import b12risk``
    from b12risk.modelling.baselines import fit_baselines

    baselines = fit_baselines(frame)
    stage("fit baselines")
    tables = evaluate(model, baselines, cfg, progress=progress)
    stage("evaluate against oracle and baselines")
    failures = release_gate(tables["metrics"], cfg.gate)
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
    }
    validation, record = _measure_real(cfg, model, metadata, version, root, real_data)
    if validation is not None:
        stage("measure on real patients")
    if cfg.gate.real_data:
        failures = failures + real_data_gate(validation, cfg.gate)
    released = not failures
    metadata["gate"] = {
        "passed": released,
        "failures": failures,
        "criteria": cfg.gate.model_dump(),
        "real_data": record,
    }
    metadata["b12risk_version"] = __version__
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
        model_card=render_model_card(metadata, version=version, released=released, nhanes=validation),
        root=root,
        released=released,
        extra_files=extra,
    )
    stage("export")
    metadata["training"]["stage_seconds"] = stages  # after saving: the times are reported, not stored
    return TrainResult(version, path, released, failures, tables["metrics"], tables["subgroups"], metadata, validation)


def _measure_real(
    cfg: TrainConfig,
    model: Any,
    metadata: dict[str, Any],
    version: str,
    root: str | Path | None,
    measure: RealDataMeasure | None,
) -> tuple[ExternalValidation | None, dict[str, Any]]:
    """The candidate measured on real patients (when the config asks and a measurement is given) and its record."""
    if not cfg.gate.real_data or measure is None:
        return None, real_gate_record(None, cfg.gate)
    folder = (Path(root) if root is not None else registry.models_dir()) / f"{registry.PREFIX}{version}"
    # not saved yet: serving needs only the estimator, the fields and the risk bands
    candidate = registry.LoadedModel(estimator=model, metadata=metadata, version=version, path=folder, released=False)
    log.info("measuring candidate %s on real patients (NHANES) for the release gate", version)
    t0 = time.perf_counter()
    validation = measure(candidate, simulated_n=cfg.gate.real_simulated_n, seed=cfg.gate.real_seed)
    seconds = time.perf_counter() - t0
    log.info("real-data measurement took %.1f s", seconds)
    return validation, real_gate_record(validation, cfg.gate, seconds=seconds)
