"""What the reviewers' report shows, gathered once: the section list and the page's data.

Below both :mod:`b12risk.reporting.report` (which gathers it) and :mod:`b12risk.reporting.html` (which
renders it), so that neither imports the other.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from b12risk import registry
from b12risk.knowledge import Knowledge
from b12risk.reporting.text import WORDS

if TYPE_CHECKING:
    from b12risk.nhanes.validation import ExternalValidation

__all__ = ["SECTIONS", "Check", "ReportData"]

#: Section ids of the page, in order.
SECTIONS: tuple[str, ...] = (
    "model-card",
    "provenance",
    "performance",
    "nhanes",
    "explanations",
    "knowledge-check",
    "tripod",
    "reproduce",
)


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
        if self.learned == 0:
            return "none"
        return "agrees" if self.learned == self.expected else "opposite"


@dataclass
class ReportData:
    """Everything the page shows, gathered once: the model, its tables, the explained cohort."""

    loaded: registry.LoadedModel
    kb: Knowledge
    language: str
    table: pd.DataFrame
    subgroups: pd.DataFrame
    curves: pd.DataFrame
    cohort: pd.DataFrame
    masked: dict[str, pd.DataFrame]
    shap: dict[str, pd.DataFrame]
    checks: list[Check]
    examples: list[tuple[str, Any]] | None
    nhanes: ExternalValidation | None = None
    #: The report module's settings as they were when the data were gathered (tests and callers
    #: may change them): DEPENDENCE, EXAMPLES_DIR, MIN_PRESENT, WHAT_IF_ROWS, MIN_EFFECT.
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def meta(self) -> dict[str, Any]:
        return self.loaded.metadata

    def w(self, key: str, **kwargs: Any) -> str:
        """The page's words for ``key``, filled with ``kwargs``. In Arabic, text values
        (versions, dates, names) are isolated so they keep their own direction."""
        if self.language == "en":
            text = WORDS[key][0]
        else:
            text = WORDS[key][1]
            kwargs = {k: f"\u2068{v}\u2069" if isinstance(v, str) else v for k, v in kwargs.items()}
        return text.format(**kwargs) if kwargs else text

    def label(self, obj: Any) -> str:
        return obj.label_ar if self.language == "ar" else obj.label_en

    def head(self, keys: str) -> list[str]:
        """Escaped column headers for space-separated keys (``col.`` is implied without a dot)."""
        return [html.escape(self.w(k if "." in k else f"col.{k}")) for k in keys.split()]
