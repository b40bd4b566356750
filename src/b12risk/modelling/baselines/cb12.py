"""Fedosov's combined indicator of B12 status (cB12): the formula, its categories and
:class:`CombinedB12Index`, the index as a classifier.

The formula and its category cut-points (Fedosov et al. 2015) are not yet in the
knowledge base; they are the named constants :data:`CB12_AGE_TERM`,
:data:`CB12_CUTPOINTS` and :data:`CB12_CATEGORIES`, each with its source. Columns and
units come from the knowledge base.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import expit, logit  # not b12risk.logodds: its results differ in the last bit

from b12risk.errors import ConfigError
from b12risk.knowledge import Knowledge
from b12risk.modelling.baselines._base import (
    _Baseline,
    _fit_calibration,
    _frame,
    _knowledge,
    _lab,
    _numeric,
    _param_error,
    _serum_b12,
)

__all__ = [
    "CB12_AGE_TERM",
    "CB12_CATEGORIES",
    "CB12_CUTPOINTS",
    "MIN_IMPUTATION_ROWS",
    "CombinedB12Index",
    "MarkerImputation",
    "cb12_category",
    "combined_indicator",
]

#: cB12 age term ``a / (1 + (age / b) ** c)`` as ``(a, b, c)``. Source: Fedosov SN,
#: Brito A, Miller JW, Green R, Allen LH. Clin Chem Lab Med 2015;53(8):1215-25, as
#: quoted in shared/seed/LITERATURE.md (marked *check* there).
CB12_AGE_TERM: tuple[float, float, float] = (3.79, 230.0, 2.6)

#: cB12 categories from most to least deficient (Fedosov et al. 2015 cut-points as
#: reported by a UK reference laboratory, LITERATURE.md "Combined indicator cB12").
CB12_CATEGORIES: tuple[str, ...] = ("probable deficiency", "possible deficiency", "low", "adequate", "elevated")

#: Boundaries between consecutive :data:`CB12_CATEGORIES`. A value on a boundary joins
#: the category above it (-2.5 is "possible deficiency", -1.5 "low", -0.5 "adequate"),
#: except the last: 1.5 is still "adequate" and only values above 1.5 are "elevated",
#: following the published wording "-0.5 to 1.5 adequate, > 1.5 elevated".
CB12_CUTPOINTS: tuple[float, ...] = (-2.5, -1.5, -0.5, 1.5)

#: Categories that :class:`CombinedB12Index` predicts as deficient.
_CB12_DEFICIENT = frozenset(CB12_CATEGORIES[:2])

#: The four cB12 markers (knowledge-base biomarker names) and their sign in the index.
_CB12_MARKERS: tuple[tuple[str, int], ...] = (("serum_b12", 1), ("holotc", 1), ("mma", -1), ("hcy", -1))

#: Fewest training rows a missing-marker regression is fitted on.
MIN_IMPUTATION_ROWS = 10


def combined_indicator(
    serum_b12_pmol_l: np.ndarray | float,
    holotc_pmol_l: np.ndarray | float,
    mma_umol_l: np.ndarray | float,
    hcy_umol_l: np.ndarray | float,
    age: np.ndarray | float,
) -> np.ndarray:
    """The four-marker combined indicator cB12 (Fedosov et al. 2015).

    ``cB12 = log10[(holoTC * B12) / (MMA * Hcy)] - 3.79 / (1 + (age / 230) ** 2.6)``,
    with B12 and holoTC in pmol/L, MMA and Hcy in umol/L and age in years.

    Parameters
    ----------
    serum_b12_pmol_l, holotc_pmol_l, mma_umol_l, hcy_umol_l, age : array-like or float
        The four markers and the age; broadcast together.

    Returns
    -------
    numpy.ndarray
        cB12; lower is more deficient.

    Examples
    --------
    >>> round(float(combined_indicator(300.0, 60.0, 0.16, 9.5, 40.0)), 3)
    0.323
    """
    a, b, c = CB12_AGE_TERM
    ratio = np.log10(np.asarray(holotc_pmol_l, dtype=np.float64) * np.asarray(serum_b12_pmol_l, dtype=np.float64))
    ratio = ratio - np.log10(np.asarray(mma_umol_l, dtype=np.float64) * np.asarray(hcy_umol_l, dtype=np.float64))
    return ratio - a / (1.0 + (np.asarray(age, dtype=np.float64) / b) ** c)


def cb12_category(cb12: np.ndarray | float) -> pd.Categorical:
    """cB12 category of each value (:data:`CB12_CATEGORIES`); NaN stays missing.

    Parameters
    ----------
    cb12 : array-like or float
        cB12 values.

    Returns
    -------
    pandas.Categorical
        Ordered from "probable deficiency" to "elevated".

    Examples
    --------
    >>> list(cb12_category([-3.0, -2.5, -1.5, -0.5, 1.5, 1.6]))
    ['probable deficiency', 'possible deficiency', 'low', 'adequate', 'adequate', 'elevated']
    """
    x = np.atleast_1d(np.asarray(cb12, dtype=np.float64))
    *lower, top = CB12_CUTPOINTS
    codes = np.searchsorted(np.asarray(lower), x, side="right")
    codes[x > top] = len(CB12_CATEGORIES) - 1
    codes[np.isnan(x)] = -1
    return pd.Categorical.from_codes(codes, categories=list(CB12_CATEGORIES), ordered=True)


@dataclass(frozen=True)
class MarkerImputation:
    """A fitted linear prediction of one missing marker's log10 from present ones and age."""

    target: str
    predictors: tuple[str, ...]  # marker names; age is always the last column
    coef: tuple[float, ...]
    intercept: float
    n_rows: int

    def predict(self, logs: dict[str, np.ndarray], age: np.ndarray) -> np.ndarray:
        """Predicted log10 of ``target`` for rows with the predictors present."""
        out = np.full(len(age), self.intercept)
        for name, w in zip((*self.predictors, "age"), self.coef, strict=True):
            out = out + w * (age if name == "age" else logs[name])
        return out


