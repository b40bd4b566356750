"""SHAP explanations of the model's log-odds, and the figures that show them.

Exact TreeSHAP (the tree-path-dependent values of shap's ``TreeExplainer`` without
background data) is computed on the boosted trees themselves, compiled once per model
(:mod:`b12risk.serving.forest`, :mod:`b12risk.serving.trees`; shap is the reference the
tests compare with, to 1e-6): the pipeline's preprocessing is applied first and the
values are mapped back to the input fields, so ``base + sum(values) == log-odds`` for
every row (tested to 1e-6). With per-level recalibration (an affine map ``a * z + b``
of the log-odds) the values are scaled by ``a`` and the base becomes ``a * base + b``,
which keeps them exact. See ``shared/PITFALLS.md``: categorical splits and
interventional SHAP would break this, so the model uses neither.

Probability-scale effects are for display only: a field's share of the total change
in probability from the base rate, in proportion to its log-odds contribution.

numba and matplotlib are imported only when an explanation or a figure is asked for.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
import pandas as pd

from b12risk.errors import ConfigError
from b12risk.knowledge.schema import features, to_model_frame
from b12risk.serving import plots  # light: matplotlib loads only when a figure is drawn
from b12risk.serving.forest import forest_for
from b12risk.serving.runtime import resolve
from b12risk.serving.trees import THREADED_ROWS, shap_values, thread_count
from b12risk.validation import Validated

__all__ = [
    "beeswarm",
    "dependence",
    "shap_frame",
    "shap_log_odds",
    "shap_of_matrix",
    "transform_validated",
    "waterfall",
]

_LOCK = threading.Lock()


def _parts(estimator: Any) -> tuple[Any, Any | None]:
    """(pipeline, recalibration wrapper or None)."""
    from b12risk.modelling.calibration import LevelCalibratedClassifier

    if isinstance(estimator, LevelCalibratedClassifier):
        return estimator.estimator, estimator
    return estimator, None


_PLANS: dict[int, Any] = {}


def _plan(pipe: Any) -> tuple[list[str], list[list[str]], list[str]] | None:
    """If the pipeline's preprocessing is the standard one of
    :func:`b12risk.modelling.training.build_pipeline` (ordinal codes in the schema's category order,
    then the other features passed through), its column plan; else None."""
    key = id(pipe)
    if key not in _PLANS:
        plan = None
        try:
            from sklearn.compose import ColumnTransformer
            from sklearn.preprocessing import FunctionTransformer, OrdinalEncoder

            prep = pipe[:-1][0] if len(pipe) == 2 else None
            steps = [t for t in getattr(prep, "transformers_", []) if t[0] != "remainder" or len(t[2])]
            if isinstance(prep, ColumnTransformer) and len(steps) == 2:
                (_, enc, cat), (_, passthrough, num) = steps
                feats = features()
                # a fitted ColumnTransformer may keep "passthrough" as an identity FunctionTransformer
                identity = passthrough == "passthrough" or (
                    isinstance(passthrough, FunctionTransformer)
                    and passthrough.func is None
                    and passthrough.inverse_func is None
                )
                if (
                    isinstance(enc, OrdinalEncoder)
                    and identity
                    and [list(c) for c in enc.categories_] == [list(feats[c].categories) for c in cat]
                    and list(prep.get_feature_names_out()) == [*cat, *num]
                ):
                    plan = (list(cat), [list(feats[c].categories) for c in cat], list(num))
        except (AttributeError, TypeError, ValueError):
            plan = None
        _PLANS[key] = (pipe, plan)
    return _PLANS[key][1]


def transform(estimator: Any, X: pd.DataFrame) -> np.ndarray:
    """The boosted trees' input for canonical rows ``X`` (preprocessing applied).

    For the standard pipeline this builds the same matrix directly from the frame
    (category codes in the schema's order, NaN where missing), which is several times
    faster than the ColumnTransformer and equal to it (tested); any other pipeline goes
    through its own ``transform``.
    """
    pipe, _ = _parts(estimator)
    plan = _plan(pipe)
    if plan is None:
        return pipe[:-1].transform(to_model_frame(X))
    cat, categories, num = plan
    n = len(X)
    out = np.empty((n, len(cat) + len(num)), dtype=np.float64)
    for j, (name, cats) in enumerate(zip(cat, categories, strict=True)):
        if name not in X.columns:
            out[:, j] = np.nan
            continue
        col = X[name]
        if not (isinstance(col.dtype, pd.CategoricalDtype) and list(col.cat.categories) == cats):
            col = pd.Series(pd.Categorical(col.astype(object).where(col.notna(), None), categories=cats))
        codes = col.cat.codes.to_numpy().astype(np.float64)
        codes[codes < 0] = np.nan
        out[:, j] = codes
    for j, name in enumerate(num, start=len(cat)):
        out[:, j] = X[name].to_numpy(dtype=np.float64, na_value=np.nan) if name in X.columns else np.nan
    return out


def transform_validated(estimator: Any, v: Validated) -> np.ndarray:
    """:func:`transform` of validated input, read from its columns (``v.values``) without
    building its frame; equal to ``transform(estimator, v.frame)`` (tested)."""
    pipe, _ = _parts(estimator)
    plan = _plan(pipe)
    if plan is None or v.schema is not features():  # another schema's codes may not be the plan's
        return transform(estimator, v.frame)
    cat, _, num = plan
    columns = np.empty((len(cat) + len(num), len(v.levels)), dtype=np.float64)  # one column per row: fast to fill
    for j, name in enumerate(cat):
        codes = v.values[name]
        columns[j] = np.where(codes >= 0, codes, np.nan)
    for j, name in enumerate(num, start=len(cat)):
        columns[j] = v.values[name]
    return columns.T  # Fortran order; the compiled trees read either order


_ORDERS: dict[int, Any] = {}


def _field_order(pipe: Any) -> np.ndarray:
    """For each feature of :func:`~b12risk.knowledge.schema.features`, its column in the preprocessed matrix."""
    key = id(pipe)
    with _LOCK:
        if key not in _ORDERS:  # the pipeline is kept with its entry, so its id is never reused meanwhile
            names = list(pipe[:-1].get_feature_names_out())
            _ORDERS[key] = (pipe, np.array([names.index(f) for f in features()], dtype=np.int64))
        return _ORDERS[key][1]


def shap_log_odds(
    estimator: Any,
    X: pd.DataFrame,
    *,
    Xt: np.ndarray | None = None,
    affine: tuple[np.ndarray, np.ndarray] | None = None,
    threads: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Exact SHAP values of the model's log-odds for canonical rows ``X``.

    Parameters
    ----------
    estimator : fitted model (pipeline or :class:`~b12risk.modelling.calibration.LevelCalibratedClassifier`)
    X : pandas.DataFrame
        Canonical rows (any feature columns; missing ones count as not observed).
    Xt : ndarray, optional
        ``transform(estimator, X)`` if already computed.
    affine : (a, b), optional
        The recalibration's per-row map, if already computed.
    threads : int, optional
        Threads to compute with; by default one below
        :data:`b12risk.serving.trees.THREADED_ROWS` rows and
        :func:`~b12risk.serving.trees.thread_count` above.

    Returns
    -------
    base : ndarray, shape (n,)
        The expected log-odds each row's explanation starts from.
    values : ndarray, shape (n, n_features)
        One column per feature of :func:`b12risk.knowledge.schema.features`, in that order.
    """
    _, calib = _parts(estimator)
    if Xt is None:
        Xt = transform(estimator, X)
    if calib is not None and affine is None:
        affine = calib.affine(X)
    return shap_of_matrix(estimator, Xt, affine=affine, threads=threads)


def shap_of_matrix(
    estimator: Any, Xt: np.ndarray, *, affine: tuple[np.ndarray, np.ndarray] | None, threads: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`shap_log_odds` of preprocessed rows ``Xt`` whose recalibration map is known.

    Parameters
    ----------
    estimator : fitted model
    Xt : ndarray
        ``transform(estimator, X)``.
    affine : (a, b) or None
        The recalibration's per-row map; None for a model without recalibration.
    threads : int, optional
        As for :func:`shap_log_odds`.

    Returns
    -------
    base, values
        As :func:`shap_log_odds`.
    """
    pipe, calib = _parts(estimator)
    if (calib is None) != (affine is None):
        raise ConfigError("affine must be given for a recalibrated model, and only for one")
    forest = forest_for(pipe[-1])
    if threads is None:
        threads = thread_count(len(Xt), threaded_rows=THREADED_ROWS)
    values = shap_values(forest, Xt, threads=threads)[:, _field_order(pipe)]
    base = np.full(len(values), forest.expected)
    if affine is not None:
        a, b = affine
        values = values * a[:, None]
        base = a * base + b
    return base, values


def shap_frame(estimator: Any, X: pd.DataFrame) -> tuple[pd.Series, pd.DataFrame]:
    """:func:`shap_log_odds` as pandas objects indexed like ``X``."""
    base, values = shap_log_odds(estimator, X)
    return pd.Series(base, index=X.index, name="base_log_odds"), pd.DataFrame(
        values, index=X.index, columns=list(features())
    )


# --------------------------------------------------------------------------- figures


def waterfall(prediction: Any, *, language: str | None = None, max_display: int = 10):
    """Waterfall figure of one explained :class:`~b12risk.serving.predict.Prediction`."""
    return plots.waterfall(prediction, language=language or prediction.language, max_display=max_display)


def _labels(language: str) -> dict[str, str]:
    return {n: (f.label_ar if language == "ar" else f.label_en) for n, f in features().items()}


def _display_data(X: pd.DataFrame) -> pd.DataFrame:
    data = to_model_frame(X)
    for f in features().values():
        if f.kind == "categorical":
            data[f.name] = data[f.name].cat.codes.astype(float).where(data[f.name].notna())
    return data.astype(float)


def beeswarm(frame: pd.DataFrame, *, model: Any = None, language: str = "en", max_display: int = 15):
    """Beeswarm summary of SHAP values over many patients (rows of ``frame``)."""
    runtime = resolve(model)
    _, values = shap_frame(runtime.estimator, frame)
    return plots.beeswarm(
        values, _display_data(frame), labels=_labels(language), language=language, max_display=max_display
    )


def dependence(frame: pd.DataFrame, field: str, *, model: Any = None, color: str | None = None, language: str = "en"):
    """Dependence plot: a field's value against its SHAP contribution."""
    from b12risk.errors import ConfigError

    feats = features()
    for name in (field, color):
        if name is not None and name not in feats:
            raise ConfigError(f"dependence: field {name!r} is not one of the model's fields")
    runtime = resolve(model)
    _, values = shap_frame(runtime.estimator, frame)
    data = _display_data(frame)
    f = feats[field]
    return plots.dependence(
        values[field],
        data[field],
        label=f.label_ar if language == "ar" else f.label_en,
        unit=f.unit,
        color=data[color] if color else None,
        color_label=(feats[color].label_ar if language == "ar" else feats[color].label_en) if color else None,
        language=language,
    )
