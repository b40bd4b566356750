"""Biochemical reference outcomes for real survey data (there is no ground truth of deficiency).

The definitions are data (``outcomes.toml`` next to this module), each with its source:

=====================  ============================================================
``low_b12``            serum B12 < 148 pmol/L
``low_b12_raised_mma`` serum B12 < 148 pmol/L and MMA > 0.271 umol/L
``raised_mma``         MMA > 0.271 umol/L, defined for adults with eGFR >= 60
``cb12_low``           cB12 < -0.5 where B12, MMA and homocysteine are measured
=====================  ============================================================

Examples
--------
>>> import pandas as pd
>>> from b12risk.nhanes.outcomes import OUTCOMES
>>> frame = pd.DataFrame({"serum_b12_pmol_l": [120.0, 300.0, None], "mma_umol_l": [0.4, 0.1, 0.5]})
>>> defined, event = OUTCOMES["low_b12_raised_mma"].evaluate(frame)
>>> defined.tolist(), event.tolist()
([True, True, False], [True, False, False])
"""

from __future__ import annotations

import operator
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from b12risk.errors import ConfigError

__all__ = ["OUTCOMES", "OUTCOMES_PATH", "Condition", "Outcome"]

OUTCOMES_PATH = Path(__file__).with_name("outcomes.toml")

_OPS = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}


@dataclass(frozen=True)
class Condition:
    """``field op value``, e.g. serum B12 < 148."""

    field: str
    op: str
    value: float

    def __post_init__(self) -> None:
        if self.op not in _OPS:
            raise ConfigError(f"outcomes.toml: op must be one of {', '.join(_OPS)}; got {self.op!r}")

    def holds(self, frame: pd.DataFrame) -> np.ndarray:
        values = pd.to_numeric(frame[self.field], errors="coerce").to_numpy(dtype=np.float64)
        return _OPS[self.op](values, self.value)

    def text(self) -> str:
        return f"{self.field} {self.op} {self.value:g}"


@dataclass(frozen=True)
class Outcome:
    """One reference outcome: who it is defined for, what counts as an event, its source."""

    name: str
    label_en: str
    label_ar: str
    uses: tuple[str, ...]
    source: str
    event: tuple[Condition, ...] = ()
    population: tuple[Condition, ...] = ()
    kind: str = "threshold"  # "threshold" | "cb12"
    requires: tuple[str, ...] = ()
    threshold: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def fields(self) -> tuple[str, ...]:
        """Every field the outcome reads (event, population and ``requires``)."""
        names = [c.field for c in (*self.event, *self.population)] + list(self.requires) + list(self.uses)
        return tuple(dict.fromkeys(names))

    def label(self, language: str) -> str:
        return self.label_ar if language == "ar" else self.label_en

    def evaluate(self, frame: pd.DataFrame, *, cb12=None) -> tuple[np.ndarray, np.ndarray]:
        """``(defined, event)`` per row.

        Parameters
        ----------
        frame : pandas.DataFrame
            Rows in b12risk's field names (as :func:`b12risk.nhanes.load_adults` gives).
        cb12 : fitted :class:`b12risk.modelling.baselines.CombinedB12Index`, optional
            Needed for ``kind = "cb12"``: it forms cB12 (imputing holoTC).

        Returns
        -------
        defined, event : numpy.ndarray of bool
            ``defined``: every field it reads is measured and the population conditions
            hold; ``event``: the outcome is present (always False where not defined).
        """
        missing = [f for f in self.fields if f not in frame.columns]
        if missing:
            raise ConfigError(f"outcome {self.name} needs the columns {missing}; the frame lacks them")
        measured = np.ones(len(frame), dtype=bool)
        for name in self.fields:
            measured &= pd.to_numeric(frame[name], errors="coerce").notna().to_numpy()
        defined = measured.copy()
        for cond in self.population:
            defined &= cond.holds(frame)
        if self.kind == "cb12":
            if cb12 is None:
                raise ConfigError(f"outcome {self.name} needs a fitted CombinedB12Index (cb12=...)")
            value = cb12.cb12(frame)
            event = defined & (np.nan_to_num(value, nan=np.inf) < float(self.threshold))
        else:
            event = defined.copy()
            for cond in self.event:
                event &= cond.holds(frame)
        return defined, event & defined

    def definition(self) -> str:
        """The definition in one line."""
        if self.kind == "cb12":
            text = f"cB12 < {self.threshold:g} ({', '.join(self.requires)} measured)"
        else:
            text = " and ".join(c.text() for c in self.event)
        if self.population:
            text += "; among " + " and ".join(c.text() for c in self.population)
        return text


def _conditions(raw: Any, where: str) -> tuple[Condition, ...]:
    try:
        return tuple(Condition(str(c["field"]), str(c["op"]), float(c["value"])) for c in raw or ())
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"outcomes.toml: {where} must be a list of {{field, op, value}} tables ({exc})") from None


def _load() -> dict[str, Outcome]:
    with OUTCOMES_PATH.open("rb") as fh:
        raw = tomllib.load(fh)
    out = {}
    for name, spec in raw.items():
        known = {"label_en", "label_ar", "uses", "event", "population", "source", "kind", "requires", "threshold"}
        unknown = set(spec) - known
        if unknown:
            raise ConfigError(f"outcomes.toml: [{name}] has unknown keys {sorted(unknown)}")
        out[name] = Outcome(
            name=name,
            label_en=spec["label_en"],
            label_ar=spec["label_ar"],
            uses=tuple(spec["uses"]),
            source=spec["source"],
            event=_conditions(spec.get("event"), f"[{name}].event"),
            population=_conditions(spec.get("population"), f"[{name}].population"),
            kind=spec.get("kind", "threshold"),
            requires=tuple(spec.get("requires", ())),
            threshold=spec.get("threshold"),
        )
    return out


#: The reference outcomes, by name, in the order of ``outcomes.toml``.
OUTCOMES: dict[str, Outcome] = _load()
