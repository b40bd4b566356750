"""``predict()``: validated input, a calibrated probability, a risk band and why.

Decision support, not a diagnosis.

Examples
--------
>>> from b12risk import predict
>>> p = predict({"age": 71, "sex": "female", "diet": "vegan", "ppi_years": 6, "ppi_pills_per_day": 1,
...              "serum_b12_pg_ml": 260, "paresthesia": True})
>>> p.risk_band in ("low", "moderate", "high"), p.information_level
(True, 'serum_b12')
>>> abs(p.base_log_odds + sum(c.log_odds for c in p.contributions) - p.log_odds) < 1e-6
True
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from numbers import Integral
from typing import Any

import numpy as np
import pandas as pd

from b12risk.knowledge import LEVELS, load
from b12risk.knowledge.schema import features
from b12risk.logodds import expit
from b12risk.serving.explain import _parts, shap_of_matrix, transform_validated
from b12risk.serving.forest import forest_for
from b12risk.serving.runtime import Runtime, resolve
from b12risk.serving.trees import THREADED_ROWS, raw_predict, thread_count
from b12risk.validation import Validated, validate
from b12risk.validation.constraints import Interval, Options, validate_params
from b12risk.words import LANGUAGES, t, t_unit

__all__ = ["Contribution", "Prediction", "predict"]

_THREADED_ROWS = THREADED_ROWS  # below this many rows, the trees are evaluated on one thread


@dataclass(frozen=True)
class Contribution:
    """One input field's part in a prediction (exact TreeSHAP on the log-odds)."""

    field: str
    label: str
    value: Any
    value_label: str
    unit: str | None
    log_odds: float
    probability_points: float
    direction: str  # "raises" | "lowers"


