"""Recalibration by information level (and, optionally, by an input such as region).

One model serves four settings (risk factors only ... full laboratory panel), and a
boosted model can be well calibrated on the pooled data yet over- or under-confident in
one setting. :class:`LevelCalibratedClassifier` applies, for each information level a
row amounts to, an affine map ``a * logit + b`` to the fitted model's log-odds (Platt
scaling per level). With ``by="region"`` the groups are level x region: one world mixes
populations whose prevalence runs from 5% to over 90%, and a single map per level is a
compromise between them (too extreme in one, too timid in another). Because the map is affine on the log-odds, exact SHAP values of the
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

__all__ = [
    "GROUPS",
    "SPLITS",
    "LevelCalibratedClassifier",
    "calibration_group",
    "calibration_group_of",
    "panel_fields",
    "platt",
    "split_group_of",
]

#: Calibration groups: the information levels, with the full panel split into rows that
#: have every full-panel lab and rows that have only some (a clinic's usual partial panel).
GROUPS: tuple[str, ...] = (*LEVELS[:-1], "partial_panel", LEVELS[-1])


#: Inputs a calibration group may be split by, and the key of a row where the input is unknown.
SPLITS: tuple[str, ...] = ("region",)
UNKNOWN = "unknown"


def calibration_group(X: pd.DataFrame, by: str | None = None) -> np.ndarray:
    """The calibration group of each canonical row (see :data:`GROUPS`).

    Parameters
    ----------
    X : pandas.DataFrame
        Canonical feature columns (absent columns count as not measured).
    by : {"region"}, optional
        Split each group by this input: ``"<group>/<value>"`` (``"<group>/unknown"``
        where the row does not give it).

    Returns
    -------
    numpy.ndarray of str
        One of :data:`GROUPS` per row, or that group and the row's ``by`` value.
    """
    present = np.column_stack(
        [X[c].notna().to_numpy() if c in X.columns else np.zeros(len(X), bool) for c in panel_fields()]
    )
    group = calibration_group_of(information_level(X), present.all(axis=1))
    if by is None:
        return group
    if by not in SPLITS:
        raise ValueError(f"by must be None or one of {', '.join(SPLITS)}; got {by!r}")
    value = X[by].astype(object).where(X[by].notna(), UNKNOWN) if by in X.columns else pd.Series(UNKNOWN, X.index)
    return split_group_of(group, value.astype(str).to_numpy())


def split_group_of(groups: np.ndarray, values: np.ndarray) -> np.ndarray:
    """``"<group>/<value>"`` per row: the level x split group of :func:`calibration_group`.

    Parameters
    ----------
    groups : numpy.ndarray of str
        Calibration group of each row (:data:`GROUPS`).
    values : numpy.ndarray of str
        The split input's value of each row (:data:`UNKNOWN` where not given).

    Returns
    -------
    numpy.ndarray of str
    """
    return np.char.add(np.char.add(np.asarray(groups, dtype=str), "/"), np.asarray(values, dtype=str))


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
    # a tight tolerance: the map is the maximum-likelihood one, not lbfgs's default stop (1e-4)
    lr = LogisticRegression(C=np.inf, max_iter=1000, tol=1e-10).fit(logit.reshape(-1, 1), y)
    return float(lr.coef_[0, 0]), float(lr.intercept_[0])


class LevelCalibratedClassifier(ClassifierMixin, BaseEstimator):
    """A fitted binary classifier whose log-odds are recalibrated per information level.

    Parameters
    ----------
    estimator : fitted classifier with ``decision_function`` (log-odds)
        Used as is, never refitted.
    levels : sequence of str, optional
        Calibration groups (:func:`calibration_group` keys) to recalibrate; the others keep
        ``a = 1, b = 0``. All groups by default.
    by : {"region"}, optional
        Split each information level's group by this input (:func:`calibration_group`).
        None (the default, and what models saved before it existed have) keeps one map
        per level.

    Attributes
    ----------
    coef_ : dict of str to (float, float)
        ``(a, b)`` for each calibration group.
    classes_ : ndarray
    """

    def __init__(self, estimator: Any = None, levels: tuple[str, ...] | None = None, by: str | None = None):
        self.estimator = estimator
        self.levels = levels
        self.by = by

    def __setstate__(self, state: dict[str, Any]) -> None:
        # models saved before ``by`` existed (1.0.0) have one map per level
        state.setdefault("by", None)
        super().__setstate__(state)

    def _groups(self, X: pd.DataFrame) -> np.ndarray:
        return calibration_group(X, self.by)

    def fit(self, X: pd.DataFrame, y: Any) -> LevelCalibratedClassifier:
        """Fit ``(a, b)`` per calibration group by Platt scaling of the base log-odds.

        A group gets ``(1, 0)`` (the base log-odds unchanged) when ``levels`` leaves it
        out, when it has fewer than 200 rows or only one outcome class, or when the fitted
        slope is not positive (it would reverse the base's ranking within the group, and
        with it the model's monotone directions). With ``by``, every level's own group is
        fitted too and serves the rows whose level x split group has no map of its own
        (a split value the calibration cohort did not have, such as an unknown region).

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
        base = calibration_group(X)
        split = self._groups(X) if self.by else None
        self.coef_ = {}
        keys = [
            *GROUPS,
            *(sorted(set(split), key=lambda g: (GROUPS.index(g.split("/")[0]), g)) if split is not None else []),
        ]
        for level in keys:
            sel = (base if "/" not in level else split) == level
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
        base = calibration_group(X)
        return self.affine_of_groups(base, self._groups(X) if self.by else None)

    def affine_of_groups(self, groups: np.ndarray, split: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`affine` of rows whose calibration groups are known: ``groups`` per level
        (:func:`calibration_group`) and, for a model fitted with ``by``, ``split`` per level x
        split value (:func:`split_group_of`)."""
        check_is_fitted(self, "coef_")
        base = np.asarray(groups)
        if self.by and split is None:
            raise ValueError(f"this recalibration is per level and {self.by}: give split groups too")
        a, b = np.ones(len(base)), np.zeros(len(base))
        # the level's map, then the level x split map where one was fitted (an unseen split
        # value keeps its level's map)
        for group, (slope, intercept) in self.coef_.items():
            sel = (base if "/" not in group else split) == group
            a[sel], b[sel] = slope, intercept
        return a, b

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        """Probabilities of ``classes_`` (not deficient, deficient) from the recalibrated log-odds."""
        p = expit(self.decision_function(X))
        return np.column_stack([1 - p, p])

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """Deficient where the recalibrated probability is at least 0.5."""
        return self.predict_proba(X)[:, 1] >= 0.5
