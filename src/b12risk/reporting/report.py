"""The reviewers' report: one self-contained HTML page per model version.

:func:`build_report` reads a model folder (its metadata, evaluation tables and curve
samples), explains a held-out synthetic cohort with exact SHAP values, checks that every
documented cause moves the predictions the documented way, shows how the model did on
real US adults (NHANES, :mod:`b12risk.nhanes.validation`), and writes one HTML page
with every figure embedded as a PNG data URI (the same figures also go to
``figures/`` as PNG and SVG). The page uses no scripts, stylesheets, fonts or addresses
from outside the file, and the same model gives the same bytes.

Decision support, not a diagnosis: the page says so at the top.

Examples
--------
>>> from b12risk.reporting.report import SECTIONS
>>> SECTIONS[:3]
('model-card', 'provenance', 'performance')
"""

from __future__ import annotations

import json
import logging
import os
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from b12risk import registry
from b12risk.errors import B12RiskError, ConfigError, ModelIntegrityError
from b12risk.knowledge import Knowledge, load
from b12risk.knowledge.schema import mask_to_level
from b12risk.nhanes.validation import ExternalValidation, validate
from b12risk.paths import CHECKOUT
from b12risk.reporting.data import SECTIONS, ReportData
from b12risk.reporting.figures.saving import FigureWriter
from b12risk.reporting.html.page import render_page
from b12risk.reporting.knowledge_check import knowledge_check
from b12risk.serving.explain import shap_frame
from b12risk.serving.predict import predict
from b12risk.simulation.cohort import simulate
from b12risk.words import check_language

__all__ = [
    "EXAMPLES_DIR",
    "NHANES_SEED",
    "NHANES_SIMULATED_N",
    "SECTIONS",
    "build_report",
]

log = logging.getLogger(__name__)

#: The example patients of a source checkout (absent from an installed wheel).
EXAMPLES_DIR = CHECKOUT / "data" / "examples"

#: Held-out patients explained with SHAP, split over the evaluated scenarios.
SHAP_ROWS = 3000
#: A documented cause is compared on observed patients when at least this many have it ...
MIN_PRESENT = 20
#: ... else by switching it on in this many patients who do not have it (a what-if).
WHAT_IF_ROWS = 200
#: Smallest learned effect (log-odds) that counts as an effect at all.
MIN_EFFECT = 0.05
#: Dependence plots: field, information level, field that colours the dots.
DEPENDENCE = (
    ("age", "risk_factors", None),
    ("ppi_years", "risk_factors", "ppi_pills_per_day"),
    ("metformin_years", "risk_factors", "metformin_mg_day"),
    ("serum_b12_pmol_l", "full_panel", "mma_umol_l"),
    ("mma_umol_l", "full_panel", "egfr_ml_min"),
)
#: ``nhanes=True``: the simulated cohort and seed of :func:`b12risk.nhanes.validation.validate`.
NHANES_SIMULATED_N = 100_000
NHANES_SEED = 0


# --------------------------------------------------------------------------- data


def _read_table(folder: Path, stem: str, suffixes: tuple[str, ...] = (".parquet", ".csv", ".json")) -> pd.DataFrame:
    """A table of the model folder, from the first of its formats that is there."""
    readers = {
        ".parquet": pd.read_parquet,
        ".csv": lambda p: pd.read_csv(p, keep_default_na=False, na_values=[""]),
        ".json": pd.read_json,
    }
    for suffix in suffixes:
        path = folder / f"{stem}{suffix}"
        if path.is_file():
            return readers[suffix](path)
    names = " or ".join(f"{stem}{s}" for s in suffixes)
    raise ModelIntegrityError(
        f"{folder}: expected {names} (written by b12risk.modelling.training.train), found none; the report needs it. "
        "Retrain the model with this b12risk to get every table"
    )


def _heldout(meta: dict[str, Any], rows: int) -> pd.DataFrame:
    """Fresh patients of the evaluated scenarios, each drawn with its evaluation seed
    (never the training seed), every lab measured; scenarios weighted as in training."""
    seeds = meta["seeds"]["evaluation"]
    shares = meta["config"]["cohort"]["scenarios"]
    weights = np.array([float(shares.get(s, 0.0)) for s in seeds])
    weights = np.ones(len(seeds)) if weights.sum() <= 0 else weights
    raw = weights / weights.sum() * rows
    sizes = np.floor(raw).astype(int)
    sizes[np.argsort(-(raw - sizes), kind="stable")[: rows - sizes.sum()]] += 1
    parts = [
        simulate(int(k), scenario=s, seed=int(seeds[s]), labs="survey").assign(scenario=s)
        for s, k in zip(seeds, sizes, strict=True)
        if k > 0
    ]
    return pd.concat(parts, ignore_index=True)


