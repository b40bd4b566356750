"""What the report says about the measurement on real patients (NHANES): its banner and findings.

Every statement is generated from the tables, whichever way the numbers point
(:mod:`b12risk.modelling.verdicts` judges them); a finding's HTML attributes
name what it compares, so a reader (or a test) can find it.
"""

from __future__ import annotations

import math
from typing import Any

from b12risk.modelling.modelcard import nhanes_limitations
from b12risk.modelling.verdicts import (
    GROUPS_SHOWN,
    auroc_text,
    calibration_verdict,
    compare_auroc,
    is_paired,
    nhanes_headline,
    nhanes_row,
    paired_values,
    ratio_verdict,
)
from b12risk.nhanes.outcomes import OUTCOMES
from b12risk.reporting.data import ReportData
from b12risk.reporting.figures.layout import scorer_name
from b12risk.reporting.figures.nhanes import decision_strategies
from b12risk.reporting.html.markup import esc, num, pct
from b12risk.words import has
from b12risk.words import t as word

__all__ = ["TONE", "banner", "context", "findings", "groups_shown", "outcome_short"]


#: Comparisons stated in the findings: (outcome, level, the scorer the model is compared with).
_NH_COMPARISONS = (
    ("raised_mma", "serum_b12", "serum_b12"),
    ("raised_mma", "serum_b12", "real_cv"),
    ("raised_mma", "full_panel", "serum_b12"),
    ("raised_mma", "full_panel", "real_cv"),
    ("raised_mma", "risk_factors", "real_cv"),
)
#: Class of a finding by its verdict: unfavourable red, favourable green.
TONE = {
    "worse": "finding-bad",
    "better": "finding-ok",
    "under": "finding-bad",
    "over": "finding-bad",
    "ok": "finding-ok",
    "more": "finding-bad",
    "fewer": "finding-bad",
    "close": "finding-ok",
}


def groups_shown(d: ReportData) -> list[str]:
    """Cycle groups shown, in order: 2001-2004 pooled, then 2011-2012."""
    perf = d.nhanes.performance
    present = set(perf["group"]) if not perf.empty else set()
    return [g for g in GROUPS_SHOWN if g in present]


def outcome_short(d: ReportData, outcome: str) -> str:
    """An outcome's short name ("raised MMA") in the page's language."""
    if has(f"nh.short.{outcome}"):
        return d.w(f"nh.short.{outcome}")
    return OUTCOMES[outcome].label(d.language) if outcome in OUTCOMES else outcome


def context(d: ReportData, group: str, outcome: str, level: str) -> str:
    """Where a statement applies: "2001-2004, raised MMA, with serum B12"."""
    return d.w("nh.ctx", group=group, outcome=outcome_short(d, outcome), level=word(f"level.{level}", d.language))


def banner(d: ReportData) -> str:
    """The top banner: what the model did on real patients, or that it was not checked."""
    if d.nhanes is None:
        return f'<p class="banner warn" id="nhanes-banner"><a href="#nhanes">{esc(d.w("nh_banner_omitted"))}</a></p>'
    head = nhanes_headline(d.nhanes)
    said = nhanes_limitations(d.nhanes, d.language)[:2]
    if head is None or not said:
        return ""
    if head.rank == "worse" or head.calibration in ("under", "over"):
        tone = "danger"
    elif head.rank == "better" and head.calibration == "ok":
        tone = "ok"
    else:
        tone = "warn"
    return (
        f'<p class="banner {tone}" id="nhanes-banner" data-rank="{esc(head.rank)}" '
        f'data-calibration="{esc(head.calibration)}"><a href="#nhanes"><strong>{esc(d.w("nh_banner"))}</strong></a> '
        f"{esc(' '.join(said))}</p>"
    )


