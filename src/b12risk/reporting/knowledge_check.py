"""The report's knowledge check: does every documented cause move the model the documented way?

For each documented (not hidden) cause, and each non-reference category of a
categorical one, the mean SHAP contribution (log-odds) of its fields among held-out
patients who have it is compared with the mean among those who do not. A cause too
rare among them is switched on in patients who do not have it instead (a what-if: the
same patients before and after). The settings come from :mod:`b12risk.reporting.report`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from b12risk.knowledge import Knowledge
from b12risk.serving.explain import shap_frame

__all__ = ["Check", "knowledge_check"]

#: Seed of the what-if patients' draw.
_WHAT_IF_SEED = 20240611


@dataclass
class Check:
    """One row of the knowledge check."""

    cause: str
    level: str | None
    label: str
    fields: list[str]
    expected: int  # +1: raises the risk, -1: lowers it
    basis: str = "observed"
    n_with: int = 0
    n_without: int = 0
    mean_with: float = float("nan")
    mean_without: float = float("nan")
    diff: float = float("nan")
    lo: float = float("nan")
    hi: float = float("nan")
    learned: int = 0

    @property
    def verdict(self) -> str:
        """``"agrees"``, ``"opposite"`` (learned against the documented direction) or ``"none"``."""
        if self.learned == 0:
            return "none"
        return "agrees" if self.learned == self.expected else "opposite"


def _documented(kb: Knowledge, language: str) -> list[Check]:
    """One entry per documented (non-hidden) cause, and per non-reference category."""
    out = []
    for name, c in kb.causes.items():
        label = c.label_ar if language == "ar" else c.label_en
        if c.kind == "binary":
            out.append(Check(name, None, label, [c.column], -int(np.sign(c.effect.value))))
        elif c.kind == "categorical":
            ref = next((lv for lv in c.levels if c.effects[lv].value == 0.0), c.levels[0])
            names = c.level_labels_ar if language == "ar" else c.level_labels_en
            for lv, shown in zip(c.levels, names, strict=True):
                if lv != ref:
                    check = Check(name, lv, f"{label}: {shown}", [c.column], -int(np.sign(c.effects[lv].value)))
                    out.append(check)
        elif c.kind == "exposure":
            fields = [c.years_column] + ([c.dose_column] if c.dose_column else [])
            out.append(Check(name, None, label, fields, -int(np.sign(c.effect.value))))
    return out


def _groups(kb: Knowledge, check: Check, frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Rows with the cause, rows without it (for a category: at the reference level)."""
    c = kb.causes[check.cause]
    if c.kind == "categorical":
        ref = next((lv for lv in c.levels if c.effects[lv].value == 0.0), c.levels[0])
        col = frame[c.column].astype(object)
        return (col == check.level).to_numpy(), (col == ref).to_numpy()
    col = frame[check.fields[0]].astype(float)
    return (col > 0).to_numpy(), (col == 0).to_numpy()


def _switch_on(kb: Knowledge, check: Check, frame: pd.DataFrame) -> pd.DataFrame:
    """The same patients with the cause present (the what-if comparison)."""
    c = kb.causes[check.cause]
    out = frame.copy()
    if c.kind == "categorical":
        out[c.column] = pd.Categorical([check.level] * len(out), categories=c.levels)
    elif c.kind == "binary":
        out[c.column] = 1.0
    else:
        out[c.years_column] = float(c.saturation.value)
        if c.dose_column:
            out[c.dose_column] = float(c.reference_dose.value)
    return out


def knowledge_check(
    kb: Knowledge,
    estimator: Any,
    frame: pd.DataFrame,
    shap: pd.DataFrame,
    language: str,
    *,
    min_present: int,
    what_if_rows: int,
    min_effect: float,
    pregnancy_age: float,
) -> list[Check]:
    """Mean SHAP (log-odds) of each cause's fields with vs without it, at the risk-factors level.

    Parameters
    ----------
    kb : Knowledge
        The knowledge base whose documented causes are checked.
    estimator : estimator
        The model (a fitted pipeline), to explain the what-if patients.
    frame : pandas.DataFrame
        Held-out patients masked to the risk-factors level.
    shap : pandas.DataFrame
        Their SHAP values, one column per field.
    language : {"en", "ar"}
        Language of the checks' labels.
    min_present : int
        A cause is compared on observed patients when at least this many have it and
        this many do not ...
    what_if_rows : int
        ... else by switching it on in up to this many patients who do not have it.
    min_effect : float
        Smallest difference (log-odds) that counts as a learned effect.
    pregnancy_age : float
        Pregnancy is switched on only in women up to this age.

    Returns
    -------
    list of Check
        One per documented cause (and non-reference category), with the difference, its
        95% interval and the learned direction (0 unless the interval excludes zero and
        the difference is at least ``min_effect``).
    """
    checks = _documented(kb, language)
    rng = np.random.default_rng(_WHAT_IF_SEED)
    pending: list[tuple[Check, np.ndarray]] = []
    for check in checks:
        total = shap[check.fields].sum(axis=1).to_numpy()
        with_, without = _groups(kb, check, frame)
        check.n_with, check.n_without = int(with_.sum()), int(without.sum())
        if check.n_with >= min_present and check.n_without >= min_present:
            a, b = total[with_], total[without]
            check.mean_with, check.mean_without = float(a.mean()), float(b.mean())
            se = math.sqrt(a.var(ddof=1) / a.size + b.var(ddof=1) / b.size)
            _finish(check, check.mean_with - check.mean_without, se, min_effect)
            continue
        check.basis = "what-if"
        eligible = without.copy()
        if check.fields[0] == "pregnant":
            eligible &= (frame["sex"].astype(str) == "female").to_numpy() & (frame["age"] <= pregnancy_age).to_numpy()
        idx = np.flatnonzero(eligible)
        idx = np.sort(rng.choice(idx, size=min(what_if_rows, idx.size), replace=False)) if idx.size else idx
        pending.append((check, idx))
    if pending:
        switched = pd.concat([_switch_on(kb, c, frame.iloc[idx]) for c, idx in pending if idx.size], ignore_index=True)
        after = shap_frame(estimator, switched)[1] if len(switched) else None
        start = 0
        for check, idx in pending:
            if not idx.size:
                check.n_with = check.n_without = 0
                continue
            before = shap[check.fields].to_numpy()[idx].sum(axis=1)
            now = after[check.fields].to_numpy()[start : start + idx.size].sum(axis=1)
            start += idx.size
            check.n_with = check.n_without = int(idx.size)
            check.mean_with, check.mean_without = float(now.mean()), float(before.mean())
            diff = now - before
            se = float(diff.std(ddof=1) / math.sqrt(diff.size)) if diff.size > 1 else float("nan")
            _finish(check, float(diff.mean()), se, min_effect)
    return checks


def _finish(check: Check, diff: float, se: float, min_effect: float) -> None:
    check.diff = diff
    check.lo, check.hi = diff - 1.96 * se, diff + 1.96 * se
    clear = math.isfinite(se) and (check.lo > 0 or check.hi < 0) and abs(diff) >= min_effect
    check.learned = int(np.sign(diff)) if clear else 0