def _examples(loaded: registry.LoadedModel, language: str) -> list[tuple[str, Any]] | None:
    """(file name, Prediction or error text) per example patient; None without the folder."""
    if not EXAMPLES_DIR.is_dir():
        return None
    out: list[tuple[str, Any]] = []
    # One patient at a time: OpenMP threads cost far more than they save (and stall on a busy machine).
    with threadpool_limits(limits=1, user_api="openmp"):
        for path in sorted(EXAMPLES_DIR.glob("*.json")):
            try:
                patient = json.loads(path.read_text(encoding="utf-8"))
                out.append((path.name, predict(patient, model=loaded, language=language)))
            except (B12RiskError, ValueError) as exc:
                out.append((path.name, str(exc)))
    return out


# --------------------------------------------------------------------------- real patients (NHANES)

#: Validations computed in this process, by model and settings: the English and the
#: Arabic page of one model (as the demo writes them) measure it once.
_VALIDATIONS: dict[tuple[Any, ...], ExternalValidation] = {}
_VALIDATIONS_KEPT = 2


def _check_nhanes(nhanes: Any) -> None:
    """Refuse an ``nhanes`` argument of the wrong kind before any work."""
    if nhanes is None or isinstance(nhanes, bool | ExternalValidation | str | os.PathLike):
        return
    raise ConfigError(
        "nhanes must be True (measure the model on NHANES), False or None (leave the section out), "
        f"an ExternalValidation or the folder its write() filled; got {type(nhanes).__name__}"
    )


def _validation_key(loaded: registry.LoadedModel) -> tuple[Any, ...]:
    files = json.dumps(loaded.metadata.get("files", {}), sort_keys=True, default=str)
    return (str(Path(loaded.path).resolve()), loaded.version, files, NHANES_SIMULATED_N, NHANES_SEED)


def _measure(loaded: registry.LoadedModel) -> ExternalValidation:
    """:func:`b12risk.nhanes.validation.validate` of ``loaded``, once per process and model."""
    key = _validation_key(loaded)
    if key not in _VALIDATIONS:
        t0 = time.perf_counter()
        _VALIDATIONS[key] = validate(loaded, simulated_n=NHANES_SIMULATED_N, seed=NHANES_SEED)
        log.info("NHANES validation of %s: %.1f s", loaded.version, time.perf_counter() - t0)
        while len(_VALIDATIONS) > _VALIDATIONS_KEPT:
            del _VALIDATIONS[next(iter(_VALIDATIONS))]
    return _VALIDATIONS[key]


def _nhanes_tables(
    nhanes: ExternalValidation | bool | None, loaded: registry.LoadedModel, folder: Path
) -> ExternalValidation | None:
    """The validation the page shows, as read back from ``folder`` (``<out_dir>/nhanes/``).

    Whatever its source, the validation is written to ``folder`` and read back from there,
    so an object and the folder it was written to give the same page byte for byte.
    """
    if nhanes is None or nhanes is False:
        return None
    result = _measure(loaded) if nhanes is True else nhanes
    result.write(folder)
    return ExternalValidation.read(folder)