def findings(d: ReportData) -> list[tuple[dict[str, Any], str]]:
    """(attributes, text) of each statement, generated from the tables."""
    v, lang = d.nhanes, d.language
    perf = v.performance
    out: list[tuple[dict[str, Any], str]] = []
    for group in groups_shown(d):
        for outcome, level, other in _NH_COMPARISONS:
            model = nhanes_row(perf, group, outcome, level, "model")
            them = nhanes_row(perf, group, outcome, level, other)
            if model is None or them is None:
                continue
            verdict = compare_auroc(model, them)
            paired = is_paired(them)
            text = d.w(
                f"nh.cmp.{'paired.' if paired else ''}{verdict}",
                context=context(d, group, outcome, level),
                other=d.w(f"nh.other.{other}") if has(f"nh.other.{other}") else scorer_name(other, lang),
                a=auroc_text(model),
                b=auroc_text(them),
                **(paired_values(them) if paired else {}),
            )
            attrs = {"finding": f"rank-{other}", "group": group, "outcome": outcome, "level": level}
            out.append(({**attrs, "verdict": verdict}, text))
        model = nhanes_row(perf, group, "raised_mma", "serum_b12", "model")
        verdict = calibration_verdict(model["oe"]) if model else None
        if verdict:
            text = d.w(
                f"nh.cal.{verdict}",
                context=context(d, group, "raised_mma", "serum_b12"),
                pred=pct(model["predicted"]),
                obs=pct(model["prevalence"]),
                oe=num(model["oe"], 2),
            )
            out.append(({"finding": "calibration", "group": group, "verdict": verdict}, text))
        cells = perf[(perf["group"] == group) & (perf["scorer"] == "model")]
        oes = [(r["outcome"], r["level"], float(r["oe"])) for r in cells.to_dict("records") if math.isfinite(r["oe"])]
        if oes:
            items = (";" if lang == "en" else "؛").join(
                f" {outcome_short(d, o)} ({word(f'level.{lv}', lang)}) {num(oe, 2)}" for o, lv, oe in oes
            )
            off = sum(calibration_verdict(oe) != "ok" for _, _, oe in oes)
            text = d.w("nh.cal_all", group=group, items=items.strip(), k=off, n=len(oes))
            out.append(({"finding": "calibration-all", "group": group}, text))
        dca = _nh_dca_counts(d, group, "raised_mma", "serum_b12")
        if dca:
            out.append(({"finding": "decision", "group": group}, dca))
    out.append(({"finding": "caveat"}, d.w("nh.caveat")))
    marg = v.marginals
    for group in [g for g in dict.fromkeys(marg["group"])] if not marg.empty else []:
        rows = marg[marg["group"] == group]
        low = rows[(rows["metric"] == "share serum B12 < 148") & (rows["stratum"] == "20+")]
        if not len(low) or not float(low["real"].iloc[0]) > 0:
            continue
        real, sim = float(low["real"].iloc[0]), float(low["simulated"].iloc[0])
        ratio = sim / real
        verdict = ratio_verdict(ratio)
        text = d.w(f"nh.sim.{verdict}", sim=pct(sim), real=pct(real), group=group, ratio=f"{ratio:.1f}")
        strata = rows[(rows["metric"] == "share serum B12 < 148") & (rows["stratum"] != "20+") & (rows["real"] > 0)]
        if len(strata):
            gap = (strata["simulated"] / strata["real"]).map(lambda r: abs(math.log(r)) if r > 0 else math.inf)
            worst = strata.loc[gap.idxmax()]
            key = f"nh.stratum.{worst['stratum']}"
            stratum = word(key, lang) if has(key) else worst["stratum"]
            text += " " + d.w("nh.sim.stratum", stratum=stratum, sim=pct(worst["simulated"]), real=pct(worst["real"]))
        median = rows[(rows["metric"] == "serum B12 p50 (pmol/L)") & (rows["stratum"] == "20+")]
        if len(median):
            text += " " + d.w(
                "nh.sim.median", sim=f"{median['simulated'].iloc[0]:.0f}", real=f"{median['real'].iloc[0]:.0f}"
            )
        out.append(({"finding": "simulator", "group": group, "verdict": verdict}, text))
    return out


def _nh_dca_counts(d: ReportData, group: str, outcome: str, level: str) -> str | None:
    """How many thresholds each strategy beats both testing everyone and no one at."""
    dc = d.nhanes.decision
    if dc.empty:
        return None
    cell = dc[(dc["group"] == group) & (dc["outcome"] == outcome) & (dc["level"] == level)]
    ref = cell[cell["strategy"] == "test all"].set_index("threshold")["net_benefit"].sort_index()
    if ref.empty:
        return None
    floor = ref.clip(lower=0.0)
    items = []
    for strategy in decision_strategies(cell["strategy"]):
        nb = cell[cell["strategy"] == strategy].set_index("threshold")["net_benefit"].reindex(floor.index)
        items.append(f"{scorer_name(strategy, d.language)} {int((nb > floor).sum())}")
    if not items:
        return None
    return d.w(
        "nh.dca",
        context=context(d, group, outcome, level),
        n=len(floor),
        lo=f"{floor.index.min():.2f}",
        hi=f"{floor.index.max():.2f}",
        items=("; " if d.language == "en" else "؛ ").join(items),
    )
