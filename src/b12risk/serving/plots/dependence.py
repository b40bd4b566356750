"""The dependence plot: how one field's contribution changes with its value across patients."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from b12risk.errors import ConfigError
from b12risk.serving.plots.arabic import finish, mirror, rtl
from b12risk.serving.plots.common import (
    CATEGORY_COLORS,
    MAX_POINTS,
    NEUTRAL_COLOR,
    PLAIN_COLOR,
    SAMPLE_SEED,
    add_footer,
    as_numbers,
    is_binary,
    jitter,
    new_figure,
    plot_text,
    sample_rows,
    set_xlim,
    value_cmap,
    value_colors,
    value_range,
    wrap,
)
from b12risk.serving.plots.values import category_codes, decode, format_number, shown_unit
from b12risk.words import check_language, t

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["dependence"]


def dependence(
    values: pd.Series,
    data: pd.Series,
    *,
    label: str,
    unit: str | None = None,
    color: pd.Series | None = None,
    color_label: str | None = None,
    language: str = "en",
) -> Figure:
    """How one field's contribution changes with its value, across patients.

    Parameters
    ----------
    values : pandas.Series
        The field's SHAP contributions (log-odds), one per patient.
    data : pandas.Series
        The field's values, aligned with ``values``: numbers, bools, or categories;
        NaN where not given.
    label : str
        The field's label in the chosen language.
    unit : str or None, default None
        Unit of the field's values, shown in the axis label.
    color : pandas.Series or None, default None
        Another field's values, aligned with ``values``, to colour the dots by (numbers
        on a colour bar, categories in a legend).
    color_label : str or None, default None
        Label of the colouring field (its colour bar or legend title).
    language : {"en", "ar"}, default "en"
        Language of the figure's own texts; Arabic mirrors the layout.

    Returns
    -------
    matplotlib.figure.Figure
        One dot per patient (at most 5,000, a fixed sample beyond that): the field's
        value across, its contribution up. Patients without a value form a separate
        strip labelled "not given" at the start of the axis; a line marks zero.

    Raises
    ------
    ConfigError
        If the series differ in length, or ``language`` is invalid.
    """
    language = check_language(language)
    if len(values) != len(data) or (color is not None and len(color) != len(values)):
        lengths = f"values {len(values)}, data {len(data)}" + ("" if color is None else f", color {len(color)}")
        raise ConfigError(f"the series given to dependence must have the same length. Got {lengths} instead.")
    from matplotlib.cm import ScalarMappable  # matplotlib only when a figure is drawn
    from matplotlib.colors import Normalize, to_rgba
    from matplotlib.lines import Line2D
    from matplotlib.ticker import MaxNLocator

    rows = sample_rows(len(values), MAX_POINTS)
    y = values.astype("float64").to_numpy()[rows]
    column = decode(data.iloc[rows], language)
    numbers = as_numbers(column)
    tick_pos: list[float] = []
    tick_text: list[str] = []
    if numbers is None:  # categories: one column of dots each
        codes, categories = category_codes(column, language)
        x = codes.astype(float)
        x[x < 0] = np.nan
        x = x + jitter(len(x), 0.18)
        lo, hi = -0.5, len(categories) - 0.5
        tick_pos, tick_text = list(range(len(categories))), categories
        gap = 1.0
    else:
        x = numbers.copy()
        given = np.isfinite(x)
        lo, hi = (float(x[given].min()), float(x[given].max())) if given.any() else (0.0, 1.0)
        if hi <= lo:
            lo, hi = lo - 0.5, hi + 0.5
        if is_binary(x):
            tick_pos, tick_text = [0.0, 1.0], [t("no", language), t("yes", language)]
            x = x + jitter(len(x), 0.06)
            lo, hi = -0.3, 1.3
        else:
            tick_pos = [float(v) for v in MaxNLocator(nbins=6).tick_values(lo, hi) if lo <= v <= hi]
            tick_text = [format_number(v) for v in tick_pos]
            lo, hi = lo - 0.03 * (hi - lo), hi + 0.03 * (hi - lo)
        gap = 0.14 * (hi - lo)
    missing = ~np.isfinite(x)
    nan_x = lo - gap
    if missing.any():
        x[missing] = nan_x + jitter(int(missing.sum()), 0.25 * gap)
        tick_pos, tick_text = [nan_x, *tick_pos], [plot_text("not_given", language), *tick_text]

    fig, ax = new_figure(8.0, 5.2)
    if language == "ar":
        mirror(ax)
    ax.axhline(0, color="0.4", lw=0.9, zorder=1)
    if missing.any():
        ax.axvline(lo - gap / 2, color="0.75", lw=0.8, ls="--", zorder=1)

    handles = []
    if color is None:
        rgba = np.tile(to_rgba(PLAIN_COLOR), (len(x), 1))
    else:
        shade = decode(color.iloc[rows], language)
        shade_numbers = as_numbers(shade)
        if shade_numbers is not None and not is_binary(shade_numbers):
            rgba = value_colors(shade)
            bar = fig.colorbar(
                ScalarMappable(norm=Normalize(*value_range(shade_numbers)), cmap=value_cmap()),
                ax=ax,
                location="left" if language == "ar" else "right",
                aspect=30,
                pad=0.02,
            )
            bar.set_label(rtl(color_label or ""), fontsize=10)
            bar.outline.set_visible(False)
            bar.ax.tick_params(labelsize=9)
        else:
            if shade_numbers is None:
                codes, names = category_codes(shade, language)
            else:  # yes/no
                codes = np.where(np.isfinite(shade_numbers), shade_numbers, -1).astype(np.int64)
                names = [t("no", language), t("yes", language)]
            palette = [to_rgba(c) for c in CATEGORY_COLORS]
            neutral = to_rgba(NEUTRAL_COLOR)
            rgba = np.array([palette[c % len(palette)] if c >= 0 else neutral for c in codes]).reshape(-1, 4)
            for i, name in enumerate(names):
                handles.append(Line2D([], [], marker="o", ls="", color=palette[i % len(palette)], label=rtl(name)))
            if (codes < 0).any():
                handles.append(
                    Line2D([], [], marker="o", ls="", color=neutral, label=rtl(plot_text("not_given", language)))
                )
    ax.scatter(x, y, c=rgba, s=10, linewidths=0, alpha=0.75, rasterized=True, zorder=2)
    if handles:
        # Beside the plot, never over the dots; a long title is wrapped so it stays narrow.
        legend = fig.legend(
            handles=handles,
            title=wrap(color_label, 24) if color_label else None,
            loc="outside left upper" if language == "ar" else "outside right upper",
            frameon=False,
            fontsize=9,
            title_fontsize=9,
            markerfirst=language != "ar",
        )
        if language == "ar":
            legend.set_alignment("right")

    ax.set_xticks(tick_pos, [rtl(s) for s in tick_text])
    set_xlim(ax, nan_x - 0.5 * gap if missing.any() else lo, hi)
    unit_text = shown_unit(unit, language)
    ax.set_xlabel(rtl(f"{label} ({unit_text})" if unit_text else label), fontsize=10)
    ax.set_ylabel(rtl(plot_text("shap", language)), fontsize=10)
    ax.set_title(rtl(label), fontsize=12, fontweight="bold")
    for spine in ("right", "top") if language == "en" else ("left", "top"):
        ax.spines[spine].set_visible(False)
    ax.tick_params(labelsize=9)
    if len(rows) < len(values):
        add_footer(fig, plot_text("sample", language).format(k=len(rows), n=len(values), seed=SAMPLE_SEED), language)
    finish(fig, language)
    return fig
