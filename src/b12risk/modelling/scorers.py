"""Who is compared with the model, and where: one table (``scorers.toml``) shared by
training, the release gate, the external validation, the figures, the report and the
model card. No heavy imports here: estimators are named, and imported only by
:func:`estimator`.

Examples
--------
>>> from b12risk.modelling.scorers import SCORERS
>>> SCORERS["guideline"].levels
('serum_b12', 'full_panel')
>>> SCORERS["cb12"].label("en")
'cB12 index'
"""

from __future__ import annotations

import importlib
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from b12risk.knowledge import LEVELS

__all__ = ["BASELINE_LEVELS", "SCORERS", "TRAINING_SCORERS", "VALIDATION_SCORERS", "Scorer", "estimator"]

TABLE = Path(__file__).with_name("scorers.toml")
ROLES = ("training", "validation")


@dataclass(frozen=True)
class Scorer:
    """One row of the scorer table.

    Attributes
    ----------
    name : str
        Key used in every table and file (``guideline``, ``cb12``, ...).
    roles : tuple of str
        ``training`` (evaluation and gate on simulated cohorts), ``validation`` (NHANES).
    levels : tuple of str
        Information levels at which the scorer is compared.
    estimator_path : str or None
        ``"module:Class"`` of a rules-based baseline; None for the model, the oracle,
        serum B12 alone and the real-data model.
    color, line : str
        Matplotlib colour and line style in every figure.
    labels : dict
        ``{"en": ..., "ar": ...}``.
    probability : bool
        Whether its output is a probability (serum B12 alone only ranks: no decision curve).
    """

    name: str
    roles: tuple[str, ...]
    levels: tuple[str, ...]
    estimator_path: str | None
    color: str
    line: str
    labels: dict[str, str]
    probability: bool = True

    @property
    def is_baseline(self) -> bool:
        return self.estimator_path is not None

    def label(self, language: str) -> str:
        return self.labels[language]


def _read(path: Path = TABLE) -> dict[str, Scorer]:
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    out = {}
    for name, row in raw.items():
        unknown = set(row) - {"roles", "levels", "estimator", "color", "line", "label", "probability"}
        if unknown:
            raise ValueError(f"{path.name}: [{name}] has unknown keys {sorted(unknown)}")
        levels = tuple(row.get("levels", LEVELS))
        bad = [lv for lv in levels if lv not in LEVELS] + [r for r in row["roles"] if r not in ROLES]
        if bad:
            raise ValueError(f"{path.name}: [{name}] names unknown levels or roles {bad}")
        out[name] = Scorer(
            name=name,
            roles=tuple(row["roles"]),
            levels=levels,
            estimator_path=row.get("estimator"),
            color=row["color"],
            line=row["line"],
            labels={"en": row["label"]["en"], "ar": row["label"]["ar"]},
            probability=bool(row.get("probability", True)),
        )
    return out


#: Every scorer, in display order.
SCORERS: dict[str, Scorer] = _read()
#: The rules-based baselines and the levels at which each is compared with the model.
BASELINE_LEVELS: dict[str, tuple[str, ...]] = {s.name: s.levels for s in SCORERS.values() if s.is_baseline}
#: Scorers of the evaluation on simulated cohorts (training and the gate), in display order.
TRAINING_SCORERS: tuple[str, ...] = tuple(s.name for s in SCORERS.values() if "training" in s.roles)
#: Scorers of the external validation, in display order.
VALIDATION_SCORERS: tuple[str, ...] = tuple(s.name for s in SCORERS.values() if "validation" in s.roles)


def estimator(name: str, **params: Any) -> Any:
    """A new, unfitted instance of baseline ``name``'s estimator."""
    module, _, cls = SCORERS[name].estimator_path.partition(":")  # type: ignore[union-attr]
    return getattr(importlib.import_module(module), cls)(**params)
