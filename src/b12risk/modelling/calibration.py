"""Recalibration by information level.

One model serves four settings (risk factors only ... full laboratory panel), and a
boosted model can be well calibrated on the pooled data yet over- or under-confident in
one setting. :class:`LevelCalibratedClassifier` applies, for each information level a
row amounts to, an affine map ``a * logit + b`` to the fitted model's log-odds (Platt
scaling per level). Because the map is affine on the log-odds, exact SHAP values of the
base model scale by ``a`` and stay exact; because ``a`` is kept positive, the base model's
monotone directions (:func:`b12risk.knowledge.schema.monotone_directions`) hold after it.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.utils.validation import check_is_fitted

from b12risk.knowledge import LEVELS
from b12risk.knowledge.schema import features
from b12risk.logodds import expit
from b12risk.validation import information_level

__all__ = ["GROUPS", "LevelCalibratedClassifier", "calibration_group", "calibration_group_of", "panel_fields", "platt"]

#: Calibration groups: the information levels, with the full panel split into rows that
#: have every full-panel lab and rows that have only some (a clinic's usual partial panel).
GROUPS: tuple[str, ...] = (*LEVELS[:-1], "partial_panel", LEVELS[-1])


def calibration_group(X: pd.DataFrame) -> np.ndarray:
    """The calibration group of each canonical row (see :data:`GROUPS`).

    Parameters
    ----------
    X : pandas.DataFrame
        Canonical feature columns (absent columns count as not measured).

    Returns
    -------
    numpy.ndarray of str
        One of :data:`GROUPS` per row.
    """
    present = np.column_stack(
        [X[c].notna().to_numpy() if c in X.columns else np.zeros(len(X), bool) for c in panel_fields()]
    )
    return calibration_group_of(information_level(X), present.all(axis=1))


def panel_fields() -> list[str]:
    """The full panel's labs: a row with all of them is in group ``full_panel``, with some ``partial_panel``."""
    return [f.name for f in features().values() if f.level == LEVELS[-1]]


def calibration_group_of(levels: np.ndarray, complete_panel: np.ndarray) -> np.ndarray:
    """The calibration group of rows whose information levels and panel completeness are known.

    Parameters
    ----------
    levels : numpy.ndarray of str
        Information level of each row (:func:`b12risk.validation.information_level`).
    complete_panel : numpy.ndarray of bool
        Whether each row has every lab of :func:`panel_fields`.

    Returns
    -------
    numpy.ndarray of str
        One of :data:`GROUPS` per row: as :func:`calibration_group` of the same rows.
    """
    group = np.array(levels, dtype=object)
    group[(group == LEVELS[-1]) & ~np.asarray(complete_panel, dtype=bool)] = "partial_panel"
    return group.astype(str)


def platt(logit: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Unpenalised logistic regression of ``y`` on ``logit``: (slope a, intercept b).

    Parameters
    ----------
    logit : numpy.ndarray of float
        A model's log-odds.
    y : numpy.ndarray of bool
        Observed outcomes.

    Returns
    -------
    tuple of float
        ``(a, b)`` of ``P(y) = expit(a * logit + b)``.
    """
    lr = LogisticRegression(C=np.inf, max_iter=1000).fit(logit.reshape(-1, 1), y)
    return float(lr.coef_[0, 0]), float(lr.intercept_[0])


class LevelCalibratedClassifier(ClassifierMixin, BaseEstimator):
    """A fitted binary classifier whose log-odds are recalibrated per information level.

    Parameters
    ----------
    estimator : fitted classifier with ``decision_function`` (log-odds)
        Used as is, never refitted.
    levels : sequence of str, optional
        Calibration groups (:data:`GROUPS`) to recalibrate; the others keep ``a = 1, b = 0``.
        All groups by default.

    Attributes
    ----------
    coef_ : dict of str to (float, float)
        ``(a, b)`` for each calibration group.
    classes_ : ndarray
    """

    def __init__(self, estimator: Any = None, levels: tuple[str, ...] | None = None):
        self.estimator = estimator
        self.levels = levels

    def fit(self, X: pd.DataFrame, y: Any) -> LevelCalibratedClassifier:
        """Fit ``(a, b)`` per calibration group by Platt scaling of the base log-odds.

        A group gets ``(1, 0)`` (the base log-odds unchanged) when ``levels`` leaves it
        out, when it has fewer than 200 rows or only one outcome class, or when the fitted
        slope is not positive (it would reverse the base's ranking within the group, and
        with it the model's monotone directions).

        Parameters
        ----------
        X : pandas.DataFrame
            Canonical feature columns (the base estimator's input).
        y : array-like of bool
            Observed outcomes.

        Returns
        -------
        LevelCalibratedClassifier
            The fitted recalibration.
        """
        y = np.asarray(y).astype(bool)
        raw = self.estimator.decision_function(X)
        lev = calibration_group(X)
        self.coef_ = {}
        for level in GROUPS:
            sel = lev == level
            wanted = self.levels is None or level in self.levels
            if wanted and sel.sum() >= 200 and 0 < y[sel].sum() < sel.sum():
                slope, intercept = platt(raw[sel], y[sel])
                self.coef_[level] = (slope, intercept) if slope > 0 else (1.0, 0.0)
            else:
                self.coef_[level] = (1.0, 0.0)
        self.classes_ = np.array([False, True])
        return self

    def decision_function(self, X: pd.DataFrame) -> np.ndarray:
        """Recalibrated log-odds, ``a * base log-odds + b`` with each row's group's ``(a, b)``."""
        a, b = self.affine(X)
        return a * self.estimator.decision_function(X) + b

    def affine(self, X: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """Per row ``(a, b)``: recalibrated log-odds = a * base log-odds + b."""
        check_is_fitted(self, "coef_")
        return self.affine_of_groups(calibration_group(X))

    def affine_of_groups(self, groups: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`affine` of rows whose calibration groups (:func:`calibration_group`) are known."""
        check_is_fitted(self, "coef_")
        lev = np.asarray(groups)
        a, b = np.ones(len(lev)), np.zeros(len(lev))
        for group, (slope, intercept) in self.coef_.items():
            sel = lev == group
            a[sel], b[sel] = slope, intercept
        return a, b

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        """Probabilities of ``classes_`` (not deficient, deficient) from the recalibrated log-odds."""
        p = expit(self.decision_function(X))
        return np.column_stack([1 - p, p])

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """Deficient where the recalibrated probability is at least 0.5."""
        return self.predict_proba(X)[:, 1] >= 0.5