class CombinedB12Index(_Baseline):
    """Fedosov's combined indicator of B12 status (cB12) as a classifier.

    The four-marker form (Fedosov SN, Brito A, Miller JW, Green R, Allen LH. Clin Chem
    Lab Med 2015;53(8):1215-25) is :func:`combined_indicator`; its categories are
    :data:`CB12_CATEGORIES` at :data:`CB12_CUTPOINTS` ("probable deficiency" below
    -2.5, "possible deficiency" -2.5 to -1.5, "low" -1.5 to -0.5, "adequate" -0.5 to
    1.5, "elevated" above 1.5).

    The paper also gives two- and three-marker forms (2cB12, 3cB12) that predict the
    missing markers from the present ones and age; those equations are in the paper's
    full text and could not be found here. Instead, **the missing-marker imputations
    are fitted on the training cohort (the simulator's cohorts), not taken from the
    paper**: for each pattern of missing markers, ``fit`` learns a least-squares
    regression of each missing marker's log10 on the present markers' log10 and age,
    from the training rows where all of them are measured (at least
    :data:`MIN_IMPUTATION_ROWS`; failing that, on serum B12 and age alone). The
    imputed logs then enter the four-marker formula.

    ``decision_function`` is ``-cB12`` (higher = more deficient); ``predict_proba`` is a
    logistic calibration of ``-cB12`` fitted on the training rows where the index
    applies; ``predict`` is deficient for "probable" or "possible deficiency". The index
    applies where serum B12, age and at least ``min_markers - 1`` of holoTC, MMA and
    homocysteine are measured; elsewhere it predicts the training prevalence.

    Parameters
    ----------
    min_markers : {2, 3, 4}, default 2
        Fewest markers (serum B12 among them) a row needs: 2 allows 2cB12, 3 allows
        3cB12, 4 only the complete index.
    kb : Knowledge, optional
        Knowledge base (columns and units); the shipped one by default.

    Attributes
    ----------
    classes_ : numpy.ndarray
        ``[False, True]`` (or ``[0, 1]``, following ``y``).
    imputations_ : dict
        ``{present markers (tuple): {missing marker: MarkerImputation}}``.
    calibration_slope_, calibration_intercept_ : float
        Logistic calibration ``P(deficient) = expit(slope * -cB12 + intercept)``.
    prevalence_ : float
        Add-one smoothed training prevalence; the probability where the index does not apply.
    unmeasured_score_ : float
        Decision score where the index does not apply: the ``-cB12`` at which the
        calibration gives ``prevalence_``.
    """

    def __init__(self, *, min_markers: int = 2, kb: Knowledge | None = None):
        self.min_markers = min_markers
        self.kb = kb

    def _setup(self) -> Knowledge:
        owner = type(self).__name__
        m = self.min_markers
        if isinstance(m, bool) or not isinstance(m, int | np.integer) or not 2 <= m <= len(_CB12_MARKERS):
            raise _param_error(owner, "min_markers", "an int in the range [2, 4]", m)
        return _knowledge(self.kb, owner)

    def _read(self, X: pd.DataFrame, kb: Knowledge) -> tuple[dict[str, np.ndarray], np.ndarray]:
        logs = {}
        for name, _sign in _CB12_MARKERS:
            values = _serum_b12(X, kb) if name == "serum_b12" else _lab(X, kb, name)
            logs[name] = np.log10(values)
        return logs, _numeric(X, kb.demographics["age"].column)

    def _patterns(self) -> list[tuple[str, ...]]:
        """Allowed sets of present markers other than serum B12, short of all three."""
        others = [name for name, _ in _CB12_MARKERS[1:]]
        out: list[tuple[str, ...]] = []
        for mask in range(2 ** len(others) - 1):  # the last mask (all present) needs no imputation
            present = tuple(o for i, o in enumerate(others) if mask >> i & 1)
            if 1 + len(present) >= self.min_markers:
                out.append(present)
        return out

    def applies(self, X: pd.DataFrame) -> np.ndarray:
        """Rows with serum B12, age and at least ``min_markers - 1`` other cB12 markers.

        Parameters
        ----------
        X : pandas.DataFrame
            Feature frame.

        Returns
        -------
        numpy.ndarray of bool
        """
        kb = self._setup()
        logs, age = self._read(_frame(X, type(self).__name__), kb)
        return self._applies(logs, age)

    def _applies(self, logs: dict[str, np.ndarray], age: np.ndarray) -> np.ndarray:
        others = sum((~np.isnan(logs[name])).astype(int) for name, _ in _CB12_MARKERS[1:])
        return ~np.isnan(logs["serum_b12"]) & ~np.isnan(age) & (1 + others >= self.min_markers)

    def fit(self, X: pd.DataFrame, y: object) -> CombinedB12Index:
        """Fit the missing-marker imputations and the logistic calibration.

        Parameters
        ----------
        X : pandas.DataFrame
            Feature frame.
        y : array-like of shape (n_rows,)
            True deficiency.

        Returns
        -------
        CombinedB12Index
            The fitted index.

        Raises
        ------
        ConfigError
            If a missing-marker regression has fewer than :data:`MIN_IMPUTATION_ROWS`
            training rows (fit on a cohort with more measured panels, or raise
            ``min_markers``).
        """
        kb = self._setup()
        frame, classes, positive, prevalence = self._training_data(X, y)
        logs, age = self._read(frame, kb)
        measured = {name: ~np.isnan(v) for name, v in logs.items()} | {"age": ~np.isnan(age)}
        imputations = {}
        for present in self._patterns():
            missing = [n for n, _ in _CB12_MARKERS[1:] if n not in present]
            imputations[present] = {
                target: self._fit_imputation(target, ("serum_b12", *present), logs, age, measured) for target in missing
            }
        score = -self._cb12(logs, age, imputations)
        ok = ~np.isnan(score)
        slope, intercept = _fit_calibration(score[ok], positive[ok], prevalence)
        if slope != 0.0:
            unmeasured = (logit(prevalence) - intercept) / slope
        else:
            unmeasured = np.median(score[ok]) if ok.any() else 0.0
        self._set_fitted(
            frame,
            classes,
            prevalence,
            imputations_=imputations,
            calibration_slope_=slope,
            calibration_intercept_=intercept,
            unmeasured_score_=float(unmeasured),
        )
        return self

    @staticmethod
    def _fit_imputation(
        target: str,
        predictors: tuple[str, ...],
        logs: dict[str, np.ndarray],
        age: np.ndarray,
        measured: dict[str, np.ndarray],
    ) -> MarkerImputation:
        for names in (predictors, ("serum_b12",)):
            rows = measured[target] & measured["age"]
            for name in names:
                rows = rows & measured[name]
            n = int(rows.sum())
            if n >= MIN_IMPUTATION_ROWS:
                design = np.column_stack([*(logs[name][rows] for name in names), age[rows], np.ones(n)])
                solution, *_ = np.linalg.lstsq(design, logs[target][rows], rcond=None)
                return MarkerImputation(
                    target=target,
                    predictors=tuple(names),
                    coef=tuple(float(w) for w in solution[:-1]),
                    intercept=float(solution[-1]),
                    n_rows=n,
                )
        raise ConfigError(
            f"CombinedB12Index.fit needs at least {MIN_IMPUTATION_ROWS} training rows with serum B12, age and "
            f"{target} measured to predict {target} when it is missing; got {n}. Fit on a cohort with more "
            f"complete panels (e.g. simulate(..., labs='survey')) or set min_markers=4."
        )

    def _cb12(
        self, logs: dict[str, np.ndarray], age: np.ndarray, imputations: dict[tuple[str, ...], dict]
    ) -> np.ndarray:
        ok = self._applies(logs, age)
        filled = {name: v.copy() for name, v in logs.items()}
        others = [name for name, _ in _CB12_MARKERS[1:]]
        for present, models in imputations.items():
            rows = ok.copy()
            for name in others:
                rows &= ~np.isnan(logs[name]) if name in present else np.isnan(logs[name])
            if rows.any():
                sub = {name: v[rows] for name, v in logs.items()}
                for target, model in models.items():
                    filled[target][rows] = model.predict(sub, age[rows])
        a, b, c = CB12_AGE_TERM
        total = sum(sign * filled[name] for name, sign in _CB12_MARKERS)
        value = total - a / (1.0 + (age / b) ** c)
        return np.where(ok, value, np.nan)

    def cb12(self, X: pd.DataFrame) -> np.ndarray:
        """cB12 of each row (4-marker, or with fitted imputations); NaN where it does not apply.

        Parameters
        ----------
        X : pandas.DataFrame
            Feature frame.

        Returns
        -------
        numpy.ndarray of float
        """
        kb = self._setup()
        logs, age = self._read(self._fitted_frame(X), kb)
        return self._cb12(logs, age, self.imputations_)

    def category(self, X: pd.DataFrame) -> pd.Categorical:
        """cB12 category of each row (:func:`cb12_category`); missing where it does not apply.

        Parameters
        ----------
        X : pandas.DataFrame
            Feature frame.

        Returns
        -------
        pandas.Categorical
        """
        return cb12_category(self.cb12(X))

    def decision_function(self, X: pd.DataFrame) -> np.ndarray:
        """``-cB12`` (higher = more deficient); ``unmeasured_score_`` where it does not apply.

        Parameters
        ----------
        X : pandas.DataFrame
            Feature frame.

        Returns
        -------
        numpy.ndarray of float
        """
        score = -self.cb12(X)
        return np.where(np.isnan(score), self.unmeasured_score_, score)

    def _positive_proba(self, X: pd.DataFrame) -> np.ndarray:
        score = -self.cb12(X)
        p = expit(self.calibration_slope_ * score + self.calibration_intercept_)
        return np.where(np.isnan(score), self.prevalence_, p)

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """Deficient where the category is "probable" or "possible deficiency".

        Where the index does not apply, the training majority class.

        Parameters
        ----------
        X : pandas.DataFrame
            Feature frame.

        Returns
        -------
        numpy.ndarray
            Labels from ``classes_``.
        """
        cat = np.asarray(self.category(X).astype(object))
        known = pd.notna(cat)
        verdict = np.where(known, np.isin(cat, list(_CB12_DEFICIENT)), self.prevalence_ >= 0.5)
        return self._labels(verdict)