@dataclass(frozen=True)
class Prediction:
    """The model's answer for one patient. Decision support, not a diagnosis."""

    probability: float
    risk_band: str
    risk_band_label: str
    information_level: str
    contributions: list[Contribution]
    base_log_odds: float
    log_odds: float
    baseline: dict[str, Any]
    model_version: str
    warnings: list[str]
    language: str = "en"
    text: str = ""
    given: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict."""
        out = asdict(self)
        out["given"] = list(self.given)
        for c in out["contributions"]:
            if isinstance(c["value"], np.generic):
                c["value"] = c["value"].item()
        return out


# --------------------------------------------------------------------------- helpers


def _band(p: np.ndarray, bands: tuple[float, float]) -> np.ndarray:
    return np.where(p >= bands[1], "high", np.where(p >= bands[0], "moderate", "low"))


def _display_value(checked: Validated, row: int, name: str) -> Any:
    f = features()[name]
    x = checked.values[name][row]
    if f.kind == "binary":
        return bool(x)
    if f.kind == "categorical":
        return f.categories[x]
    return float(x)


def _baseline_fields() -> list[str]:
    """The fields the rules read: the labs, age and pregnancy."""
    labs = [name for name, f in features().items() if f.level in LEVELS[2:]]
    return [*labs, "age", load().causes["pregnancy"].column]


def _baseline(v: Validated, row: int, language: str) -> dict[str, Any]:
    """What the rules say, where they can be computed."""
    from b12risk.modelling.baselines import GuidelineRule, cb12_category, combined_indicator

    # the row's labs, age and pregnancy only: building the whole frame costs more than the rules
    one = pd.DataFrame({name: v.values[name][row : row + 1] for name in _baseline_fields()})
    out: dict[str, Any] = {}
    cat = int(GuidelineRule().category(one)[0])  # -1 where the rule does not apply
    if cat >= 0:
        key = "deficient" if cat >= 3 else ("not_deficient" if cat in (0, 1) else "indeterminate")
        out["guideline"] = {"rule": "BSH 2014", "category": cat, "verdict": t(f"guideline.{key}", language)}
    else:
        out["guideline"] = None
    r = one.iloc[0]
    markers = ["serum_b12_pmol_l", "holotc_pmol_l", "mma_umol_l", "hcy_umol_l"]
    if all(pd.notna(r[m]) for m in markers) and pd.notna(r["age"]):
        value = float(combined_indicator(*(np.array([r[m]]) for m in markers), np.array([r["age"]]))[0])
        out["cb12"] = {"value": round(value, 3), "category": str(cb12_category(np.array([value]))[0])}
    else:
        out["cb12"] = None
    return out


def _explain_rows(runtime: Runtime, Xt: np.ndarray, affine, threads: int) -> tuple[np.ndarray, np.ndarray]:
    return shap_of_matrix(runtime.estimator, Xt, affine=affine, threads=threads)


def _log_odds(runtime: Runtime, v: Validated, Xt: np.ndarray, threads: int):
    """The model's log-odds from the preprocessed rows (no second pass; the compiled trees
    equal scikit-learn's ``decision_function`` to the last bit), and the recalibration's
    per-row (a, b) if there is one."""
    pipe, calib = _parts(runtime.estimator)
    raw = raw_predict(forest_for(pipe[-1]), Xt, threads=threads)
    if calib is not None:
        from b12risk.modelling.calibration import UNKNOWN, calibration_group_of, panel_fields, split_group_of

        complete = np.logical_and.reduce([~np.isnan(v.values[name]) for name in panel_fields()])
        groups = calibration_group_of(v.levels, complete)
        split = None
        if calib.by:  # per level and an input (region): its category per row, from the codes
            names = np.array([*features()[calib.by].categories, UNKNOWN], dtype=object)
            split = split_group_of(groups, names[v.values[calib.by]].astype(str))  # code -1 -> UNKNOWN
        a, b = calib.affine_of_groups(groups, split)
        return a * raw + b, (a, b)
    return raw, None


def _value_label(name: str, value: Any, language: str) -> str:
    """The value as a reader sees it: category labels and yes/no in the language, units."""
    if value is None:
        return ""
    f = features()[name]
    if f.kind == "binary":
        return t("yes" if value else "no", language)
    if f.kind == "categorical":
        labels = f.category_labels_ar if language == "ar" else f.category_labels_en
        return labels[f.categories.index(value)] if value in f.categories else str(value)
    unit = t_unit(f.unit, language)
    return f"{value:.4g}{' ' + unit if unit else ''}"


def _contributions(
    row_values: np.ndarray, given: tuple[str, ...], checked: Validated, row: int, p: float, p0: float, language: str
) -> list[Contribution]:
    feats = features()
    names = list(feats)
    total = float(row_values.sum())
    scale = (p - p0) / total if abs(total) > 1e-12 else 0.0
    out = []
    for name in given:
        v = float(row_values[names.index(name)])
        f = feats[name]
        out.append(
            Contribution(
                field=name,
                label=f.label_ar if language == "ar" else f.label_en,
                value=(value := _display_value(checked, row, name)),
                value_label=_value_label(name, value, language),
                unit=f.unit,
                log_odds=v,
                probability_points=v * scale,
                direction="raises" if v > 0 else "lowers",
            )
        )
    rest = float(sum(row_values[names.index(n)] for n in names if n not in given))
    if rest != 0.0:
        out.append(
            Contribution(
                field="(not given)",
                label=t("not_given", language),
                value=None,
                value_label="",
                unit=None,
                log_odds=rest,
                probability_points=rest * scale,
                direction="raises" if rest > 0 else "lowers",
            )
        )
    return sorted(out, key=lambda c: -abs(c.log_odds))


def _text(p: float, band_label: str, contributions: list[Contribution], level: str, language: str) -> str:
    head = (
        f"{t('probability', language)}: {p:.0%} ({band_label} {t('risk', language)}; {t('level.' + level, language)})."
    )
    up = [c for c in contributions if c.log_odds > 0 and c.field != "(not given)"][:3]
    down = [c for c in contributions if c.log_odds < 0 and c.field != "(not given)"][:2]

    def show(c: Contribution) -> str:
        return f"{c.label} = {c.value_label} ({c.log_odds:+.2f})"

    parts = [head]
    if up:
        parts.append(f"{t('raised_most', language)}: " + "; ".join(show(c) for c in up) + ".")
    if down:
        parts.append(f"{t('lowered_most', language)}: " + "; ".join(show(c) for c in down) + ".")
    parts.append(t("disclaimer", language))
    return " ".join(parts)


# --------------------------------------------------------------------------- predict


#: What ``language`` and ``top`` of :func:`predict` may be (``data`` and ``model`` are checked by
#: :func:`b12risk.validation.validate` and :func:`b12risk.serving.runtime.resolve`).
PREDICT_PARAMS = {
    "language": [Options(LANGUAGES)],
    "top": [Interval(Integral, 0, None, closed="left")],
}


@validate_params(PREDICT_PARAMS)
def predict(
    data: dict | list | tuple | pd.DataFrame,
    *,
    model: Any = None,
    explain: bool = True,
    language: str = "en",
    top: int = 3,
) -> Prediction | pd.DataFrame:
    """Risk of vitamin B12 deficiency for one patient or a batch.

    Parameters
    ----------
    data : dict, list of dicts, or pandas.DataFrame
        One patient (a dict) or a batch. Any field may be missing (unobserved). Labs in
        their canonical unit (``serum_b12_pmol_l``) or the common alternative
        (``serum_b12_pg_ml``, ``mma_nmol_l``, ``hgb_g_l``).
    model : LoadedModel, version string or path, optional
        Defaults to the shipped latest release, loaded once and cached.
    explain : bool, default True
        Compute exact SHAP contributions (skip for speed when only the probability is needed).
    language : {"en", "ar"}
        Language of labels, bands and explanation text.
    top : int, default 3
        Batch output: how many top contributions to add as columns (0 or more; at most
        one per field).

    Returns
    -------
    Prediction
        For a dict (or any other mapping).
    pandas.DataFrame
        For a list or DataFrame: one row per input row with probability, risk_band,
        information_level, model_version, warnings (and ``top_k_field`` /
        ``top_k_log_odds`` columns unless ``explain=False``).

    Raises
    ------
    InvalidPatientError
        Listing every problem of the input at once (for a batch, with row numbers).
    ConfigError
        If ``language``, ``top`` or ``model`` is not one of the values described above.
    """
    runtime = resolve(model)
    v = validate(data)
    Xt = transform_validated(runtime.estimator, v)
    # For a few rows, threads cost more to wake than they save (and far more on a busy
    # machine), so small requests run on one thread.
    threads = thread_count(len(Xt), threaded_rows=_THREADED_ROWS)
    z, affine = _log_odds(runtime, v, Xt, threads)
    if explain:
        base, values = _explain_rows(runtime, Xt, affine, threads)
    prob = expit(z)
    bands = _band(prob, runtime.bands)
    single = isinstance(data, Mapping)  # as validate() reads it: one patient
    if single:
        p = float(prob[0])
        label = t(str(bands[0]), language)
        if explain:
            p0 = 1.0 / (1.0 + math.exp(-float(base[0])))
            contributions = _contributions(values[0], v.given[0], v, 0, p, p0, language)
            base0 = float(base[0])
        else:
            contributions, base0 = [], float("nan")
        level = str(v.levels[0])
        return Prediction(
            probability=p,
            risk_band=str(bands[0]),
            risk_band_label=label,
            information_level=level,
            contributions=contributions,
            base_log_odds=base0,
            log_odds=float(z[0]),
            baseline=_baseline(v, 0, language),
            model_version=runtime.version,
            warnings=list(v.warnings[0]),
            language=language,
            text=_text(p, label, contributions, level, language) if explain else "",
            given=tuple(v.given[0]),
        )
    out = pd.DataFrame(
        {
            "probability": prob,
            "risk_band": bands,
            "information_level": v.levels,
            "model_version": runtime.version,
            "warnings": ["; ".join(w) for w in v.warnings],
        },
        index=data.index if isinstance(data, pd.DataFrame) else None,
    )
    if v.ids is not None:
        out.insert(0, "id", v.ids)
    if explain:
        names = np.array(list(features()))
        top = min(int(top), values.shape[1])
        order = np.argsort(-np.abs(values), axis=1)[:, :top]
        ranked = np.take_along_axis(values, order, axis=1)
        columns: dict[str, Any] = {}
        for k in range(top):
            columns[f"top{k + 1}_field"] = names[order[:, k]]
            columns[f"top{k + 1}_log_odds"] = ranked[:, k]
        if columns:  # added at once: one column at a time fragments a wide frame
            out = pd.concat([out, pd.DataFrame(columns, index=out.index)], axis=1)
    return out
