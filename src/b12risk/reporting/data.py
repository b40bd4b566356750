"""What the reviewers' report shows, gathered once: the section list and the page's data.

Below both :mod:`b12risk.reporting.report` (which gathers it) and
:mod:`b12risk.reporting.html` (which renders it), so that neither imports the other.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from b12risk import registry
from b12risk.knowledge import Knowledge
from b12risk.reporting.knowledge_check import Check
from b12risk.words import say

if TYPE_CHECKING:
    from b12risk.nhanes.validation import ExternalValidation

__all__ = ["SECTIONS", "ReportData"]

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
        """The model's metadata."""
        return self.loaded.metadata

    def w(self, key: str, **kwargs: Any) -> str:
        """The page's words for ``key`` (:func:`b12risk.words.say`), filled with ``kwargs``."""
        return say(key, self.language, **kwargs)

    def label(self, obj: Any) -> str:
        """``obj.label_en`` or ``obj.label_ar``: a knowledge-base entry's label in the page's language."""
        return obj.label_ar if self.language == "ar" else obj.label_en

    def head(self, keys: str) -> list[str]:
        """Escaped column headers for space-separated keys (``col.`` is implied without a dot)."""
        return [html.escape(self.w(k if "." in k else f"col.{k}")) for k in keys.split()]
