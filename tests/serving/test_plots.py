"""Specifications of the explanation figures in :mod:`b12risk.serving.plots`."""

from __future__ import annotations

import math
import subprocess
import sys
from dataclasses import dataclass, field
from typing import Any

import matplotlib
import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.text import Text

from b12risk.errors import ConfigError
from b12risk.knowledge.schema import features
from b12risk.serving import plots
from b12risk.serving.plots import arabic, common

FEATURES = features()
#: (field, value, log-odds contribution) of one made-up patient.
PATIENT = [
    ("serum_b12_pmol_l", 191.0, 0.92),
    ("mma_umol_l", 0.52, 0.71),
    ("supplement_use", True, -0.62),
    ("diet", "vegan", 0.55),
    ("holotc_pmol_l", 48.0, -0.41),
    ("age", 67.0, 0.38),
    ("ppi_years", 6.0, 0.29),
    ("mcv_fl", 96.5, 0.12),
    ("fatigue", True, 0.09),
    ("paresthesia", False, -0.11),
    ("hgb_g_dl", 12.4, 0.05),
    ("egfr_ml_min", 78.0, -0.04),
]
NOT_GIVEN = {"en": "fields not given", "ar": "حقول لم تُعطَ"}
BAND = {"en": "moderate", "ar": "متوسط"}
ARABIC_WORDS = ["بيت", "فيتامين ب12 في المصل", "الطفيليات المعوية", "طنين الأذن"]


@dataclass(frozen=True)
class FakeContribution:
    field: str
    label: str
    value: Any
    unit: str | None
    log_odds: float
    probability_points: float = 0.0
    direction: str = ""


@dataclass(frozen=True)
class FakePrediction:
    probability: float
    risk_band: str
    risk_band_label: str
    base_log_odds: float
    log_odds: float
    model_version: str
    contributions: list[FakeContribution] = field(default_factory=list)


def make_prediction(language: str = "en", *, base: float = -1.6, not_given: float = -0.15) -> FakePrediction:
    contributions = [
        FakeContribution(
            name,
            FEATURES[name].label_ar if language == "ar" else FEATURES[name].label_en,
            value,
            FEATURES[name].unit,
            lo,
            direction="raises" if lo > 0 else "lowers",
        )
        for name, value, lo in PATIENT
    ]
    contributions.append(FakeContribution("(not given)", NOT_GIVEN[language], None, None, not_given))
    log_odds = base + sum(c.log_odds for c in contributions)
    p = 1 / (1 + math.exp(-log_odds))
    return FakePrediction(p, "moderate", BAND[language], base, log_odds, "0.4.0+20250101", contributions)


def make_cohort(n: int, seed: int = 7) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    data = pd.DataFrame(
        {
            "serum_b12_pmol_l": rng.lognormal(np.log(300), 0.4, n),
            "age": rng.uniform(18, 90, n).round(),
            "diet": rng.choice(["omnivore", "vegetarian", "vegan"], n),
            "supplement_use": (rng.random(n) < 0.3).astype(float),
            "mma_umol_l": np.where(rng.random(n) < 0.5, np.nan, rng.lognormal(np.log(0.25), 0.4, n)),
        }
    )
    values = pd.DataFrame(
        {
            "serum_b12_pmol_l": -2.0 * (np.log(data["serum_b12_pmol_l"]) - np.log(300)),
            "age": 0.01 * (data["age"] - 55),
            "diet": data["diet"].map({"omnivore": -0.05, "vegetarian": 0.3, "vegan": 0.9}).to_numpy(),
            "supplement_use": np.where(data["supplement_use"] > 0, -0.5, 0.1),
            "mma_umol_l": np.nan_to_num(1.5 * (np.log(data["mma_umol_l"]) - np.log(0.25))),
        }
    )
    return values, data


def labels_of(columns, language: str = "en") -> dict[str, str]:
    return {c: FEATURES[c].label_ar if language == "ar" else FEATURES[c].label_en for c in columns}


def contribution_bars(fig: Figure):
    (bars,) = [c for c in fig.axes[0].containers if c.get_label() == "contributions"]
    return list(bars)


