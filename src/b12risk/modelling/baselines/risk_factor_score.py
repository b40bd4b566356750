"""A points score for the documented risk factors, derived from the knowledge base:
:class:`RiskFactorScore`. It needs no laboratory value (screening).
"""

from __future__ import annotations

from numbers import Real

import numpy as np
import pandas as pd
from scipy.special import expit  # not b12risk.logodds: its results differ in the last bit

from b12risk.errors import ConfigError
from b12risk.knowledge import Knowledge
from b12risk.modelling.baselines._base import (
    _Baseline,
    _fit_calibration,
    _frame,
    _knowledge,
    _numeric,
    _param_error,
    _round_half_away,
)

__all__ = ["RiskFactorScore"]


def _age_shift(kb: Knowledge, age: np.ndarray) -> np.ndarray:
    """Shift of the latent log level at ``age`` against the reference age (0 below it), as
    the general population (us_uk) sees it: the shift that, at the reference age's spread,
    gives the share below the deficiency cut-off that adults of that age have. That share
    comes from the latent age slope, the spread's widening with age and the hidden gastric
    causes (atrophic gastritis, pernicious anaemia: a minority with a large fall, so their
    mean effect would understate the tail), averaged over the sexes."""
    from scipy.stats import norm  # scipy is a dependency; loaded when a score is fitted

    ref = kb.param("latent", "reference_age")
    cut = np.log(kb.param("latent", "deficient_below"))
    mu0 = np.log(kb.param("latent", "region_median.us_uk"))
    sd0 = kb.param("latent", "sd")

    def level(years: np.ndarray) -> np.ndarray:
        mu = mu0 + kb.param("latent", "age_slope") * np.maximum(years - ref, 0.0)
        sd = sd0 * np.exp(kb.param("latent", "sd_age_slope") * (years - ref))
        share = np.zeros(len(years))
        for sex in (0, 1):
            a = {"age": years, "sex": np.full(len(years), sex)}
            pa, ag = kb.causes["pernicious_anaemia"], kb.causes["atrophic_gastritis"]
            p_pa, p_ag = pa.prevalence(a), ag.prevalence(a)
            states = ((p_pa, pa.effect.value), ((1 - p_pa) * p_ag, ag.effect.value), ((1 - p_pa) * (1 - p_ag), 0.0))
            share += 0.5 * sum(w * norm.cdf((cut - mu - effect) / sd) for w, effect in states)
        return cut - sd0 * norm.ppf(share)  # the median that gives this share at the reference spread

    years = np.maximum(np.asarray(age, dtype=np.float64), ref)
    return level(years) - level(np.full(len(years), ref))


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
    - age: ``round(-(s(max(age, reference_age)) - s(reference_age)) / point_unit)``, where
      ``s(age)`` is the general population's latent median that, at the reference age's
      spread, would give the share below the cut-off adults of that age have: from the
      latent age slope, the spread's widening with age and the hidden gastric causes
      (atrophic gastritis and pernicious anaemia, averaged over the sexes). Age acts through
      the tail, not the mean: the world fitted to NHANES has a latent level that rises
      slightly with age, and a score of mean shifts gave older adults fewer points though
      more of them are deficient. Rounded once.

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
        ref = kb.param("latent", "reference_age")
        shift = float(_age_shift(kb, np.array([ref + 30.0]))[0])
        source = f"{kb.measurement['latent']['age_slope'].source}; {kb.causes['atrophic_gastritis'].source}"
        add("age", kb.demographics["age"].column, f"at {ref + 30:g} (vs {ref:g})", shift, source)
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
        total += _round_half_away(-_age_shift(kb, age) / unit)
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