def _collect(loaded: registry.LoadedModel, language: str, nhanes: ExternalValidation | None = None) -> ReportData:
    meta = loaded.metadata
    t0 = time.perf_counter()
    cohort = _heldout(meta, SHAP_ROWS)
    masked = {lv: mask_to_level(cohort, lv) for lv in ("risk_factors", "full_panel")}
    shap = {lv: shap_frame(loaded.estimator, frame)[1] for lv, frame in masked.items()}
    log.info("SHAP of %d held-out patients at 2 levels: %.1f s", len(cohort), time.perf_counter() - t0)
    kb = load()
    checks = knowledge_check(
        kb,
        loaded.estimator,
        masked["risk_factors"],
        shap["risk_factors"],
        language,
        min_present=MIN_PRESENT,
        what_if_rows=WHAT_IF_ROWS,
        min_effect=MIN_EFFECT,
        pregnancy_age=pregnancy_age(kb),
    )
    return ReportData(
        loaded=loaded,
        kb=kb,
        language=language,
        table=_read_table(loaded.path, "evaluation"),
        subgroups=_read_table(loaded.path, "subgroups", (".csv",)),
        curves=_read_table(loaded.path, "curves", (".parquet",)),
        cohort=cohort,
        masked=masked,
        shap=shap,
        checks=checks,
        examples=_examples(loaded, language),
        nhanes=nhanes,
        settings={
            "DEPENDENCE": DEPENDENCE,
            "EXAMPLES_DIR": EXAMPLES_DIR,
            "MIN_PRESENT": MIN_PRESENT,
            "WHAT_IF_ROWS": WHAT_IF_ROWS,
            "MIN_EFFECT": MIN_EFFECT,
        },
    )


def pregnancy_age(kb: Knowledge) -> float:
    """Oldest age at which the simulator draws pregnancy (``[pregnancy.eligible]`` in the seeds):
    a what-if switches pregnancy on only where the training cohorts had it."""
    return kb.causes["pregnancy"].eligible.simulated_age.high


def build_report(
    model: str | os.PathLike[str] | registry.LoadedModel = "latest",
    out_dir: str | os.PathLike[str] | None = None,
    *,
    language: str = "en",
    root: str | os.PathLike[str] | None = None,
    nhanes: ExternalValidation | str | os.PathLike[str] | bool | None = True,
) -> Path:
    """Write the reviewers' report of one model version.

    Parameters
    ----------
    model : str, Path or LoadedModel, default "latest"
        ``"latest"``, a version such as ``"1.0.0"``, a model folder, or a model already
        loaded with :func:`b12risk.registry.load_model`.
    out_dir : str or Path, optional
        Output folder; ``reports/<version>/`` (relative to the working directory) by
        default. Created if missing.
    language : {"en", "ar"}, default "en"
        ``"ar"`` writes ``report_ar.html`` (right to left, Arabic words and figures);
        ``"en"`` writes ``report.html``.
    root : str or Path, optional
        Registry folder to resolve ``model`` in; :func:`b12risk.registry.models_dir` by default.
    nhanes : bool, ExternalValidation, str or Path, default True
        The section on real patients (NHANES). ``True`` measures the model with
        :func:`b12risk.nhanes.validation.validate` (a simulated cohort of
        :data:`NHANES_SIMULATED_N` patients, seed :data:`NHANES_SEED`; about a minute,
        done once per process and model); an ``ExternalValidation`` is used as given; a
        folder is read as :meth:`~b12risk.nhanes.validation.ExternalValidation.write` left
        it (see :meth:`~b12risk.nhanes.validation.ExternalValidation.read`); ``False`` or ``None`` leave the measurement out and
        the page says so. The tables shown are also written to ``out_dir/nhanes/``.

    Returns
    -------
    Path
        The HTML file. Figures are in ``out_dir/figures/`` as PNG and SVG (Arabic ones
        end in ``_ar``); the page embeds the PNGs and needs nothing else.

    Raises
    ------
    ConfigError
        If ``language`` is not "en" or "ar", ``model`` is not a model reference, or
        ``nhanes`` is of another kind or names a folder without the validation tables.
    ModelIntegrityError
        If the model cannot be found or fails verification, or its folder lacks the
        evaluation tables.
    """
    language = check_language(language)
    _check_nhanes(nhanes)
    if isinstance(nhanes, str | os.PathLike):
        nhanes = ExternalValidation.read(nhanes)  # an incomplete folder fails before any work
    loaded = model if isinstance(model, registry.LoadedModel) else registry.load_model(model, root=root)
    out = Path("reports") / loaded.version if out_dir is None else Path(out_dir)
    t0 = time.perf_counter()
    validation = _nhanes_tables(nhanes, loaded, out / "nhanes")
    data = _collect(loaded, language, validation)
    writer = FigureWriter(out / "figures", language)
    page = render_page(data, writer)
    path = out / ("report_ar.html" if language == "ar" else "report.html")
    path.write_bytes(page.encode("utf-8"))
    log.info("wrote %s with %d figures in %.1f s", path, len(writer.names), time.perf_counter() - t0)
    return path