def tick_texts(labels) -> list[str]:
    return [t.get_text() for t in labels]


def render(text: str) -> np.ndarray:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = Figure(figsize=(3, 0.5), dpi=60)
    canvas = FigureCanvasAgg(fig)
    fig.text(0.02, 0.3, text, fontsize=12, fontfamily="DejaVu Sans")
    canvas.draw()
    return np.asarray(canvas.buffer_rgba()).copy()


@pytest.fixture(scope="module")
def waterfall_en() -> Figure:
    return plots.waterfall(make_prediction("en"), max_display=10)


@pytest.fixture(scope="module")
def waterfall_ar() -> Figure:
    return plots.waterfall(make_prediction("ar"), language="ar", max_display=10)


@pytest.fixture(scope="module")
def big_cohort() -> tuple[pd.DataFrame, pd.DataFrame]:
    return make_cohort(50_000)


# --------------------------------------------------------------------------- Arabic text


def test_the_fake_prediction_is_additive():
    p = make_prediction()
    assert p.base_log_odds + sum(c.log_odds for c in p.contributions) == pytest.approx(p.log_odds, abs=1e-12)


def test_rtl_leaves_text_without_arabic_alone():
    assert plots.rtl("abc") == "abc"
    assert plots.rtl("Serum vitamin B12 = 191 pmol/L", shape=True) == "Serum vitamin B12 = 191 pmol/L"


def test_rtl_shapes_and_reorders_when_asked():
    import arabic_reshaper
    from bidi import get_display

    word = "فيتامين ب12 في المصل"
    shaped = plots.rtl(word, shape=True)
    assert shaped != word
    assert shaped == get_display(arabic_reshaper.reshape(word))
    assert all("\ufe70" <= ch <= "\ufeff" for ch in shaped if ch.isalpha() and not ch.isascii())
    assert plots.rtl(word, shape=False) == word


def test_rtl_does_not_shape_twice_on_a_matplotlib_that_shapes_arabic():
    # matplotlib >= 3.11 lays out Arabic with libraqm; shaping beforehand would reverse it.
    native = arabic.matplotlib_shapes_arabic()
    word = ARABIC_WORDS[1]
    assert plots.rtl(word) == (word if native else plots.rtl(word, shape=True))
    if tuple(int(x) for x in matplotlib.__version__.split(".")[:2]) >= (3, 11):
        assert native


@pytest.mark.parametrize("word", ARABIC_WORDS)
def test_arabic_renders_joined_and_right_to_left(word):
    """What rtl() hands to matplotlib draws exactly the joined letters, right to left.

    Reference: the letters already joined and in visual order, forced left to right
    (U+202D ... U+202C) so the renderer cannot reorder them.
    """
    import arabic_reshaper
    from bidi import get_display

    if not arabic.matplotlib_shapes_arabic():
        pytest.skip("this matplotlib does not lay out Arabic; rtl() shapes the text itself")
    reference = "\u202d" + get_display(arabic_reshaper.reshape(word)) + "\u202c"
    np.testing.assert_array_equal(render(plots.rtl(word)), render(reference))
    assert not np.array_equal(render(plots.rtl(word, shape=True)), render(reference))


def test_the_arabic_font_has_arabic_glyphs():
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    family = arabic.arabic_font()
    assert family is not None
    path = font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False)
    assert ord("ب") in FT2Font(path).get_charmap()


# --------------------------------------------------------------------------- waterfall


def test_waterfall_rows_titles_and_labels(waterfall_en):
    fig = waterfall_en
    ax = fig.axes[0]
    assert isinstance(fig, Figure)
    assert len(contribution_bars(fig)) == 10
    labels = tick_texts(ax.get_yticklabels())
    assert len(labels) == 12
    assert labels[0] == "Model average (p = 0.17)"
    assert labels[1] == "Serum vitamin B12 = 191 pmol/L"
    assert labels[2] == "Methylmalonic acid (MMA) = 0.52 µmol/L"
    assert labels[3] == "Takes a B12 or multivitamin supplement = yes"
    assert labels[4] == "Diet = vegan"
    assert "Age = 67 years" in labels
    assert labels[-2] == "4 other fields"
    assert labels[-1].startswith("This patient (p = ")
    p = make_prediction().probability
    assert fig.get_suptitle() == f"Probability of deficiency {p:.2f} (moderate risk)"
    assert ax.get_xlabel() == "log-odds of deficiency"
    (top,) = ax.child_axes
    assert top.get_xlabel() == "probability of deficiency"
    assert fig.get_supxlabel() == "Model 0.4.0+20250101 · Decision support, not a diagnosis."


