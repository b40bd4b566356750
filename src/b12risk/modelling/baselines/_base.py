"""What the three baselines share: reading a feature frame, checking parameters and labels,
the fitted bookkeeping and probabilities from a positive-class rate (:class:`_Baseline`).

A missing column or a NaN means "not measured". Laboratory values are read in their
canonical unit, converted from an alternative unit where only that one was given.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import logit  # not b12risk.logodds: its results differ in the last bit
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.utils.validation import check_is_fitted

from b12risk.errors import ConfigError
from b12risk.knowledge import Knowledge, load
from b12risk.knowledge.schema import features

# Unpenalised in practice; a finite C keeps the fit finite on separable training sets.
_CALIBRATION_C = 1e4


def _param_error(owner: str, name: str, allowed: str, value: object) -> ConfigError:
    return ConfigError(f"The {name!r} parameter of {owner} must be {allowed}. Got {value!r} instead.")


def _knowledge(kb: object, owner: str) -> Knowledge:
    if kb is None:
        return load()
    if not isinstance(kb, Knowledge):
        raise _param_error(owner, "kb", "None or a Knowledge from b12risk.knowledge.load()", kb)
    return kb


def _frame(X: object, owner: str) -> pd.DataFrame:
    if not isinstance(X, pd.DataFrame):
        raise ConfigError(
            f"{owner} selects its columns by name, so X must be a pandas DataFrame. Got {type(X).__name__} instead."
        )
    return X


def _numeric(X: pd.DataFrame, column: str | None) -> np.ndarray:
    """Column as float64, NaN where missing; all NaN when the column is absent."""
    if column is None or column not in X.columns:
        return np.full(len(X), np.nan)
    try:
        values = X[column].to_numpy(dtype=np.float64, na_value=np.nan)
    except (TypeError, ValueError):
        raise ConfigError(
            f"Column {column!r} must be numeric or boolean. Got dtype {X[column].dtype} instead."
        ) from None
    return values.copy()  # pandas may hand out a read-only view


def _lab(X: pd.DataFrame, kb: Knowledge, marker: str, *, decimals: int = 9) -> np.ndarray:
    """A biomarker in its canonical unit; rows missing it are filled from its alternative unit.

    Converted values are multiplied by the schema's factor and rounded to ``decimals``
    places of the canonical unit (9 by default, which only removes binary floating-point
    noise such as 102 nmol/L * 0.001 = 0.10200000000000001 umol/L). Values <= 0 cannot be
    measured concentrations and count as not measured.
    """
    column = kb.biomarkers[marker].column
    values = _numeric(X, column)
    for alt_column, _unit, factor in features(kb)[column].alt_units:
        gap = np.isnan(values)
        if gap.any() and alt_column in X.columns:
            converted = _round_half_away(_numeric(X, alt_column)[gap] * factor, decimals)
            values[gap] = converted
    with np.errstate(invalid="ignore"):
        values[values <= 0] = np.nan
    return values


def _serum_b12(X: pd.DataFrame, kb: Knowledge) -> np.ndarray:
    """Serum B12 in pmol/L; pg/mL values are converted and rounded to whole pmol/L.

    Whole pmol/L is the precision at which laboratories report serum B12 and at which
    the sources pair their cut-offs (article ¶2: 200 pg/mL = 148 pmol/L, 300 pg/mL =
    221 pmol/L; NICE: 180 ng/L = 133 pmol/L, 350 ng/L = 258 pmol/L). Unrounded,
    200 * 0.738 = 147.6 would fall below the 148 cut-off that 200 pg/mL defines.
    """
    return _lab(X, kb, "serum_b12", decimals=0)


def _round_half_away(x: np.ndarray | float, decimals: int = 0) -> np.ndarray:
    """Round halves away from zero (2.5 -> 3, -2.5 -> -3), after clearing float noise."""
    scale = 10.0**decimals
    y = np.round(np.asarray(x, dtype=np.float64) * scale, 6)  # 3.4999999999999996 -> 3.5
    return np.sign(y) * np.floor(np.abs(y) + 0.5) / scale


def _binary_target(y: object, n: int, owner: str) -> tuple[np.ndarray, np.ndarray]:
    """``classes_`` and a boolean "positive (deficient)" array from ``y``."""
    y = np.asarray(y)
    if y.ndim != 1 or len(y) != n:
        raise ConfigError(
            f"y passed to {owner}.fit must be 1-d with one label per row of X ({n}). Got shape {y.shape}."
        )
    labels = pd.unique(y)
    if y.dtype == bool:
        classes = np.array([False, True])
    elif set(labels.tolist()) <= {0, 1}:
        classes = np.array([0, 1])
    elif len(labels) == 2:
        classes = np.sort(labels)
    else:
        raise ConfigError(
            f"y passed to {owner}.fit must hold two classes (deficient or not). Got {len(labels)}: {sorted(labels)[:5]}."
        )
    return classes, y == classes[1]


def _smoothed_rate(positives: np.ndarray | float, total: np.ndarray | float) -> np.ndarray | float:
    """Add-one (Laplace) smoothed rate: (positives + 1) / (total + 2)."""
    return (positives + 1.0) / (total + 2.0)


def _fit_calibration(score: np.ndarray, positive: np.ndarray, prevalence: float) -> tuple[float, float]:
    """Slope and intercept of a logistic calibration of ``score``; flat if y has one class."""
    if len(score) == 0 or positive.all() or not positive.any():
        return 0.0, float(logit(prevalence))
    model = LogisticRegression(C=_CALIBRATION_C).fit(score.reshape(-1, 1), positive)
    return float(model.coef_[0, 0]), float(model.intercept_[0])


class _Baseline(ClassifierMixin, BaseEstimator):
    """Shared plumbing: fitted bookkeeping, probabilities from a positive-class rate."""

    def _training_data(self, X: object, y: object) -> tuple[pd.DataFrame, np.ndarray, np.ndarray, float]:
        """Checked frame, ``classes_``, positive mask and smoothed prevalence; sets nothing."""
        owner = type(self).__name__
        frame = _frame(X, owner)
        classes, positive = _binary_target(y, len(frame), owner)
        return frame, classes, positive, float(_smoothed_rate(positive.sum(), len(positive)))

    def _set_fitted(self, frame: pd.DataFrame, classes: np.ndarray, prevalence: float, **fitted: object) -> None:
        """Set every fitted attribute at once, so a failed fit leaves the estimator unfitted."""
        self.classes_ = classes
        self.n_features_in_ = frame.shape[1]
        self.feature_names_in_ = np.asarray(frame.columns, dtype=object)
        self.prevalence_ = prevalence
        for name, value in fitted.items():
            setattr(self, name, value)

    def _fitted_frame(self, X: object) -> pd.DataFrame:
        check_is_fitted(self)
        return _frame(X, type(self).__name__)

    def _positive_proba(self, X: pd.DataFrame) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        """Probabilities of ``classes_`` (columns: not deficient, deficient), rows sum to 1.

        Parameters
        ----------
        X : pandas.DataFrame
            Feature frame; the baseline picks its columns by name.

        Returns
        -------
        numpy.ndarray of shape (n_rows, 2)
        """
        p = self._positive_proba(self._fitted_frame(X))
        return np.column_stack([1.0 - p, p])

    def _labels(self, positive: np.ndarray) -> np.ndarray:
        return self.classes_[positive.astype(np.intp)]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.categorical = True
        tags.input_tags.string = True
        return tags
