"""Rules-based clinical baselines: what a guideline, a lab index or a points score says.

Three scikit-learn classifiers that the learned model is measured against:

==================== =========================================================================
``GuidelineRule``    serum B12 first, MMA (else homocysteine) for the indeterminate band
                     (BSH 2014, the source article; NICE NG239 as ``variant="nice2024"``)
``CombinedB12Index`` Fedosov's combined indicator cB12 from B12, holoTC, MMA, Hcy and age
``RiskFactorScore``  points for the documented risk factors; needs no labs (screening)
==================== =========================================================================

Each takes the whole feature frame (a :class:`pandas.DataFrame` with the cohort's
columns), picks its columns by name and ignores the rest. A missing column or a NaN
means "not measured", and the rule falls back as a clinician would. ``applies(X)`` tells
for which rows a rule has the data it needs; on the other rows it predicts the training
prevalence, so an evaluation should compare against a baseline only where it applies.

Every threshold and effect size is read from the knowledge base (``seeds/*.toml``) via
:func:`b12risk.knowledge.load`; pass ``kb`` to use another one. The one exception is
the cB12 formula and its category cut-points (Fedosov et al. 2015), which the knowledge
base does not yet carry; they are the named constants :data:`CB12_AGE_TERM`,
:data:`CB12_CUTPOINTS` and :data:`CB12_CATEGORIES` below, each with its source.

Examples
--------
>>> import numpy as np, pandas as pd
>>> from b12risk.modelling.baselines import GuidelineRule
>>> X = pd.DataFrame({"serum_b12_pmol_l": [120.0, 180.0, 180.0, 250.0], "mma_umol_l": [np.nan, 0.4, 0.2, np.nan]})
>>> GuidelineRule().category(X).tolist()
[4, 3, 1, 0]
>>> rule = GuidelineRule().fit(X, [True, True, False, False])
>>> rule.predict(X).tolist()
[True, True, False, False]
"""

from __future__ import annotations

from dataclasses import dataclass
from numbers import Real

import numpy as np
import pandas as pd
from scipy.special import expit, logit
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.utils.validation import check_is_fitted

from b12risk.errors import ConfigError
from b12risk.knowledge import Knowledge, load
from b12risk.knowledge.schema import features

__all__ = [
    "CB12_AGE_TERM",
    "CB12_CATEGORIES",
    "CB12_CUTPOINTS",
    "GUIDELINE_CATEGORIES",
    "MIN_IMPUTATION_ROWS",
    "CombinedB12Index",
    "GuidelineRule",
    "MarkerImputation",
    "RiskFactorScore",
    "cb12_category",
    "combined_indicator",
    "fit_baselines",
]

# --------------------------------------------------------------------------- constants

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

#: Guideline ordinal categories (the score of :class:`GuidelineRule`).
GUIDELINE_CATEGORIES: tuple[str, ...] = (
    "first-line marker normal",
    "indeterminate, second-line marker normal",
    "indeterminate, no second-line marker",
    "indeterminate, second-line marker raised",
    "first-line marker deficient",
)
_NOT_APPLICABLE = -1
_FIRST_DEFICIENT_FROM = 3  # categories 3 and 4 are the rule's "deficient" verdict

#: Which knowledge-base thresholds each guideline uses. ``normal_at_cutoff``: whether a
#: first-line value equal to the upper cut-off is already normal (BSH: ">= 221 not
#: deficient"; NICE: "> 350 ng/L unlikely", so 258 pmol/L is still indeterminate).
_VARIANTS: dict[str, dict[str, object]] = {
    "bsh2014": {"serum_b12": ("deficient", "borderline_upper"), "holotc": None, "normal_at_cutoff": True},
    "nice2024": {
        "serum_b12": ("nice_deficient", "nice_unlikely"),
        "holotc": ("deficient", "nice_unlikely"),
        "normal_at_cutoff": False,
    },
}

