"""One spec per measured biomarker: how the simulator draws it, how the oracle weighs it,
and when a clinician orders it.

Each biomarker of ``seeds/biomarkers.toml`` with a ``[<name>.simulated]`` entry names its
structural equation; this module has one class per equation. Every equation is Gaussian
on its scale (log for concentrations, linear for MCV and haemoglobin) given the latent
level ``L`` and the named causes, written as

    observation = base(causes, hidden state) + response(L, hidden state) + sd * noise

so the simulator draws ``mean + sd * noise`` and the oracle multiplies the grid by the
Gaussian likelihood of the reading. ``hidden`` says which hidden cause the equation also
depends on, and the oracle sums over it: ``None`` or ``"iron"`` (iron deficiency: MCV,
haemoglobin). The serum assay is the one equation that is not Gaussian: its error is
right-skewed (:class:`SerumSkewed`), and it gives the oracle its log density instead.

A new biomarker that follows one of these equations is seed data only (its entry in
``biomarkers.toml`` and its parameter section in ``measurement.toml``); a new kind of
response curve is one class here plus its parameter list in
:data:`b12risk.knowledge.EQUATIONS`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from b12risk.knowledge import Knowledge
from b12risk.knowledge.sections import Ordering

__all__ = ["EQUATION_CLASSES", "Spec", "specs"]

#: eGFR at which the kidney terms of MMA and homocysteine are zero (mL/min/1.73m2).
_EGFR_REFERENCE = 90.0


@dataclass(frozen=True)
class Spec:
    """A simulated biomarker: its column, its equation's parameters and its ordering rule.

    Subclasses implement one structural equation; ``m`` is the compiled
    :class:`b12risk.simulation.structural.Model` (its ``p`` holds every parameter as
    ``"<section>.<key>"``).
    """

    name: str
    column: str
    section: str
    ordering: Ordering

    #: Observed on the log scale (concentrations) or as is.
    log: ClassVar[bool] = True
    #: Hidden cause the equation depends on besides the latent level.
    hidden: ClassVar[str | None] = None
    #: True when ``response`` is the latent level itself, so a reading implies a latent level.
    implies_latent: ClassVar[bool] = False
    #: Gaussian given L on its scale (the oracle then uses its fast matrix form); otherwise the
    #: spec gives ``log_likelihood(m, a, x, grid)``.
    gaussian: ClassVar[bool] = True

    def par(self, m, key: str) -> float:
        return m.p[f"{self.section}.{key}"]

    def sd(self, m) -> float:
        return self.par(m, "sd")

    def base(self, m, a: dict[str, np.ndarray], state: int | None = None) -> np.ndarray:
        """Mean reading of a replete patient (per row), in the hidden ``state``."""
        raise NotImplementedError

    def response(self, m, latent: np.ndarray, state: int | None = None) -> np.ndarray:
        """Shift of the mean reading caused by the latent level (grid or per row)."""
        raise NotImplementedError

    def mean(self, m, a: dict[str, np.ndarray], latent: np.ndarray, state=None) -> np.ndarray:
        """Mean reading given the causes, the hidden state and the latent level (per row)."""
        return self.base(m, a, state) + self.response(m, latent, state)

    def draw(self, m, rng: np.random.Generator, a: dict, latent: np.ndarray, hidden: dict) -> np.ndarray:
        """One reading per row, on the model scale (log for concentrations)."""
        state = hidden[self.hidden] if self.hidden else None
        return self.mean(m, a, latent, state) + self.sd(m) * rng.standard_normal(len(latent))


class MarkerRise(Spec):
    """A metabolite that rises as the latent level falls below an onset (MMA, homocysteine):
    log reading = log median + age and kidney terms (+ a shift in men) + slope * depth below onset."""

    def base(self, m, a, state=None):
        base = (
            np.log(self.par(m, "median"))
            + self.par(m, "age_slope") * (a["age"] - m.p["latent.reference_age"])
            + self.par(m, "egfr_slope") * (np.log(a["egfr_ml_min"]) - np.log(_EGFR_REFERENCE))
        )
        if f"{self.section}.male_shift" in m.p:  # optional
            base = base + self.par(m, "male_shift") * (a["sex"] == 1)
        return base

    def response(self, m, latent, state=None):
        return self.par(m, "deficiency_slope") * m.lab_depth(latent, self.par(m, "deficiency_onset"))


class LatentFraction(Spec):
    """A carrier that holds a fixed fraction of the latent level (holoTC):
    log reading = L + log fraction + pregnancy shift."""

    implies_latent = True

    def base(self, m, a, state=None):
        return np.log(self.par(m, "fraction")) + self.par(m, "pregnancy_shift") * a["pregnant"]

    def response(self, m, latent, state=None):
        return latent

    def draw(self, m, rng, a, latent, hidden):
        # latent first: the order of the sum is part of the cohort's definition
        return latent + self.base(m, a) + self.sd(m) * rng.standard_normal(len(latent))


class SerumSkewed(Spec):
    """Measured serum B12 with a right-skewed assay error: the latent level read with
    Gaussian noise plus an exponential excess of mean ``excess_mean`` (interference by
    binding proteins and antibodies reads high, never low), so a share of the truly
    deficient read normal.

    The error's density (exponentially modified Gaussian) is log-concave, so readings
    have a monotone likelihood ratio in the latent level: with everything else fixed, a
    higher reading never raises the risk. It does not depend on a hidden state.
    """

    implies_latent = True
    gaussian = False

    def base(self, m, a, state=None):
        base = self.par(m, "pregnancy_shift") * a["pregnant"]
        if f"{self.section}.female_shift" in m.p:  # optional: women of reproductive age read lower
            young = a["age"] < self.par(m, "female_shift_below_age")
            base = base + self.par(m, "female_shift") * ((a["sex"] == 0) & young)
        return base

    def response(self, m, latent, state=None):
        return latent

    def draw(self, m, rng, a, latent, hidden):
        n = len(latent)
        noise = self.sd(m) * rng.standard_normal(n) + rng.exponential(self.par(m, "excess_mean"), n)
        return latent + self.base(m, a) + noise

    def log_likelihood(self, m, a, x: np.ndarray, grid: np.ndarray) -> np.ndarray:
        """log density of each row's reading ``x`` (log scale) at each latent level of ``grid``: rows x grid."""
        from scipy.special import log_ndtr  # scipy: loaded only by the oracle, not on import

        s, lam = self.sd(m), self.par(m, "excess_mean")
        z = x[:, None] - self.base(m, a)[:, None] - grid[None, :]
        return -np.log(lam) + s * s / (2 * lam * lam) - z / lam + log_ndtr(z / s - s / lam)


