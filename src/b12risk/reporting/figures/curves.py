"""Figures of the reviewers' report; private to :mod:`b12risk.reporting.report`.

Performance figures (ROC, precision-recall, calibration, decision curves) are drawn
here from a model folder's ``curves.parquet`` and ``evaluation`` table; explanation
figures come from :mod:`b12risk.reporting.plots`. :class:`FigureWriter` saves every figure as PNG
and SVG with fixed metadata (no date, no software stamp, a fixed SVG id salt), so the
same model gives the same bytes, and returns the ``<figure>`` HTML that embeds the PNG
as a data URI.

Performance plots keep the usual mathematical orientation (x grows to the right) in
Arabic too; their words are translated and their panels read from the right. SHAP
plots follow :mod:`b12risk.reporting.plots`, which mirrors them for Arabic.

matplotlib lays out Arabic text itself, but a number right after a Latin word inside
Arabic text ("نموذج b12risk (0.856)") comes out on the wrong side, and isolation marks
do not help. The Arabic texts here therefore put Latin names in parentheses, and the
calibration legend's entries hold no Arabic letters at all (checked by eye on the
rendered figures). A range such as "2001-2004" or "20-39" comes out reversed inside
Arabic, and a closing parenthesis after it is drawn the wrong way round: the NHANES
figures write "حقيقي: NHANES 2001-2004" (the range after a Latin word, no parenthesis)
and age bands as "40 إلى 59".
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from b12risk.i18n import t as word
from b12risk.knowledge import LEVELS
from b12risk.reporting import plots

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

#: Resolution of the PNG files (and of the images embedded in the page).
PNG_DPI = 110
#: Threshold probabilities of the decision curves.
DECISION_THRESHOLDS = np.round(np.linspace(0.01, 0.60, 60), 4)
#: Salt of matplotlib's SVG element ids; fixed so that SVG files repeat byte for byte.
_SVG_SALT = "b12risk-report"

#: Drawing order, colour and line style of each scorer.
SCORER_STYLE: dict[str, tuple[str, str]] = {
    "model": ("#1f4e9c", "-"),
    "oracle": ("#222222", "--"),
    "guideline": ("#d95f02", "-"),
    "cb12": ("#7570b3", "-"),
    "risk_factor_score": ("#1b9e77", "-"),
}
#: Colours of scenarios ("Dark2", colour-blind-safe for its first five).
_SCENARIO_COLORS = ("#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#666666")

TEXT: dict[str, dict[str, str]] = {
    "en": {
        "scorer.model": "b12risk model",
        "scorer.oracle": "oracle (exact posterior)",
        "scorer.guideline": "guideline rule (BSH 2014)",
        "scorer.cb12": "cB12 index",
        "scorer.risk_factor_score": "risk-factor score",
        "fpr": "1 − specificity (false-positive rate)",
        "tpr": "Sensitivity (true-positive rate)",
        "recall": "Sensitivity (recall)",
        "precision": "Positive predictive value (precision)",
        "chance": "chance",
        "no_skill": "prevalence (no skill)",
        "auc": "{name} ({value})",
        "rows": "{n:,} patients, {k} scenario(s) pooled",
        "predicted": "Predicted probability of deficiency",
        "observed": "Observed proportion deficient (smoothed)",
        "ideal": "perfect calibration",
        "calib_entry": "{scenario}: slope {slope}, intercept {intercept}",
        "calib_legend": "",
        "count": "patients",
        "calib_title": "Calibration of the model: {level}",
        "threshold": "Threshold probability",
        "net_benefit": "Net benefit",
        "test_all": "test all",
        "test_none": "test none",
        "cut": "threshold of sensitivity and specificity ({t:g})",
        "roc_title": "ROC curves by information level",
        "pr_title": "Precision-recall curves by information level",
        "dca_title": "Decision curves by information level",
        "beeswarm_title": "SHAP values, held-out patients: {level}",
        "scorer.real_cv": "model fitted on the real data (CV)",
        "scorer.serum_b12": "serum B12 alone",
        "nh_dca_title": "Decision curve on real adults: {outcome}, {level}",
        "nh_dca_note": "NHANES {group}, survey-weighted: {n:,} adults, prevalence {prev}",
        "nh_marg_title": "Real and simulated adults",
        "nh_low_title": "Serum B12 below 148 pmol/L",
        "nh_share": "Share of adults",
        "nh_pct_title": "Serum B12 percentiles",
        "nh_pmol": "Serum B12 (pmol/L)",
        "nh_mma_title": "Median MMA by age",
        "nh_umol": "MMA (µmol/L)",
        "nh_real": "real (NHANES {group}, weighted)",
        "nh_sim": "simulated (us_uk scenario)",
    },
    "ar": {
        # A Latin name in parentheses, so a number after it stays in place (see calib_entry).
        "scorer.model": "النموذج (b12risk)",
        "scorer.oracle": "المرجع الأمثل (الاحتمال اللاحق الدقيق)",
        "scorer.guideline": "قاعدة الدليل الإرشادي (BSH 2014)",
        "scorer.cb12": "المؤشر المركب (cB12)",
        "scorer.risk_factor_score": "درجة عوامل الخطر",
        "fpr": "1 − النوعية (معدل الإيجابيات الكاذبة)",
        "tpr": "الحساسية (معدل الإيجابيات الصحيحة)",
        "recall": "الحساسية (الاستدعاء)",
        "precision": "القيمة التنبؤية الإيجابية (الدقة)",
        "chance": "الصدفة",
        "no_skill": "الانتشار (بلا مهارة)",
        "auc": "{name} ({value})",
        "rows": "{n:,} مريض من {k} سيناريو مجمّعة",
        "predicted": "الاحتمال المتوقع للنقص",
        "observed": "النسبة الفعلية للنقص (منعّمة)",
        "ideal": "معايرة مثالية",
        # No Arabic letters in an entry, laid out in reading order from the right: matplotlib's
        # text layout does not keep "1.03 (1.01 – 1.07)" in order inside Arabic words.
        "calib_entry": "{intercept}   |   {slope}   |   {scenario}",
        "calib_legend": "السيناريو   |   ميل المعايرة   |   مقطع المعايرة",
        "count": "المرضى",
        "calib_title": "معايرة النموذج: {level}",
        "threshold": "عتبة الاحتمال",
        "net_benefit": "الفائدة الصافية",
        "test_all": "فحص الجميع",
        "test_none": "عدم فحص أحد",
        "cut": "عتبة الحساسية والنوعية ({t:g})",
        "roc_title": "منحنيات ROC حسب مستوى المعلومات",
        "pr_title": "منحنيات الدقة والاستدعاء حسب مستوى المعلومات",
        "dca_title": "منحنيات القرار حسب مستوى المعلومات",
        "beeswarm_title": "قيم SHAP لمرضى لم يتدرب عليهم النموذج: {level}",
        "scorer.real_cv": "نموذج مدرَّب على البيانات الحقيقية (CV)",
        "scorer.serum_b12": "فيتامين ب12 في المصل وحده",
        "nh_dca_title": "منحنى القرار على بالغين حقيقيين: {outcome}، {level}",
        "nh_dca_note": "{n:,} بالغاً، الانتشار {prev}، مرجّح بأوزان المسح: NHANES {group}",
        "nh_marg_title": "البالغون الحقيقيون والمحاكَون",
        "nh_low_title": "فيتامين ب12 في المصل أقل من 148 بيكومول/لتر",
        "nh_share": "نسبة البالغين",
        "nh_pct_title": "مئينات فيتامين ب12 في المصل",
        "nh_pmol": "فيتامين ب12 في المصل (بيكومول/لتر)",
        "nh_mma_title": "وسيط حمض الميثيل مالونيك حسب العمر",
        "nh_umol": "حمض الميثيل مالونيك (ميكرومول/لتر)",
        "nh_real": "حقيقي: NHANES {group}",
        "nh_sim": "محاكى (us_uk)",
    },
}


# --------------------------------------------------------------------------- saving


class FigureWriter:
    """Saves figures into one folder and returns the HTML that embeds them.

    Parameters
    ----------
    folder : Path
        Where the ``.png`` and ``.svg`` files go (created if missing).
    language : {"en", "ar"}
        Arabic file names end in ``_ar`` so both reports can share one folder.
    """

    def __init__(self, folder: Path, language: str):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.suffix = "" if language == "en" else f"_{language}"
        self.names: list[str] = []

    def add(self, fig: Figure, stem: str, *, alt: str, caption: str = "") -> str:
        """Save ``fig`` as ``<stem>.png`` and ``<stem>.svg``; the ``<figure>`` element embedding it."""
        name = f"{stem}{self.suffix}"
        png, bbox = render_png(fig)
        (self.folder / f"{name}.png").write_bytes(png)
        (self.folder / f"{name}.svg").write_bytes(render_svg(fig, bbox))
        self.names.append(name)
        uri = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
        cap = f"<figcaption>{caption}</figcaption>" if caption else ""
        return (
            f'<figure id="fig-{html.escape(stem)}"><img src="{uri}" alt="{html.escape(alt)}" '
            f'data-file="figures/{html.escape(name)}.png">{cap}</figure>'
        )


def render_png(fig: Figure) -> tuple[bytes, Any]:
    """PNG bytes of ``fig`` trimmed to its content, and that content's box in inches.

    The figure is drawn once at :data:`PNG_DPI`; the white margin is cut from the
    pixels (what ``bbox_inches="tight"`` does, without its extra draws) and the layout
    is then frozen, so the SVG drawn next matches. Should anything reach the edge of
    the canvas (a label the layout could not fit), the figure is saved the slower way,
    with ``bbox_inches="tight"``, which grows the box instead. No software stamp or
    date is written, so the same figure gives the same bytes.
    """
    from matplotlib.transforms import Bbox
    from PIL import Image

    engine = fig.get_layout_engine()
    if engine is not None and hasattr(engine, "set") and "w_pad" in engine.get():
        # Wider margins than the layout needs: shaped Arabic glyphs can overhang their
        # measured box by a few pixels. The white margin is cut off below anyway.
        engine.set(w_pad=max(engine.get()["w_pad"], 0.25))
    fig.set_dpi(PNG_DPI)
    fig.canvas.draw()
    fig.set_layout_engine("none")  # keep this layout for the SVG
    rgb = np.asarray(fig.canvas.buffer_rgba())[..., :3]
    ink = (rgb < 250).any(axis=2)
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    height, width = ink.shape
    buf = io.BytesIO()
    edge = 2  # ink this close to the border may continue beyond it
    if rows.size == 0 or min(rows[0], cols[0], height - 1 - rows[-1], width - 1 - cols[-1]) < edge:
        bbox = fig.get_tightbbox(fig.canvas.get_renderer()).padded(0.1)
        fig.savefig(buf, format="png", dpi=PNG_DPI, bbox_inches=bbox, metadata={"Software": None})
        return buf.getvalue(), bbox
    pad = round(0.1 * PNG_DPI)
    y0, y1 = max(rows[0] - pad, 0), min(rows[-1] + 1 + pad, height)
    x0, x1 = max(cols[0] - pad, 0), min(cols[-1] + 1 + pad, width)
    Image.fromarray(np.ascontiguousarray(rgb[y0:y1, x0:x1])).save(buf, format="png", compress_level=6)
    bbox = Bbox.from_extents(x0 / PNG_DPI, (height - y1) / PNG_DPI, x1 / PNG_DPI, (height - y0) / PNG_DPI)
    return buf.getvalue(), bbox


def render_svg(fig: Figure, bbox: Any = "tight") -> bytes:
    """SVG bytes without date or creator, with element ids from a fixed salt."""
    import matplotlib

    buf = io.BytesIO()
    with matplotlib.rc_context({"svg.hashsalt": _SVG_SALT}):
        fig.savefig(buf, format="svg", bbox_inches=bbox, metadata={"Date": None, "Creator": None})
    return buf.getvalue()


# --------------------------------------------------------------------------- helpers


def _grid(nrows: int, ncols: int, width: float, height: float, **kwargs) -> tuple[Figure, np.ndarray]:
    """A constrained-layout figure with an Agg canvas, outside pyplot."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(nrows, ncols, squeeze=False, **kwargs)
    return fig, axes