# Unpenalised in practice; a finite C keeps the fit finite on separable training sets.
_CALIBRATION_C = 1e4


# --------------------------------------------------------------------------- helpers


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


# --------------------------------------------------------------------------- guideline


@dataclass(frozen=True)
class _Cutoffs:
    b12_deficient: float
    b12_normal: float
    holotc_deficient: float | None
    holotc_normal: float | None
    normal_at_cutoff: bool
    mma_raised: float
    hcy_raised: float


def _cutoffs(kb: Knowledge, variant: str) -> _Cutoffs:
    spec = _VARIANTS[variant]
    t = {name: kb.biomarkers[name].thresholds for name in ("serum_b12", "holotc", "mma", "hcy")}
    low, high = spec["serum_b12"]
    holo = spec["holotc"]
    return _Cutoffs(
        b12_deficient=t["serum_b12"][low].value,
        b12_normal=t["serum_b12"][high].value,
        holotc_deficient=t["holotc"][holo[0]].value if holo else None,
        holotc_normal=t["holotc"][holo[1]].value if holo else None,
        normal_at_cutoff=bool(spec["normal_at_cutoff"]),
        mma_raised=t["mma"]["raised"].value,
        hcy_raised=t["hcy"]["raised"].value,
    )


class GuidelineRule(_Baseline):
    """The guideline's two-step rule: serum B12 first, then MMA (else homocysteine).

    BSH 2014 (Devalia et al., Br J Haematol 2014;166:496-513) and the source article:
    serum B12 below 148 pmol/L is deficient; 148 up to 221 pmol/L is indeterminate and
    is resolved by a raised MMA (> 0.28 umol/L) or, where MMA was not measured, a raised
    homocysteine (> 15 umol/L); 221 pmol/L and above is not deficient. All cut-offs come
    from ``seeds/biomarkers.toml``.

    Each row gets an ordinal category, which is also the score for ROC curves:

    ==  ==========================================================================
    0   first-line marker normal (B12 >= 221 pmol/L)
    1   indeterminate, second-line marker normal (MMA <= 0.28, or Hcy <= 15 without MMA)
    2   indeterminate, no second-line marker measured
    3   indeterminate, second-line marker raised
    4   first-line marker deficient (B12 < 148 pmol/L)
    -1  not applicable: no serum B12 and no MMA (see ``applies``)
    ==  ==========================================================================

    ``predict`` is the rule's verdict: categories 3 and 4 are deficient. Category 2 is
    counted as not deficient, because the guideline asks for a second-line test before
    it diagnoses deficiency in the indeterminate band (treating on strong clinical
    features alone is outside what this rule sees). Without serum B12 the rule falls
    back to MMA alone, read as in the indeterminate band (raised -> 3, normal -> 1).

    Serum B12 may be given as ``serum_b12_pg_ml`` where ``serum_b12_pmol_l`` is absent
    or NaN: it is converted with the knowledge base's factor (0.738 pmol/L per pg/mL)
    and rounded to whole pmol/L, halves up, the precision laboratories report and the
    one at which the sources pair their cut-offs, so 200 pg/mL reads as 148 pmol/L.
    MMA may likewise be given as ``mma_nmol_l``.

    Parameters
    ----------
    variant : {"bsh2014", "nice2024"}, default "bsh2014"
        ``"nice2024"``: NICE NG239 cut-offs. The first-line marker is serum B12 (< 133
        pmol/L deficient, 133-258 indeterminate, > 258 unlikely) or, in pregnancy or
        where serum B12 is missing, active B12 (holoTC: < 25 deficient, 25-70
        indeterminate, > 70 unlikely). The indeterminate band is resolved by MMA, then
        homocysteine, at the BSH cut-offs, as NICE gives no figure of its own.
    kb : Knowledge, optional
        Knowledge base; the shipped one by default.

    Attributes
    ----------
    classes_ : numpy.ndarray
        ``[False, True]`` (or ``[0, 1]``, following ``y``).
    category_counts_ : numpy.ndarray of shape (5,)
        Training rows in each ordinal category.
    category_rates_ : numpy.ndarray of shape (5,)
        Add-one smoothed deficiency rate per category: ``(deficient + 1) / (rows + 2)``;
        ``predict_proba`` returns it.
    prevalence_ : float
        Add-one smoothed training prevalence; the probability where the rule does not apply.
    unmeasured_score_ : float
        Decision score of rows where the rule does not apply: the point of the ordinal
        scale where the (monotone) category rates reach ``prevalence_``.
    """

    def __init__(self, *, variant: str = "bsh2014", kb: Knowledge | None = None):
        self.variant = variant
        self.kb = kb

    def _cut(self) -> tuple[Knowledge, _Cutoffs]:
        owner = type(self).__name__
        if self.variant not in _VARIANTS:
            raise _param_error(owner, "variant", f"one of {', '.join(map(repr, _VARIANTS))}", self.variant)
        kb = _knowledge(self.kb, owner)
        return kb, _cutoffs(kb, self.variant)

    def category(self, X: pd.DataFrame) -> np.ndarray:
        """Ordinal category of each row (table in the class docstring); needs no fit.

        Parameters
        ----------
        X : pandas.DataFrame
            Feature frame.

        Returns
        -------
        numpy.ndarray of int
            0 to 4, or -1 where the rule does not apply.
        """
        kb, cut = self._cut()
        X = _frame(X, type(self).__name__)
        first = _serum_b12(X, kb)
        low = np.full(len(X), cut.b12_deficient)
        high = np.full(len(X), cut.b12_normal)
        if cut.holotc_deficient is not None:
            holo = _lab(X, kb, "holotc")
            pregnant = _numeric(X, kb.causes["pregnancy"].column) > 0.5
            use_holo = ~np.isnan(holo) & (pregnant | np.isnan(first))
            first = np.where(use_holo, holo, first)
            low = np.where(use_holo, cut.holotc_deficient, low)
            high = np.where(use_holo, cut.holotc_normal, high)
        mma = _lab(X, kb, "mma")
        hcy = _lab(X, kb, "hcy")

        has_first = ~np.isnan(first)
        has_mma = ~np.isnan(mma)
        second_known = has_mma | ~np.isnan(hcy)
        with np.errstate(invalid="ignore"):
            deficient = has_first & (first < low)
            normal = has_first & ((first >= high) if cut.normal_at_cutoff else (first > high))
            raised = np.where(has_mma, mma > cut.mma_raised, hcy > cut.hcy_raised)
        indeterminate = has_first & ~deficient & ~normal

        out = np.full(len(X), _NOT_APPLICABLE, dtype=np.int64)
        out[normal] = 0
        out[indeterminate & second_known & ~raised] = 1
        out[indeterminate & ~second_known] = 2
        out[indeterminate & second_known & raised] = 3
        out[deficient] = 4
        mma_only = ~has_first & has_mma
        out[mma_only] = np.where(raised[mma_only], 3, 1)
        return out

    def applies(self, X: pd.DataFrame) -> np.ndarray:
        """Rows with a first-line marker (serum B12; NICE: or holoTC) or, failing that, MMA.

        Parameters
        ----------
        X : pandas.DataFrame
            Feature frame.

        Returns
        -------
        numpy.ndarray of bool
        """
        return self.category(X) != _NOT_APPLICABLE

    def fit(self, X: pd.DataFrame, y: object) -> GuidelineRule:
        """Learn the deficiency rate of each ordinal category from the training rows.

        Parameters
        ----------
        X : pandas.DataFrame
            Feature frame.
        y : array-like of shape (n_rows,)
            True deficiency (bool or 0/1; with other labels, the larger is "deficient").

        Returns
        -------
        GuidelineRule
            The fitted rule.
        """
        self._cut()
        frame, classes, positive, prevalence = self._training_data(X, y)
        cat = self.category(frame)
        ok = cat != _NOT_APPLICABLE
        k = len(GUIDELINE_CATEGORIES)
        counts = np.bincount(cat[ok], minlength=k)
        rates = _smoothed_rate(np.bincount(cat[ok], weights=positive[ok].astype(np.float64), minlength=k), counts)
        # Where on the ordinal scale the rate reaches the prevalence (rates made monotone
        # first, with a tiny ramp so that np.interp sees increasing points).
        monotone = np.maximum.accumulate(rates) + np.arange(k) * 1e-12
        self._set_fitted(
            frame,
            classes,
            prevalence,
            category_counts_=counts,
            category_rates_=rates,
            unmeasured_score_=float(np.interp(prevalence, monotone, np.arange(k, dtype=np.float64))),
        )
        return self

    def decision_function(self, X: pd.DataFrame) -> np.ndarray:
        """The ordinal category as a score; ``unmeasured_score_`` where the rule does not apply.

        Parameters
        ----------
        X : pandas.DataFrame
            Feature frame.

        Returns
        -------
        numpy.ndarray of float
            Higher means more likely deficient.
        """
        cat = self.category(self._fitted_frame(X))
        return np.where(cat == _NOT_APPLICABLE, self.unmeasured_score_, cat.astype(np.float64))

    def _positive_proba(self, X: pd.DataFrame) -> np.ndarray:
        cat = self.category(X)
        return np.where(cat == _NOT_APPLICABLE, self.prevalence_, self.category_rates_[np.maximum(cat, 0)])

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """The rule's verdict: deficient in categories 3 and 4.

        Where the rule does not apply, the training majority class.

        Parameters
        ----------
        X : pandas.DataFrame
            Feature frame.

        Returns
        -------
        numpy.ndarray
            Labels from ``classes_``.
        """
        cat = self.category(self._fitted_frame(X))
        verdict = np.where(cat == _NOT_APPLICABLE, self.prevalence_ >= 0.5, cat >= _FIRST_DEFICIENT_FROM)
        return self._labels(verdict)