class RedCellSize(Spec):
    """MCV (fL): macrocytosis below the deficiency threshold, smaller and partly masked
    with iron deficiency."""

    log = False
    hidden = "iron"

    def mean(self, m, a, latent, state=None):
        iron = state
        keep = np.where(iron, self.par(m, "iron_deficiency_masking"), 1.0)
        return (
            self.par(m, "mean")
            + self.par(m, "iron_deficiency_shift") * iron
            + self.par(m, "macrocytosis_slope") * keep * m.lab_depth(latent, m.deficient_below)
        )

    def base(self, m, a, state=None):
        return self.mean(m, a, np.array(m.log_deficient + 10.0), state)  # far above any deficiency

    def response(self, m, latent, state=None):
        return self.mean(m, None, latent, state) - self.base(m, None, state)


class Haemoglobin(Spec):
    """Haemoglobin (g/dL): by sex and pregnancy, lower with iron deficiency and a shortened
    red-cell lifespan, falling below the deficiency threshold."""

    log = False
    hidden = "iron"

    def replete(self, m, a):
        female = a["sex"] == 0
        mean = np.where(
            a["pregnant"] > 0.5,
            self.par(m, "pregnant_mean"),
            np.where(female, self.par(m, "female_mean"), self.par(m, "male_mean")),
        )
        return mean + self.par(m, "shortened_rbc_shift") * a["shortened_rbc_lifespan"]

    def base(self, m, a, state=None):
        return self.replete(m, a) + self.par(m, "iron_deficiency_shift") * state

    def response(self, m, latent, state=None):
        return self.par(m, "deficiency_slope") * m.lab_depth(latent, m.deficient_below)

    def draw(self, m, rng, a, latent, hidden):
        mean = self.base(m, a, hidden["iron"]) + self.response(m, latent)
        return mean + self.sd(m) * rng.standard_normal(len(latent))


#: The class implementing each equation named in :data:`b12risk.knowledge.EQUATIONS`.
EQUATION_CLASSES: dict[str, type[Spec]] = {
    "serum_skewed": SerumSkewed,
    "marker_rise": MarkerRise,
    "latent_fraction": LatentFraction,
    "red_cell_size": RedCellSize,
    "haemoglobin": Haemoglobin,
}


def specs(kb: Knowledge) -> tuple[Spec, ...]:
    """The simulated biomarkers of ``kb``, in the order of ``biomarkers.toml`` (which is
    the order they are drawn in, part of a cohort's definition)."""
    out = []
    for name, b in kb.biomarkers.items():
        if b.simulated is not None:
            cls = EQUATION_CLASSES[b.simulated.equation]
            out.append(cls(name=name, column=b.column, section=b.simulated.parameters, ordering=b.simulated.ordering))
    return tuple(out)
