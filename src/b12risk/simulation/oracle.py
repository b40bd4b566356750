"""The oracle: the exact posterior probability of true deficiency given what is observed.

Given the observed causes the latent level ``L`` (log pmol/L) has a normal prior for
each hidden gastric state (none, atrophic gastritis, pernicious anaemia); every lab and
symptom is independent given ``L`` and named causes, and MCV and haemoglobin also
depend on hidden iron deficiency. So::

    P(L, obs) = sum_g w_g N(L; mu + e_g, sd) * sum_i v_i B_i(L) * C(L)

with ``B_i`` the blood-count likelihood and ``C`` everything else, the serum assay
included: its error is right-skewed (exponentially modified Gaussian, log-concave), so
its likelihood is evaluated as a log density on the grid rather than in matrix form.
The posterior mass below 148 pmol/L is evaluated on a uniform grid of ``L`` whose edges
include log(148) exactly. The Gaussian terms are written as per-row coefficients times
functions of ``L`` so that whole chunks reduce to small matrix products.

NaN in a symptom or lab means "not observed" (its likelihood is left out). The
risk-factor columns must all be observed: a missing cause would need its prior, which
depends on the scenario, and the oracle answers for the row alone.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from b12risk.errors import ConfigError
from b12risk.knowledge import Knowledge
from b12risk.knowledge.schema import features, level_columns, mask_to_level
from b12risk.simulation.structural import (
    Model,
    gastric_prior,
    gastric_shift,
    iron_prior,
    latent_sd,
    model,
    observed_shift,
    symptom_logit,
)

__all__ = ["GRID_STEP", "oracle_probability"]

#: Grid step on the log scale. The narrowest likelihood (serum assay, prior) has sd 0.2,
#: so a step of 0.02 integrates the smooth parts far below 1e-6 error; the kinks of the
#: deficiency hinges sit on grid edges.
GRID_STEP = 0.02
_SPAN_SD = 7.0  # prior sds covered each side of every row's prior means
_EDGE_CELLS = 5  # cells at each end of the window that must hold (almost) no posterior mass
_EDGE_MASS = 1e-9


def _column(frame: pd.DataFrame, name: str) -> np.ndarray:
    if name not in frame.columns:
        return np.full(len(frame), np.nan)
    col = frame[name]
    if isinstance(col.dtype, pd.CategoricalDtype) or col.dtype == object or pd.api.types.is_string_dtype(col):
        cats = features()[name].categories
        codes = pd.Categorical(col, categories=cats).codes.astype(np.float64)
        codes[codes < 0] = np.nan
        return codes
    return col.to_numpy(dtype=np.float64, na_value=np.nan)


def oracle_probability(
    frame: pd.DataFrame, level: str | None = None, *, chunk_rows: int = 1024, kb: Knowledge | None = None
) -> np.ndarray:
    """Exact posterior P(true deficient | observed) for each row.

    Parameters
    ----------
    frame : pandas.DataFrame
        Observed columns as :func:`b12risk.simulate` returns them. Symptoms and labs
        that are NaN are treated as unobserved; risk-factor columns must be present.
    level : str, optional
        If given, first mask the frame to this information level
        (:func:`b12risk.knowledge.schema.mask_to_level`).
    chunk_rows : int
        Rows evaluated at once; memory is about ``chunk_rows * 300 * 8 * 12`` bytes.
    kb : Knowledge, optional
        Knowledge base of the structural model; the shipped one by default.

    Returns
    -------
    numpy.ndarray
        Probabilities in [0, 1], one per row, in the frame's row order.

    Raises
    ------
    ConfigError
        If a risk-factor column is missing or has missing values.
    """
    m = model(kb)
    if level is not None:
        frame = mask_to_level(frame, level)
    a: dict[str, np.ndarray] = {}
    for name in level_columns("risk_factors", m.kb):
        if name not in frame.columns:
            raise ConfigError(f"oracle_probability needs column {name!r}; it is missing")
        a[name] = _column(frame, name)
        bad = np.isnan(a[name])
        if bad.any():
            raise ConfigError(
                f"oracle_probability needs {name!r} observed in every row; {int(bad.sum())} row(s) lack it"
            )
    for name in ("sex", "region", *(c.column for c in m.categorical)):
        a[name] = a[name].astype(np.int64)
    labs = {spec.column: _column(frame, spec.column) for spec in m.specs}
    with np.errstate(invalid="ignore", divide="ignore"):
        for spec in m.specs:
            if spec.log:
                labs[spec.column] = np.log(labs[spec.column])  # log scale; NaN stays NaN
    sym = np.column_stack([_column(frame, s) for s in m.symptoms]) if len(frame) else np.zeros((0, len(m.symptoms)))

    # Rows sorted by prior mean share a narrow grid window per chunk.
    mu = observed_shift(m, a)
    order = np.argsort(mu, kind="stable")
    out = np.empty(len(frame))
    # The matrix products are small: BLAS threads cost more in synchronisation than
    # they save (3x slower on a busy 2-core machine), so they run single-threaded.
    with threadpool_limits(limits=1, user_api="blas"):
        for start in range(0, len(frame), chunk_rows):
            rows = order[start : start + chunk_rows]
            out[rows] = _posterior(
                m, {k: v[rows] for k, v in a.items()}, mu[rows], {k: v[rows] for k, v in labs.items()}, sym[rows]
            )
    return out


def _grid(lo: float, hi: float, cut: float) -> tuple[np.ndarray, int]:
    """Cell midpoints covering [lo, hi], edges on ``cut + k * GRID_STEP``, and the count below ``cut``."""
    k_lo = int(np.floor((lo - cut) / GRID_STEP))
    k_hi = int(np.ceil((hi - cut) / GRID_STEP))
    edges = cut + GRID_STEP * np.arange(k_lo, k_hi + 1)
    return (edges[:-1] + edges[1:]) / 2, int(np.clip(-k_lo, 0, k_hi - k_lo))


def _gauss_terms(resid: np.ndarray, observed: np.ndarray, f: np.ndarray, sd: float) -> tuple[np.ndarray, np.ndarray]:
    """-(r - f(L))^2 / (2 sd^2) as row coefficients (n x 2) and grid functions (2 x G), minus -r^2/(2 sd^2)."""
    r = np.where(observed, resid, 0.0)
    coef = np.column_stack([r, observed.astype(np.float64)])
    funcs = np.vstack([f / sd**2, -(f**2) / (2 * sd**2)])
    return coef, funcs


def _posterior(
    m: Model, a: dict[str, np.ndarray], mu: np.ndarray, labs: dict[str, np.ndarray], sym: np.ndarray, wide: bool = False
) -> np.ndarray:
    """Posterior P(L < log deficient_below) per row.

    The grid spans the rows' prior (every gastric state, +-7 sd). Rows whose labs pull
    the posterior to the edge of that window (readings far from what the causes
    predict) are recomputed on a window that also spans what the labs imply.
    """
    n = len(mu)
    if n == 0:
        return np.empty(0)
    sd = latent_sd(m, a["age"])  # per row: the spread widens (or narrows) with age
    by_state = gastric_shift(m, a)  # rows x gastric states
    lo = (mu + by_state.min(axis=1) - _SPAN_SD * sd).min()
    hi = (mu + _SPAN_SD * sd).max()
    if wide:
        for spec in m.specs:
            if not spec.implies_latent:
                continue
            implied = labs[spec.column] - spec.base(m, a)
            implied = implied[~np.isnan(implied)]
            if implied.size:
                lo, hi = min(lo, implied.min() - 2.0), max(hi, implied.max() + 2.0)
        lo, hi = min(lo, np.log(1.0)), max(hi, np.log(20000.0))
    L, below = _grid(lo, hi, m.log_deficient)

    # C(L): the markers that depend on L and observed causes only, and symptoms, as one matrix product.
    coefs, funcs = [], []
    for spec in m.specs:
        if spec.hidden is None and spec.gaussian:
            obs = ~np.isnan(labs[spec.column])
            if obs.any():
                c, f = _gauss_terms(labs[spec.column] - spec.base(m, a), obs, spec.response(m, L), spec.sd(m))
                coefs.append(c)
                funcs.append(f)
    sym_obs = ~np.isnan(sym)
    if sym_obs.any():
        slogit = symptom_logit(m, L).T  # S x G
        coefs.append(np.hstack([np.where(sym_obs, sym, 0.0), sym_obs.astype(np.float64)]))
        funcs.append(np.vstack([slogit, -np.logaddexp(0.0, slogit)]))
    log_c = np.hstack(coefs) @ np.vstack(funcs) if coefs else np.zeros((n, L.size))
    for spec in m.specs:  # markers whose likelihood is not Gaussian: their log density on the grid
        if spec.hidden is None and not spec.gaussian:
            x = labs[spec.column]
            obs = ~np.isnan(x)
            if obs.any():
                log_c[obs] += spec.log_likelihood(m, {k: v[obs] for k, v in a.items()}, x[obs], L)

    # B(L): the markers that depend on hidden iron deficiency (the blood count), summed over it:
    # v0 e^s0 + v1 e^s1 = e^s0 (v0 + v1 e^(s1 - s0)); e^s0 joins the log-domain terms.
    iron_specs = [s for s in m.specs if s.hidden == "iron"]
    iron_obs = {s.column: ~np.isnan(labs[s.column]) for s in iron_specs}
    iron_factor = None
    if any(o.any() for o in iron_obs.values()):
        v = iron_prior(m, a)
        states = []
        for iron in (0, 1):
            cs, fs = [], []
            const = np.zeros(n)
            for spec in iron_specs:
                x, obs, sdv = labs[spec.column], iron_obs[spec.column], spec.sd(m)
                x0 = spec.base(m, a, iron)
                c_, f_ = _gauss_terms(x - x0, obs, spec.response(m, L, iron), sdv)
                cs.append(c_)
                fs.append(f_)
                const -= np.where(obs, x - x0, 0.0) ** 2 / (2 * sdv**2)
            states.append((np.hstack(cs), np.vstack(fs), const))
        (c0, f0, k0), (c1, f1, k1) = states
        log_c += c0 @ f0
        # log of v1 e^(s1 - s0) / v0, clipped so that exp cannot overflow
        with np.errstate(divide="ignore"):
            shift = (k1 - k0 + np.log(v) - np.log1p(-v))[:, None]
        iron_factor = 1.0 + np.exp(np.minimum(np.hstack([c1, -c0]) @ np.vstack([f1, f0]) + shift, 700.0))

    # Prior: sum_g w_g N(L; mu + e_g, sd), each state's log density joining the log-domain terms; one
    # row maximum over every state keeps the exponentials in range whatever the row's sd.
    sd = sd[:, None]
    w = gastric_prior(m, a)
    with np.errstate(divide="ignore"):  # a state with no prior weight: log 0 = -inf, exp gives 0
        terms = [
            log_c + np.log(w[:, g, None]) - 0.5 * ((L - mu[:, None] - by_state[:, g, None]) / sd) ** 2
            for g in range(by_state.shape[1])
        ]
    top = np.max([t.max(axis=1) for t in terms], axis=0)[:, None]  # row scale cancels in the ratio
    mass = sum(np.exp(t - top) for t in terms)
    if iron_factor is not None:
        mass *= iron_factor
    total = mass.sum(axis=1)
    out = np.minimum(mass[:, :below].sum(axis=1) / total, 1.0)  # rounding can give 1 + 2e-16
    if not wide:
        edge = (mass[:, :_EDGE_CELLS].sum(axis=1) + mass[:, -_EDGE_CELLS:].sum(axis=1)) > _EDGE_MASS * total
        if edge.any():
            rows = np.flatnonzero(edge)
            out[rows] = _posterior(
                m, {k: v[rows] for k, v in a.items()}, mu[rows], {k: v[rows] for k, v in labs.items()}, sym[rows], True
            )
    return out
