"""The guideline's two-step rule (BSH 2014; NICE NG239 as a variant): :class:`GuidelineRule`.

Every cut-off is read from ``seeds/biomarkers.toml``; :data:`_VARIANTS` names which.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from b12risk.knowledge import Knowledge
from b12risk.modelling.baselines._base import (
    _Baseline,
    _frame,
    _knowledge,
    _lab,
    _numeric,
    _param_error,
    _serum_b12,
    _smoothed_rate,
)

__all__ = ["GUIDELINE_CATEGORIES", "GuidelineRule"]

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
