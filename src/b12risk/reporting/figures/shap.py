"""The report's SHAP summaries: :func:`b12risk.serving.plots.beeswarm` with a title, and field labels."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import pandas as pd

from b12risk.knowledge.schema import features
from b12risk.reporting.figures.layout import level_title, word
from b12risk.serving import plots
from b12risk.serving.plots.arabic import finish, rtl

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["beeswarm", "field_labels"]


def beeswarm(values: pd.DataFrame, data: pd.DataFrame, labels: Mapping[str, str], level: str, language: str) -> Figure:
    """:func:`b12risk.serving.plots.beeswarm` with a title naming the information level."""
    fig = plots.beeswarm(values, data, labels=labels, language=language, max_display=16)
    title = word("beeswarm_title", language).format(level=level_title(level, language))
    fig.suptitle(rtl(title), fontsize=12, fontweight="bold")
    finish(fig, language)
    return fig


def field_labels(names: Sequence[str], language: str) -> dict[str, str]:
    """Each field's label in ``language``, from the knowledge base."""
    feats = features()
    return {n: (feats[n].label_ar if language == "ar" else feats[n].label_en) for n in names}