def _panels(axes: np.ndarray, language: str) -> list:
    """Panels in reading order: rows top to bottom, each row right to left in Arabic."""
    return [ax for row in axes for ax in (row[::-1] if language == "ar" else row)]


def level_title(level: str, language: str) -> str:
    text = word(f"level.{level}", language)
    return text[:1].upper() + text[1:] if language == "en" else text


def scorer_name(scorer: str, language: str) -> str:
    return TEXT[language].get(f"scorer.{scorer}", scorer)


def _legend(fig: Figure, handles: list, language: str, ncols: int) -> None:
    """One legend for the whole figure, below the panels."""
    legend = fig.legend(
        handles=handles,
        loc="outside lower center",
        ncols=ncols,
        frameon=False,
        fontsize=9,
        markerfirst=language != "ar",
    )
    if language == "ar":
        legend.set_alignment("right")


def _style(ax: Axes) -> None:
    for spine in ("right", "top"):
        ax.spines[spine].set_visible(False)
    ax.grid(color="0.92", lw=0.6)
    ax.set_axisbelow(True)
    ax.tick_params(labelsize=8)


def _scorer_columns(frame: pd.DataFrame, for_ranking: bool) -> dict[str, str]:
    """Scorer -> column holding its output in this frame (non-empty only), in drawing order."""
    out = {}
    for scorer in SCORER_STYLE:
        column = f"{scorer}_score" if for_ranking and f"{scorer}_score" in frame else f"{scorer}_p"
        if column in frame and frame[column].notna().any():
            out[scorer] = column
    return out