def test_waterfall_bar_colours_follow_the_sign(waterfall_en):
    for bar in contribution_bars(waterfall_en):
        expected = plots.RAISES_COLOR if bar.get_width() > 0 else plots.LOWERS_COLOR
        assert bar.get_facecolor() == to_rgba(expected)


def test_waterfall_bars_add_up_from_the_base_to_the_patient(waterfall_en):
    p = make_prediction()
    bars = contribution_bars(waterfall_en)
    widths = np.array([b.get_width() for b in bars])
    starts = np.array([b.get_x() for b in bars])
    ends = starts + widths
    np.testing.assert_allclose(ends, p.base_log_odds + np.cumsum(widths))
    assert starts[0] == pytest.approx(p.base_log_odds)
    np.testing.assert_allclose(starts[1:], ends[:-1])
    assert ends[-1] == pytest.approx(p.log_odds)
    assert list(np.abs(widths[:-1])) == sorted(np.abs(widths[:-1]), reverse=True)


def test_waterfall_folds_the_smallest_contributions_into_one_bar():
    p = make_prediction()
    ordered = sorted(p.contributions, key=lambda c: -abs(c.log_odds))
    for max_display in (2, 5, 13, 20):
        bars = contribution_bars(plots.waterfall(p, max_display=max_display))
        n = min(max_display, len(ordered))
        assert len(bars) == n
        if max_display < len(ordered):
            folded = sum(c.log_odds for c in ordered[max_display - 1 :])
            assert bars[-1].get_width() == pytest.approx(folded)
        else:
            assert [b.get_width() for b in bars] == pytest.approx([c.log_odds for c in ordered])


def test_waterfall_writes_signed_contributions_inside_the_axes(waterfall_en):
    fig = waterfall_en
    ax = fig.axes[0]
    fig.canvas.draw()
    texts = [t for t in ax.texts if t.get_text()[:1] in "+\u2212"]
    assert [t.get_text() for t in texts[:3]] == ["+0.92", "+0.71", "\u22120.62"]
    box = ax.get_window_extent()
    renderer = fig.canvas.get_renderer()
    for t in ax.texts:
        extent = t.get_window_extent(renderer)
        assert box.x0 <= extent.x0 and extent.x1 <= box.x1, t.get_text()


def test_waterfall_footer_and_colour_key_do_not_overlap(waterfall_en, waterfall_ar):
    for fig in (waterfall_en, waterfall_ar):
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        footer = fig._supxlabel.get_window_extent(renderer)
        (legend,) = fig.legends
        assert not footer.overlaps(legend.get_window_extent(renderer))


def test_waterfall_in_arabic_is_shaped_and_mirrored(waterfall_ar):
    fig = waterfall_ar
    ax = fig.axes[0]
    p = make_prediction("ar")
    labels = tick_texts(ax.get_yticklabels())
    expected = [
        plots.rtl(s)
        for s in (
            "متوسط النموذج (الاحتمال 0.17)",
            "فيتامين ب12 في المصل = \u2066191 pmol/L\u2069",
            "حمض الميثيل مالونيك = \u20660.52 µmol/L\u2069",
            "يتناول مكمل فيتامين ب12 أو فيتامينات متعددة = نعم",
            "النظام الغذائي = نباتي صرف",
        )
    ]
    assert labels[:5] == expected
    assert plots.rtl("مدة تناول مثبطات مضخة البروتون (سنوات) = \u20666\u2069") in labels  # unit not repeated
    assert labels[-2] == plots.rtl("حقول أخرى (4)")
    assert fig.get_suptitle() == plots.rtl(f"احتمال النقص {p.probability:.2f} (متوسط الخطر)")
    assert ax.get_xlabel() == plots.rtl("لوغاريتم أرجحية النقص")
    assert plots.rtl("أداة مساعدة للقرار وليست تشخيصاً") in fig.get_supxlabel()
    assert ax.xaxis_inverted()
    assert ax.yaxis.get_ticks_position() == "right"
    family = arabic.arabic_font()
    assert all(t.get_fontfamily() == [family] for t in fig.findobj(Text) if t.get_text())