# --------------------------------------------------------------------------- cB12


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


# --------------------------------------------------------------------------- risk factors


class RiskFactorScore(_Baseline):
    """A points score for the documented risk factors; needs no labs at all.

    The points are derived from ``seeds/causes.toml`` and ``seeds/measurement.toml``,
    not typed in. Each cause's shift of the latent log B12 level (natural-log pmol/L)
    is divided by ``point_unit`` and rounded (halves away from zero), with the sign
    turned so that risk scores positive:

    - binary cause (e.g. malnutrition) when present: ``round(-effect / point_unit)``;
      the protective supplement use scores negative;
    - categorical cause (diet, gastrectomy): ``round(-effects[level] / point_unit)``;
    - medicine taken for ``years`` at ``dose``:
      ``round(-effect * min(years, saturation) / saturation * dose / reference_dose / point_unit)``;
      a missing dose with years > 0 counts as the reference dose;
    - a diagnosed hidden cause (known pernicious anaemia): ``round(-effect / point_unit)``;
    - age: ``round(-age_slope * max(age - reference_age, 0) / point_unit)``, i.e.
      ``-10 * age_slope / point_unit`` points per decade above the reference age
      (0.57 per decade with the shipped seeds: 1 point at 60, 2 at 70), rounded once.

    A missing column or NaN scores 0 points. ``decision_function`` is the total;
    ``predict_proba`` a logistic calibration of the total fitted in ``fit``; ``predict``
    is deficient where that probability is at least ``threshold``. Region and sex are
    not scored: they are not causes in the knowledge base.

    Parameters
    ----------
    point_unit : float, default 0.1
        Log units of latent B12 per point; must be > 0.
    threshold : float, default 0.5
        Probability at or above which ``predict`` says deficient; in (0, 1).
    kb : Knowledge, optional
        Knowledge base; the shipped one by default.

    Attributes
    ----------
    classes_ : numpy.ndarray
        ``[False, True]`` (or ``[0, 1]``, following ``y``).
    calibration_slope_, calibration_intercept_ : float
        ``P(deficient) = expit(slope * points + intercept)``.
    prevalence_ : float
        Add-one smoothed training prevalence.

    Examples
    --------
    >>> import pandas as pd
    >>> X = pd.DataFrame({"diet": ["vegan"], "ppi_years": [6.0], "ppi_pills_per_day": [1.0], "age": [40.0]})
    >>> RiskFactorScore().points(X).tolist()  # vegan 7 + PPI round(0.76) = 1
    [8.0]
    """

    def __init__(self, *, point_unit: float = 0.1, threshold: float = 0.5, kb: Knowledge | None = None):
        self.point_unit = point_unit
        self.threshold = threshold
        self.kb = kb

    def _setup(self) -> Knowledge:
        owner = type(self).__name__
        u, t = self.point_unit, self.threshold
        if isinstance(u, bool) or not isinstance(u, Real) or not np.isfinite(u) or u <= 0:
            raise _param_error(owner, "point_unit", "a float in the range (0, inf)", u)
        if isinstance(t, bool) or not isinstance(t, Real) or not 0 < t < 1:
            raise _param_error(owner, "threshold", "a float in the range (0, 1)", t)
        return _knowledge(self.kb, owner)

    def point_table(self) -> pd.DataFrame:
        """The points of every scored factor, with the log shift they come from.

        Exposures are shown at full effect (saturation years at the reference dose) and
        age per decade above the reference age; both are rounded per patient.

        Returns
        -------
        pandas.DataFrame
            Columns ``factor``, ``column``, ``condition``, ``log_shift``, ``points``, ``source``.
        """
        kb = self._setup()
        rows = []

        def add(factor: str, column: str, condition: str, shift: float, source: str) -> None:
            points = float(_round_half_away(-shift / self.point_unit))
            rows.append((factor, column, condition, shift, points, source))

        for name, c in kb.causes.items():
            if c.kind == "binary":
                add(name, c.column, "true", c.effect.value, c.effect.source)
            elif c.kind == "categorical":
                for level in c.levels:
                    add(name, c.column, level, c.effects[level].value, c.effects[level].source)
            elif c.kind == "exposure":
                cond = f">= {c.saturation.value:g} years"
                if c.dose_column:
                    cond += f" at {c.reference_dose.value:g} {c.reference_dose.unit}"
                add(name, c.years_column, cond, c.effect.value, c.effect.source)
            elif c.kind == "hidden" and c.known_column:
                add(name, c.known_column, "true", c.effect.value, c.effect.source)
        slope = kb.measurement["latent"]["age_slope"]
        ref = kb.param("latent", "reference_age")
        add("age", kb.demographics["age"].column, f"per decade above {ref:g}", 10 * slope.value, slope.source)
        return pd.DataFrame(rows, columns=["factor", "column", "condition", "log_shift", "points", "source"])

    def points(self, X: pd.DataFrame) -> np.ndarray:
        """Total risk points of each row (formula in the class docstring); needs no fit.

        Parameters
        ----------
        X : pandas.DataFrame
            Feature frame; only risk-factor columns and age are read.

        Returns
        -------
        numpy.ndarray of float

        Raises
        ------
        ConfigError
            If a categorical column holds a value that is not one of its levels.
        """
        kb = self._setup()
        X = _frame(X, type(self).__name__)
        unit = self.point_unit
        total = np.zeros(len(X))

        def present(column: str | None) -> np.ndarray:
            return np.nan_to_num(_numeric(X, column)) > 0.5

        for c in kb.causes.values():
            if c.kind == "binary":
                total += present(c.column) * _round_half_away(-c.effect.value / unit)
            elif c.kind == "hidden" and c.known_column:
                total += present(c.known_column) * _round_half_away(-c.effect.value / unit)
            elif c.kind == "categorical" and c.column in X.columns:
                values = X[c.column].astype(object)
                unknown = values.notna() & ~values.isin(c.levels)
                if unknown.any():
                    raise ConfigError(
                        f"Column {c.column!r} must hold one of {', '.join(c.levels)}. "
                        f"Got {values[unknown].iloc[0]!r} instead."
                    )
                table = {level: float(_round_half_away(-c.effects[level].value / unit)) for level in c.levels}
                total += values.map(table).fillna(0.0).to_numpy(dtype=np.float64)
            elif c.kind == "exposure":
                years = np.nan_to_num(_numeric(X, c.years_column))
                fraction = np.minimum(np.maximum(years, 0.0), c.saturation.value) / c.saturation.value
                if c.dose_column:
                    dose = _numeric(X, c.dose_column)
                    fraction = (
                        fraction * np.where(np.isnan(dose), c.reference_dose.value, dose) / c.reference_dose.value
                    )
                total += _round_half_away(-c.effect.value * fraction / unit)
        age = np.nan_to_num(_numeric(X, kb.demographics["age"].column), nan=kb.param("latent", "reference_age"))
        above = np.maximum(age - kb.param("latent", "reference_age"), 0.0)
        total += _round_half_away(-kb.param("latent", "age_slope") * above / unit)
        return total + 0.0  # no negative zeros

    def applies(self, X: pd.DataFrame) -> np.ndarray:
        """Always true: the score needs only risk-factor columns (missing ones score 0).

        Parameters
        ----------
        X : pandas.DataFrame
            Feature frame.

        Returns
        -------
        numpy.ndarray of bool
        """
        self._setup()
        return np.ones(len(_frame(X, type(self).__name__)), dtype=bool)

    def fit(self, X: pd.DataFrame, y: object) -> RiskFactorScore:
        """Fit the logistic calibration of points to probability.

        Parameters
        ----------
        X : pandas.DataFrame
            Feature frame.
        y : array-like of shape (n_rows,)
            True deficiency.

        Returns
        -------
        RiskFactorScore
            The fitted score.
        """
        self._setup()
        frame, classes, positive, prevalence = self._training_data(X, y)
        slope, intercept = _fit_calibration(self.points(frame), positive, prevalence)
        self._set_fitted(frame, classes, prevalence, calibration_slope_=slope, calibration_intercept_=intercept)
        return self

    def decision_function(self, X: pd.DataFrame) -> np.ndarray:
        """Total risk points (higher = more likely deficient).

        Parameters
        ----------
        X : pandas.DataFrame
            Feature frame.

        Returns
        -------
        numpy.ndarray of float
        """
        return self.points(self._fitted_frame(X))

    def _positive_proba(self, X: pd.DataFrame) -> np.ndarray:
        return expit(self.calibration_slope_ * self.points(X) + self.calibration_intercept_)

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """Deficient where the calibrated probability is at least ``threshold``.

        Parameters
        ----------
        X : pandas.DataFrame
            Feature frame.

        Returns
        -------
        numpy.ndarray
            Labels from ``classes_``.
        """
        return self._labels(self.predict_proba(X)[:, 1] >= self.threshold)


# --------------------------------------------------------------------------- all three


def fit_baselines(train: pd.DataFrame) -> dict[str, _Baseline]:
    """The rules-based baselines fitted on a simulated cohort's true deficiency, by name.

    Parameters
    ----------
    train : pandas.DataFrame
        A cohort from :func:`b12risk.simulate` (with ``true_deficient``).

    Returns
    -------
    dict
        ``guideline``, ``cb12`` and ``risk_factor_score``, each fitted.
    """
    y = train["true_deficient"].to_numpy()
    return {
        "guideline": GuidelineRule().fit(train, y),
        "cb12": CombinedB12Index().fit(train, y),
        "risk_factor_score": RiskFactorScore().fit(train, y),
    }