def _roc(y: np.ndarray, s: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    from sklearn.metrics import roc_auc_score, roc_curve

    fpr, tpr, _ = roc_curve(y, s)
    return fpr, tpr, float(roc_auc_score(y, s))


def _pr(y: np.ndarray, s: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    from sklearn.metrics import average_precision_score, precision_recall_curve

    precision, recall, _ = precision_recall_curve(y, s)
    return recall, precision, float(average_precision_score(y, s))


# --------------------------------------------------------------------------- discrimination


def discrimination(curves: pd.DataFrame, kind: str, language: str) -> Figure:
    """ROC (``kind="roc"``) or precision-recall (``"pr"``) curves: one panel per level.

    Every scorer is drawn on the rows of the level where it has an output, pooled over
    scenarios; the legend gives the area under each curve for those pooled rows.
    """
    from matplotlib.lines import Line2D

    t = TEXT[language]
    fig, axes = _grid(2, 2, 10.0, 9.0)
    seen: dict[str, Line2D] = {}
    for ax, level in zip(_panels(axes, language), LEVELS, strict=True):
        sub = curves[curves["level"] == level]
        entries = []
        for scorer, column in _scorer_columns(sub, for_ranking=True).items():
            rows = sub[sub[column].notna()]
            y, s = rows["y"].to_numpy().astype(int), rows[column].to_numpy(dtype=float)
            if y.min() == y.max():
                continue
            x, yy, area = _roc(y, s) if kind == "roc" else _pr(y, s)
            color, ls = SCORER_STYLE[scorer]
            ax.plot(x, yy, color=color, ls=ls, lw=1.6 if scorer == "model" else 1.2, drawstyle="default")
            seen.setdefault(
                scorer, Line2D([], [], color=color, ls=ls, lw=1.6, label=plots.rtl(scorer_name(scorer, language)))
            )
            entries.append((scorer, area))
        prevalence = float(sub["y"].mean()) if len(sub) else float("nan")
        if kind == "roc":
            ax.plot([0, 1], [0, 1], color="0.6", lw=0.8, ls=":")
            ax.set_xlabel(plots.rtl(t["fpr"]), fontsize=9)
            ax.set_ylabel(plots.rtl(t["tpr"]), fontsize=9)
        else:
            ax.axhline(prevalence, color="0.6", lw=0.8, ls=":")
            ax.set_xlabel(plots.rtl(t["recall"]), fontsize=9)
            ax.set_ylabel(plots.rtl(t["precision"]), fontsize=9)
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1.01)
        _style(ax)
        ax.set_title(plots.rtl(level_title(level, language)), fontsize=11, fontweight="bold")
        areas = "\n".join(
            plots.rtl(t["auc"].format(name=scorer_name(s, language), value=f"{a:.3f}")) for s, a in entries
        )
        rows_note = plots.rtl(t["rows"].format(n=len(sub), k=sub["scenario"].nunique()))
        where = (0.97, 0.03, "right", "bottom") if kind == "roc" else (0.03, 0.03, "left", "bottom")
        if language == "ar":
            where = (0.97, 0.03, "right", "bottom")
        ax.text(
            where[0],
            where[1],
            f"{areas}\n{rows_note}",
            transform=ax.transAxes,
            ha=where[2],
            va=where[3],
            fontsize=7.5,
            color="0.2",
            bbox={"boxstyle": "round,pad=0.3", "fc": "white", "ec": "0.8", "alpha": 0.9},
        )
    chance = t["chance"] if kind == "roc" else t["no_skill"]
    handles = [*seen.values(), Line2D([], [], color="0.6", lw=0.8, ls=":", label=plots.rtl(chance))]
    _legend(fig, handles, language, ncols=min(len(handles), 3))
    fig.suptitle(plots.rtl(t["roc_title" if kind == "roc" else "pr_title"]), fontsize=13, fontweight="bold")
    plots._finish(fig, language)
    return fig


# --------------------------------------------------------------------------- calibration


def _nice_ceiling(x: float) -> float:
    for step in (0.05, 0.1, 0.2, 0.25, 0.5, 1.0):
        if x <= step * 4 or step == 1.0:
            return float(min(1.0, np.ceil(x / step) * step))
    return 1.0


def _fmt(x: float, signed: bool = False) -> str:
    if not np.isfinite(x):
        return "–"
    return (f"{x:+.2f}" if signed else f"{x:.2f}").replace("-", "−")


def calibration(curves: pd.DataFrame, table: pd.DataFrame, level: str, language: str) -> Figure:
    """Smoothed calibration curve of the model per scenario at one level, with the diagonal.

    The legend prints each scenario's calibration slope and intercept (with their
    bootstrap intervals) from the evaluation table; the strip below shows how the
    predictions are distributed.
    """
    from b12risk.errors import ConfigError
    from b12risk.modelling.metrics import smoothed_calibration_curve

    t = TEXT[language]
    sub = curves[curves["level"] == level]
    fig, axes = _grid(2, 1, 7.6, 8.4, height_ratios=[5, 1], sharex=True)
    ax, hist = axes[0, 0], axes[1, 0]
    p_all = sub["model_p"].to_numpy(dtype=float)
    top = _nice_ceiling(float(np.quantile(p_all, 0.99)) * 1.05) if len(p_all) else 1.0
    ax.plot([0, 1], [0, 1], color="0.45", lw=1.0, ls="--", label=plots.rtl(t["ideal"]))
    highest = 0.0
    for k, (scenario, rows) in enumerate(sub.groupby("scenario", sort=True)):
        y, p = rows["y"].to_numpy().astype(int), rows["model_p"].to_numpy(dtype=float)
        color = _SCENARIO_COLORS[k % len(_SCENARIO_COLORS)]
        ls = "-" if k < len(_SCENARIO_COLORS) else "-."

        def stat(metric: str, scenario: str = scenario) -> tuple[float, float, float]:
            sel = table[
                (table.scenario == scenario)
                & (table.level == level)
                & (table.scorer == "model")
                & (table.metric == metric)
            ]
            return tuple(sel[["estimate", "lo", "hi"]].iloc[0]) if len(sel) else (np.nan,) * 3

        slope, intercept = stat("cal_slope"), stat("cal_intercept")
        label = t["calib_entry"].format(
            scenario=scenario,
            slope=f"{_fmt(slope[0])} ({_fmt(slope[1])} – {_fmt(slope[2])})",
            intercept=f"{_fmt(intercept[0], True)} ({_fmt(intercept[1], True)} – {_fmt(intercept[2], True)})",
        )
        try:
            grid, observed = smoothed_calibration_curve(y, p)
        except ConfigError:
            continue
        ax.plot(grid, observed, color=color, ls=ls, lw=1.6, label=plots.rtl(label))
        if np.isfinite(observed).any():
            highest = max(highest, float(np.nanmax(observed)))
    limit = min(1.0, max(top, _nice_ceiling(highest * 1.02)))
    ax.set_xlim(0, limit)
    ax.set_ylim(0, limit)
    ax.set_ylabel(plots.rtl(t["observed"]), fontsize=9)
    ax.set_title(plots.rtl(t["calib_title"].format(level=level_title(level, language))), fontsize=12, fontweight="bold")
    _style(ax)
    bins = np.linspace(0, limit, 41)
    hist.hist(np.clip(p_all, 0, limit), bins=bins, color="#1f4e9c", alpha=0.7)
    hist.set_yscale("log")
    hist.set_ylabel(plots.rtl(t["count"]), fontsize=8)
    hist.set_xlabel(plots.rtl(t["predicted"]), fontsize=9)
    _style(hist)
    handles, _ = ax.get_legend_handles_labels()
    legend = fig.legend(
        handles=handles,
        title=plots.rtl(t["calib_legend"]) or None,
        loc="outside lower center",
        ncols=1,
        frameon=False,
        fontsize=8,
        title_fontsize=8,
        markerfirst=language != "ar",
    )
    if language == "ar":
        legend.set_alignment("right")
    plots._finish(fig, language)
    return fig


# --------------------------------------------------------------------------- decision curves


def _net_benefit_axes(
    ax: Axes, t: Mapping[str, str], *, xlim: tuple[float, float], ylim: tuple[float, float], note: str, note_size: float
) -> None:
    """Limits, axis labels and the corner note of a decision-curve panel."""
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_xlabel(plots.rtl(t["threshold"]), fontsize=9)
    ax.set_ylabel(plots.rtl(t["net_benefit"]), fontsize=9)
    ax.text(0.97, 0.97, plots.rtl(note), transform=ax.transAxes, ha="right", va="top", fontsize=note_size, color="0.3")
    _style(ax)


def decision(curves: pd.DataFrame, threshold: float | None, language: str) -> Figure:
    """Net benefit over threshold probabilities 0.01-0.60, one panel per level.

    Pooled over scenarios. A baseline is drawn only where it scored every pooled row
    of the level, so all strategies of a panel are compared on the same patients.
    """
    from matplotlib.lines import Line2D

    from b12risk.modelling.metrics import decision_curve

    t = TEXT[language]
    fig, axes = _grid(2, 2, 10.0, 8.6)
    seen: dict[str, Line2D] = {}
    extra = {
        "test all": ("#999999", "-", 1.0, t["test_all"]),
        "test none": ("#000000", ":", 1.0, t["test_none"]),
    }
    for ax, level in zip(_panels(axes, language), LEVELS, strict=True):
        sub = curves[curves["level"] == level]
        cols = {s: c for s, c in _scorer_columns(sub, for_ranking=False).items() if sub[c].notna().all()}
        y = sub["y"].to_numpy().astype(int)
        dc = decision_curve(y, {s: sub[c].to_numpy(dtype=float) for s, c in cols.items()}, DECISION_THRESHOLDS)
        prevalence = float(y.mean()) if len(y) else 0.0
        for strategy, rows in dc.groupby("strategy", sort=False):
            if strategy in extra:
                color, ls, lw, label = extra[strategy]
            else:
                color, ls = SCORER_STYLE[strategy]
                lw, label = (1.8 if strategy == "model" else 1.3), scorer_name(strategy, language)
            ax.plot(rows["threshold"], rows["net_benefit"], color=color, ls=ls, lw=lw)
            seen.setdefault(strategy, Line2D([], [], color=color, ls=ls, lw=lw, label=plots.rtl(label)))
        if threshold is not None:
            ax.axvline(threshold, color="0.7", lw=0.8, ls="-.")
        top = max(prevalence, 0.01)
        note = t["rows"].format(n=len(sub), k=sub["scenario"].nunique())
        _net_benefit_axes(ax, t, xlim=(0, 0.6), ylim=(-0.25 * top, top * 1.12), note=note, note_size=7.5)
        ax.set_title(plots.rtl(level_title(level, language)), fontsize=11, fontweight="bold")
    order = [s for s in SCORER_STYLE if s in seen] + [s for s in extra if s in seen]
    handles = [seen[s] for s in order]
    if threshold is not None:
        handles.append(Line2D([], [], color="0.7", lw=0.8, ls="-.", label=plots.rtl(t["cut"].format(t=threshold))))
    _legend(fig, handles, language, ncols=3)
    fig.suptitle(plots.rtl(t["dca_title"]), fontsize=13, fontweight="bold")
    plots._finish(fig, language)
    return fig


# --------------------------------------------------------------------------- real patients (NHANES)

#: Colour and line style of each strategy on NHANES decision curves.
NHANES_STYLE: dict[str, tuple[str, str]] = {
    "model": ("#1f4e9c", "-"),
    "real_cv": ("#b2182b", "--"),
    "guideline": ("#d95f02", "-"),
    "cb12": ("#7570b3", "-"),
    "risk_factor_score": ("#1b9e77", "-"),
}
#: Marker and colour of each series of the real-vs-simulated figure.
_MARGINAL_STYLE = {"2001-2004": ("o", "#1f4e9c"), "2011-2012": ("s", "#1b9e77"), "simulated": ("D", "#d95f02")}


def nhanes_decision(
    decision: pd.DataFrame,
    *,
    group: str,
    outcome: str,
    level: str,
    outcome_name: str,
    n: int,
    prevalence: float,
    language: str,
) -> Figure:
    """Survey-weighted net benefit against threshold on NHANES, for one group x outcome x level.

    Parameters
    ----------
    decision : pandas.DataFrame
        ``ExternalValidation.decision`` (group, outcome, level, strategy, threshold, net_benefit).
    group, outcome, level : str
        The cell drawn.
    outcome_name : str
        The outcome as the title names it, in ``language``.
    n : int
        Adults in the cell.
    prevalence : float
        Its weighted prevalence (sets the vertical range).
    language : {"en", "ar"}

    Returns
    -------
    matplotlib.figure.Figure
        Every strategy with probabilities, "test all" and "test none".
    """
    from matplotlib.lines import Line2D

    t = TEXT[language]
    cell = decision[(decision["group"] == group) & (decision["outcome"] == outcome) & (decision["level"] == level)]
    fig, axes = _grid(1, 1, 7.8, 5.4)
    ax = axes[0, 0]
    handles = []
    order = [s for s in NHANES_STYLE if s in set(cell["strategy"])]
    for strategy in order:
        rows = cell[cell["strategy"] == strategy].sort_values("threshold")
        color, ls = NHANES_STYLE[strategy]
        lw = 1.9 if strategy == "model" else 1.4
        ax.plot(rows["threshold"], rows["net_benefit"], color=color, ls=ls, lw=lw)
        handles.append(Line2D([], [], color=color, ls=ls, lw=lw, label=plots.rtl(scorer_name(strategy, language))))
    rows = cell[cell["strategy"] == "test all"].sort_values("threshold")
    if len(rows):
        ax.plot(rows["threshold"], rows["net_benefit"], color="#999999", lw=1.0)
        handles.append(Line2D([], [], color="#999999", lw=1.0, label=plots.rtl(t["test_all"])))
    ax.axhline(0.0, color="#000000", lw=1.0, ls=":")
    handles.append(Line2D([], [], color="#000000", lw=1.0, ls=":", label=plots.rtl(t["test_none"])))
    top = max(float(prevalence) if np.isfinite(prevalence) else 0.0, 0.01)
    hi = float(cell["threshold"].max()) if len(cell) else 0.3
    note = t["nh_dca_note"].format(group=group, n=int(n), prev=f"{prevalence:.1%}")
    _net_benefit_axes(ax, t, xlim=(0, hi), ylim=(-0.3 * top, top * 1.15), note=note, note_size=8)
    _legend(fig, handles, language, ncols=3)
    title = t["nh_dca_title"].format(outcome=outcome_name, level=word(f"level.{level}", language))
    fig.suptitle(plots.rtl(title), fontsize=12, fontweight="bold")
    plots._finish(fig, language)
    return fig


def _dot_panel(ax: Axes, rows: list[tuple[str, dict[str, float]]], series: list[str], labels: dict[str, str]) -> None:
    """One horizontal dot chart: a row per stratum (top to bottom), a marker per series."""
    y = np.arange(len(rows))[::-1]
    for yy, (_, values) in zip(y, rows, strict=True):
        finite = [v for v in values.values() if np.isfinite(v)]
        if len(finite) > 1:
            ax.plot([min(finite), max(finite)], [yy, yy], color="0.8", lw=1.0, zorder=1)
    for name in series:
        marker, color = _MARGINAL_STYLE[name if name in _MARGINAL_STYLE else "simulated"]
        xs = [values.get(name, np.nan) for _, values in rows]
        ax.scatter(xs, y, marker=marker, s=34, color=color, zorder=3, label=labels[name], edgecolors="white", lw=0.5)
    ax.set_yticks(y, [plots.rtl(stratum) for stratum, _ in rows])
    ax.set_ylim(-0.6, len(rows) - 0.4)
    _style(ax)


def nhanes_marginals(marginals: pd.DataFrame, language: str) -> Figure:
    """Real (NHANES, weighted) against simulated adults: share below 148 pmol/L by stratum,
    serum B12 percentiles, and median MMA by age band; one marker per cycle group.

    Parameters
    ----------
    marginals : pandas.DataFrame
        ``ExternalValidation.marginals`` (group, metric, stratum, real, simulated, ratio).
    language : {"en", "ar"}

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.ticker import PercentFormatter

    from b12risk.reporting.text import NHANES_STRATA

    t = TEXT[language]
    i = 0 if language == "en" else 1
    groups = list(dict.fromkeys(marginals["group"]))
    series = [*groups, "simulated"]
    labels = {g: plots.rtl(t["nh_real"].format(group=g)) for g in groups} | {"simulated": plots.rtl(t["nh_sim"])}

    def rows_of(metric_of: dict[str, str], stratum_label) -> list[tuple[str, dict[str, float]]]:
        out = []
        for key, (metric, stratum) in metric_of.items():
            sel = marginals[(marginals["metric"] == metric) & (marginals["stratum"] == stratum)]
            if not len(sel):
                continue
            values = {r["group"]: float(r["real"]) for r in sel.to_dict("records")}
            values["simulated"] = float(sel["simulated"].iloc[0])
            out.append((stratum_label(key), values))
        return out

    def stratum_name(key: str) -> str:
        return NHANES_STRATA[key][i] if key in NHANES_STRATA else key

    low = rows_of(
        {k: ("share serum B12 < 148", k) for k in ("20+", "20-39", "40-59", "60+", "metformin users", "no metformin")},
        stratum_name,
    )
    pct = rows_of({f"p{q}": (f"serum B12 p{q} (pmol/L)", "20+") for q in (5, 25, 50, 75, 95)}, str)
    mma = rows_of({k: ("MMA median (umol/L)", k) for k in ("20-39", "40-59", "60-69", "70+")}, stratum_name)
    fig, axes = _grid(1, 3, 13.0, 4.8)
    panels = _panels(axes, language)
    for ax, rows, title, xlabel in (
        (panels[0], low, t["nh_low_title"], t["nh_share"]),
        (panels[1], pct, t["nh_pct_title"], t["nh_pmol"]),
        (panels[2], mma, t["nh_mma_title"], t["nh_umol"]),
    ):
        if rows:
            _dot_panel(ax, rows, series, labels)
        ax.set_title(plots.rtl(title), fontsize=10.5, fontweight="bold")
        ax.set_xlabel(plots.rtl(xlabel), fontsize=9)
    panels[0].xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    panels[0].set_xlim(left=0)
    handles = next((h for h in (ax.get_legend_handles_labels()[0] for ax in panels) if h), [])
    if handles:
        _legend(fig, handles, language, ncols=len(handles))
    fig.suptitle(plots.rtl(t["nh_marg_title"]), fontsize=13, fontweight="bold")
    plots._finish(fig, language)
    return fig


# --------------------------------------------------------------------------- SHAP


def beeswarm(values: pd.DataFrame, data: pd.DataFrame, labels: Mapping[str, str], level: str, language: str):
    """:func:`b12risk.reporting.plots.beeswarm` with a title naming the information level."""
    fig = plots.beeswarm(values, data, labels=labels, language=language, max_display=16)
    title = TEXT[language]["beeswarm_title"].format(level=level_title(level, language))
    fig.suptitle(plots.rtl(title), fontsize=12, fontweight="bold")
    plots._finish(fig, language)
    return fig


def field_labels(names: Sequence[str], language: str) -> dict[str, str]:
    from b12risk.knowledge.schema import features

    feats = features()
    return {n: (feats[n].label_ar if language == "ar" else feats[n].label_en) for n in names}