def test_waterfall_rejects_bad_arguments():
    with pytest.raises(ConfigError, match="language must be one of en, ar; got 'fr'"):
        plots.waterfall(make_prediction(), language="fr")
    with pytest.raises(ConfigError, match="max_display must be an int >= 2; got 1"):
        plots.waterfall(make_prediction(), max_display=1)


def test_every_text_is_readable(waterfall_en, waterfall_ar):
    for fig in (waterfall_en, waterfall_ar):
        fig.canvas.draw()
        sizes = [t.get_fontsize() for t in fig.findobj(Text) if t.get_text() and t.get_visible()]
        assert min(sizes) >= 8


# --------------------------------------------------------------------------- beeswarm


def test_beeswarm_orders_fields_by_mean_absolute_shap():
    values, data = make_cohort(2_000)
    fig = plots.beeswarm(values, data, labels=labels_of(values.columns))
    ax = fig.axes[0]
    order = values.abs().mean().sort_values(ascending=False).index
    assert tick_texts(ax.get_yticklabels()) == [FEATURES[c].label_en for c in order]
    assert ax.get_xlabel() == "SHAP value (log-odds)"
    assert "sample" not in fig.get_supxlabel()
    (points,) = [c for c in ax.collections if c.get_label() == "points"]
    offsets = points.get_offsets()
    assert len(offsets) == values.size
    rows = np.round(offsets[:, 1]).astype(int)
    for k, name in enumerate(order):  # each dot sits on its field's row, at its SHAP value
        np.testing.assert_allclose(np.sort(offsets[rows == k, 0]), np.sort(values[name].to_numpy()))
    assert np.all(np.abs(offsets[:, 1] - rows) <= 0.4 + 1e-9)
    colorbar_axes = fig.axes[1]
    assert colorbar_axes.get_ylabel() == "feature value"
    assert tick_texts(colorbar_axes.get_yticklabels()) == ["low", "high"]


def test_beeswarm_colours_values_low_blue_high_red_and_missing_grey():
    values, data = make_cohort(500)
    fig = plots.beeswarm(values[["supplement_use"]], data[["supplement_use"]], labels={})
    (points,) = fig.axes[0].collections
    colours = points.get_facecolors()
    x = points.get_offsets()[:, 0]
    assert colours[x < 0][0][0] > colours[x < 0][0][2]  # taking a supplement (1) lowers risk: red
    assert colours[x > 0][0][2] > colours[x > 0][0][0]  # not taking it (0): blue
    fig = plots.beeswarm(values[["diet"]], data[["diet"]], labels={"diet": "Diet"})
    (points,) = fig.axes[0].collections
    assert np.allclose(points.get_facecolors()[:, :3], to_rgba(common.NEUTRAL_COLOR)[:3])


def test_beeswarm_folds_fields_beyond_max_display():
    values, data = make_cohort(300)
    fig = plots.beeswarm(values, data, labels=labels_of(values.columns), max_display=3)
    labels = tick_texts(fig.axes[0].get_yticklabels())
    assert len(labels) == 3
    assert labels[-1] == "3 other fields"


def test_beeswarm_samples_large_cohorts_deterministically(big_cohort):
    values, data = big_cohort
    labels = labels_of(values.columns, "ar")
    first = plots.beeswarm(values, data, labels=labels, language="ar")
    second = plots.beeswarm(values, data, labels=labels, language="ar")
    a = first.axes[0].collections[0].get_offsets()
    b = second.axes[0].collections[0].get_offsets()
    assert len(a) == plots.MAX_POINTS * values.shape[1]
    np.testing.assert_array_equal(a, b)
    assert plots.rtl("عينة عشوائية ثابتة من 5,000 من أصل 50,000 مريض (البذرة 0).") in first.get_supxlabel()
    assert tick_texts(first.axes[0].get_yticklabels())[0] == plots.rtl(labels["serum_b12_pmol_l"])
    assert first.axes[0].xaxis_inverted()


