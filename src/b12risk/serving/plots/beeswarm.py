"""The beeswarm: how each field pushes predictions up or down across many patients."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from b12risk.errors import ConfigError
from b12risk.serving.plots.arabic import finish, mirror, rtl
from b12risk.serving.plots.common import (
    MAX_POINTS,
    SAMPLE_SEED,
    add_footer,
    check_max,
    neutral_rgba,
    new_figure,
    plot_text,
    sample_rows,
    value_cmap,
    value_colors,
)
from b12risk.words import check_language

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["beeswarm"]


def _swarm(x: np.ndarray, lo: float, hi: float, half_height: float = 0.4, bins: int = 120) -> np.ndarray:
    """Vertical offsets that stack points sharing an x bin: 0, +1, -1, +2, -2, ...

    Deterministic: points keep their order within a bin. Offsets are scaled so the
    fullest bin spans ``half_height`` either side of the row.
    """
    if len(x) == 0:
        return np.zeros(0)
    width = (hi - lo) / bins if hi > lo else 1.0
    b = np.floor((x - lo) / width).astype(np.int64)
    order = np.argsort(b, kind="stable")
    sorted_bins = b[order]
    first = np.r_[True, sorted_bins[1:] != sorted_bins[:-1]]
    group_start = np.maximum.accumulate(np.where(first, np.arange(len(x)), 0))
    rank = np.empty(len(x), dtype=np.int64)
    rank[order] = np.arange(len(x)) - group_start
    layer = (rank + 1) // 2
    offset = np.where(rank % 2 == 1, layer, -layer).astype(float)
    top = max(int(layer.max()), 1)
    return offset * (half_height / top)


def beeswarm(
    values: pd.DataFrame,
    data: pd.DataFrame,
    *,
    labels: Mapping[str, str],
    language: str = "en",
    max_display: int = 15,
) -> Figure:
    """How each field pushes predictions up or down across many patients.

    Parameters
    ----------
    values : pandas.DataFrame
        SHAP contributions on the log-odds scale: one row per patient, one column per
        field.
    data : pandas.DataFrame
        The fields' values, same rows and columns as ``values``: numbers, bools (or
        0/1), categories as strings or codes, NaN where not given.
    labels : mapping of str to str
        Display label of each field in the chosen language; a field without one is
        shown by its name.
    language : {"en", "ar"}, default "en"
        Language of the figure's own texts; Arabic mirrors the layout.
    max_display : int, default 15
        Most rows drawn, including the one that sums up the fields that did not fit.

    Returns
    -------
    matplotlib.figure.Figure
        One row of dots per field, the most influential (largest mean absolute SHAP
        value) at the top. A dot's horizontal position is the contribution; dots
        with similar contributions are stacked vertically. Colour is the field's value
        on its own scale (blue low, red high; grey for not given or categorical).
        With more than 5,000 patients a fixed random sample of 5,000 is drawn (the
        ordering uses all rows) and a note says so.

    Raises
    ------
    ConfigError
        If the frames do not match, or ``language`` or ``max_display`` is invalid.
    """
    language = check_language(language)
    max_display = check_max("max_display", max_display, 2)
    if list(values.columns) != list(data.columns) or len(values) != len(data):
        raise ConfigError(
            "values and data given to beeswarm must have the same columns in the same order and the same "
            f"number of rows. Got {values.shape} with columns {list(values.columns)[:5]}... and {data.shape} "
            f"with columns {list(data.columns)[:5]}... instead."
        )
    if values.shape[1] == 0:
        raise ConfigError("values given to beeswarm has no columns; pass at least one field.")
    from matplotlib.cm import ScalarMappable  # matplotlib only when a figure is drawn
    from matplotlib.colors import Normalize

    shap = values.astype("float64")
    order = shap.abs().mean().sort_values(ascending=False, kind="stable").index.tolist()
    if len(order) > max_display:
        shown, folded = order[: max_display - 1], order[max_display - 1 :]
    else:
        shown, folded = order, []
    n_rows = len(shown) + bool(folded)
    rows = sample_rows(len(shap), MAX_POINTS)
    sampled = len(rows) < len(shap)

    xs, ys, colors, names = [], [], [], []
    for field in shown:
        xs.append(shap[field].to_numpy()[rows])
        colors.append(value_colors(data[field].iloc[rows]))
        names.append(labels.get(field, field))
    if folded:
        xs.append(shap[folded].to_numpy()[rows].sum(axis=1))
        colors.append(np.tile(neutral_rgba(), (len(rows), 1)))
        names.append(
            plot_text("other_one", language)
            if len(folded) == 1
            else plot_text("other_many", language).format(n=len(folded))
        )
    finite = np.concatenate([x[np.isfinite(x)] for x in xs]) if xs else np.zeros(0)
    lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (-1.0, 1.0)
    for k, x in enumerate(xs):
        ys.append(k + _swarm(np.nan_to_num(x, nan=0.0), lo, hi))

    fig, ax = new_figure(9.5, 1.9 + 0.42 * n_rows)
    if language == "ar":
        mirror(ax)
    ax.axvline(0, color="0.55", lw=0.8, zorder=0)
    x_all, y_all, c_all = np.concatenate(xs), np.concatenate(ys), np.concatenate(colors)
    # Grey dots first, so coloured ones are drawn over them.
    grey = np.all(np.isclose(c_all, neutral_rgba()), axis=1)
    draw = np.r_[np.flatnonzero(grey), np.flatnonzero(~grey)]
    ax.scatter(
        x_all[draw], y_all[draw], c=c_all[draw], s=7, linewidths=0, alpha=0.85, rasterized=True, zorder=2
    ).set_label("points")
    ax.set_yticks(np.arange(n_rows), [rtl(s) for s in names], fontsize=10)
    ax.set_ylim(n_rows - 0.5, -0.5)
    ax.tick_params(axis="y", length=0)
    for spine in ("left", "right", "top"):
        ax.spines[spine].set_visible(False)
    ax.grid(axis="y", color="0.93", zorder=0)
    ax.set_axisbelow(True)
    ax.set_xlabel(rtl(plot_text("shap", language)), fontsize=10)

    mappable = ScalarMappable(norm=Normalize(0, 1), cmap=value_cmap())
    bar = fig.colorbar(
        mappable, ax=ax, location="left" if language == "ar" else "right", aspect=30, shrink=0.8, pad=0.02
    )
    bar.set_ticks([0, 1], labels=[rtl(plot_text("low", language)), rtl(plot_text("high", language))])
    bar.set_label(rtl(plot_text("feature_value", language)), fontsize=10, labelpad=-4)
    bar.outline.set_visible(False)
    bar.ax.tick_params(labelsize=9, length=0)

    note = plot_text("dots", language)
    if sampled:
        note += " " + plot_text("sample", language).format(k=len(rows), n=len(shap), seed=SAMPLE_SEED)
    add_footer(fig, note, language)
    finish(fig, language)
    return fig
