"""A patient's value as a SHAP figure shows it: numbers, units, yes/no and category labels."""

from __future__ import annotations

import math
import re
from functools import lru_cache
from typing import Any, Protocol

import numpy as np
import pandas as pd

from b12risk.knowledge.schema import features
from b12risk.serving.plots.arabic import ARABIC, LRI, PDI
from b12risk.serving.plots.common import as_numbers
from b12risk.words import t, t_unit, unit_forms

MINUS = "\u2212"
MICRO = re.compile(r"\bumol/")


class ContributionLike(Protocol):
    """What a waterfall row needs of a contribution (:class:`b12risk.serving.predict.Contribution`)."""

    field: str
    label: str
    value: Any
    unit: str | None
    log_odds: float


def format_signed(x: float) -> str:
    """A contribution with its sign: ``+0.42``, ``−0.003`` (three decimals when small)."""
    digits = 3 if 0 < abs(x) < 0.005 else 2
    return f"{x:+.{digits}f}".replace("-", MINUS)


def format_number(x: float) -> str:
    """A measured value with as many digits as a clinician would write."""
    x = float(x)
    if not math.isfinite(x):
        return str(x)
    if x.is_integer() or abs(x) >= 100:
        text = f"{x:,.0f}"
    elif abs(x) >= 10:
        text = f"{x:.1f}"
    elif abs(x) >= 1:
        text = f"{x:.2f}"
    else:
        text = f"{x:.2g}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace("-", MINUS)


def shown_unit(unit: str | None, language: str) -> str | None:
    """The unit as shown in ``language`` (see :func:`b12risk.words.t_unit`), µ for micro."""
    shown = t_unit(unit, language) if unit else None
    return MICRO.sub("µmol/", shown) if shown else None


@lru_cache(maxsize=1)
def _category_labels() -> dict[str, dict[str, dict[str, str]]]:
    """``{field: {language: {code: label}}}`` for the schema's categorical fields."""
    out: dict[str, dict[str, dict[str, str]]] = {}
    for f in features().values():
        if f.categories:
            out[f.name] = {
                "en": dict(zip(f.categories, f.category_labels_en, strict=False)),
                "ar": dict(zip(f.categories, f.category_labels_ar, strict=False)),
            }
    return out


def known_categories(field: object, language: str) -> dict[str, str]:
    """``{code: label}`` of a schema field in schema order; empty if it has none."""
    try:
        labels = _category_labels()
    except Exception:  # the plot must not fail because the knowledge base is unavailable
        return {}
    return labels.get(str(field), {}).get(language, {})


def category_label(field: str, value: str, language: str) -> str:
    """A category's label in ``language``; the code itself if the schema has none."""
    return known_categories(field, language).get(value, value)


def decode(column: pd.Series, language: str) -> pd.Series:
    """A schema categorical field given as integer codes, turned back into its labels."""
    known = known_categories(column.name, language)
    numbers = as_numbers(column)
    if not known or numbers is None:
        return column
    given = numbers[np.isfinite(numbers)]
    if not np.isin(given, np.arange(len(known))).all():
        return column
    labels = list(known.values())
    codes = np.where(np.isfinite(numbers), numbers, -1).astype(np.int64)
    return pd.Series(pd.Categorical.from_codes(codes, labels), index=column.index, name=column.name)


def category_codes(column: pd.Series, language: str) -> tuple[np.ndarray, list[str]]:
    """Integer codes (-1 where not given) and display labels of a categorical column.

    Categories follow the column's own order if it is a pandas Categorical, else the
    schema's order when the column is named after a schema field, else sorted.
    """
    known = known_categories(column.name, language)
    if isinstance(column.dtype, pd.CategoricalDtype):
        cats = list(column.cat.categories)
    else:
        present = pd.unique(column.dropna())
        cats = list(known) + sorted((v for v in present if v not in known), key=str)
    codes = pd.Categorical(column, categories=cats).codes.astype(np.int64)
    return codes, [known.get(c, str(c)) for c in cats]


def value_text(c: ContributionLike, language: str) -> str | None:
    """The patient's value with its unit, e.g. ``191 pmol/L``; None if not given.

    A contribution's own ``value_label`` is used when it has one; otherwise the value is
    formatted here. A unit the label already names, as in "... (سنوات)", is left out,
    and in Arabic a value in Latin letters keeps its left-to-right order.
    """
    value = c.value
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    unit = shown_unit(c.unit, language)
    text = getattr(c, "value_label", "") or ""
    if text:
        text = MICRO.sub("µmol/", text)
    elif isinstance(value, bool | np.bool_):
        text = t("yes" if value else "no", language)
    elif isinstance(value, str):
        text = category_label(c.field, value, language)
    elif isinstance(value, int | float | np.integer | np.floating):
        text = f"{format_number(value)} {unit}" if unit else format_number(value)
    else:
        text = str(value)
    named = any(f"({form})" in c.label for form in unit_forms(c.unit, language))
    if unit and named and text.endswith(f" {unit}"):
        text = text[: -len(unit) - 1]
    if language == "ar" and not ARABIC.search(text):
        text = f"{LRI}{text}{PDI}"
    return text


def row_label(c: ContributionLike, language: str) -> str:
    """``Label = value`` of a waterfall row (the label alone without a value)."""
    value = value_text(c, language)
    label = str(c.label)
    label = label[:1].upper() + label[1:]  # a row label starts a line: "Fields not given"
    return label if value is None else f"{label} = {value}"