def test_beeswarm_rejects_frames_that_do_not_match():
    values, data = make_cohort(10)
    with pytest.raises(ConfigError, match="same columns"):
        plots.beeswarm(values, data.iloc[:, ::-1], labels={})


# --------------------------------------------------------------------------- dependence


def test_dependence_shows_missing_values_as_their_own_strip():
    values, data = make_cohort(1_000)
    fig = plots.dependence(
        values["mma_umol_l"],
        data["mma_umol_l"],
        label="Methylmalonic acid (MMA)",
        unit="umol/L",
        color=data["age"],
        color_label="Age (years)",
    )
    ax = fig.axes[0]
    assert ax.get_xlabel() == "Methylmalonic acid (MMA) (µmol/L)"
    assert ax.get_ylabel() == "SHAP value (log-odds)"
    assert ax.get_title() == "Methylmalonic acid (MMA)"
    ticks = tick_texts(ax.get_xticklabels())
    assert ticks[0] == "not given"
    strip = ax.get_xticks()[0]
    (points,) = ax.collections
    x = points.get_offsets()[:, 0]
    n_missing = int(data["mma_umol_l"].isna().sum())
    assert (x < np.nanmin(data["mma_umol_l"])).sum() == n_missing
    assert np.all(np.abs(x[x < np.nanmin(data["mma_umol_l"])] - strip) < 0.1)
    assert any(line.get_ydata()[0] == 0 and line.get_ydata()[1] == 0 for line in ax.lines)
    assert fig.axes[1].get_ylabel() == "Age (years)"


def test_dependence_names_categories_from_the_schema():
    values, data = make_cohort(600)
    codes = data["diet"].map({"omnivore": 0, "vegetarian": 1, "vegan": 2}).astype(float)
    for diet in (data["diet"], codes):
        fig = plots.dependence(
            values["diet"], diet, label="النظام الغذائي", color=data["supplement_use"], language="ar"
        )
        ax = fig.axes[0]
        expected = FEATURES["diet"].category_labels_ar
        assert tick_texts(ax.get_xticklabels()) == [plots.rtl(s) for s in expected]
        (legend,) = fig.legends
        assert tick_texts(legend.get_texts()) == [plots.rtl("لا"), plots.rtl("نعم")]


def test_dependence_rejects_series_of_different_lengths():
    values, data = make_cohort(10)
    with pytest.raises(ConfigError, match="same length"):
        plots.dependence(values["age"], data["age"].iloc[:5], label="Age")


# --------------------------------------------------------------------------- save and state


@pytest.mark.parametrize("suffix", [".png", ".svg"])
def test_save_writes_png_and_svg(tmp_path, waterfall_ar, suffix):
    path = plots.save(waterfall_ar, tmp_path / f"waterfall{suffix}")
    data = path.read_bytes()
    assert path.suffix == suffix and len(data) > 1000
    if suffix == ".png":
        assert data.startswith(b"\x89PNG\r\n\x1a\n")
    else:
        assert b"<svg" in data[:1000]


def test_save_refuses_other_formats(tmp_path, waterfall_en):
    with pytest.raises(ConfigError, match=r"\.png or \.svg"):
        plots.save(waterfall_en, tmp_path / "figure.pdf")


def test_no_pyplot_figures_are_left_open(tmp_path, big_cohort):
    import matplotlib.pyplot as plt

    values, data = make_cohort(200)
    plots.save(plots.waterfall(make_prediction()), tmp_path / "w.png")
    plots.beeswarm(values, data, labels={})
    plots.dependence(values["age"], data["age"], label="Age", unit="years")
    assert plt.get_fignums() == []


def test_importing_the_module_does_not_import_matplotlib():
    code = "import sys, b12risk.serving.plots; print('matplotlib' in sys.modules, 'shap' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
