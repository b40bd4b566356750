"""Section 3b of the report: the model on real US adults (NHANES), its tables and figures.

The section's findings and the top banner come from
:mod:`b12risk.reporting.html.nhanes_findings`; scorers are listed in the scorer
table's order (:data:`b12risk.modelling.scorers.VALIDATION_SCORERS`).
"""

from __future__ import annotations

import math
from typing import Any

from b12risk.modelling.scorers import VALIDATION_SCORERS as SCORERS
from b12risk.modelling.verdicts import HEADLINE, RATIO_OK, nhanes_headline, nhanes_row
from b12risk.nhanes.outcomes import OUTCOMES
from b12risk.reporting.data import ReportData
from b12risk.reporting.figures.layout import scorer_name
from b12risk.reporting.figures.nhanes import nhanes_decision, nhanes_marginals
from b12risk.reporting.figures.saving import FigureWriter
from b12risk.reporting.html.markup import attributes, bdi, ci, code, esc, ltr, ltr_ci, num, pct, section, table, td
from b12risk.reporting.html.nhanes_findings import TONE, findings, groups_shown, outcome_short
from b12risk.words import has
from b12risk.words import t as word

__all__ = ["render"]


def _sep(d: ReportData) -> str:
    return "، " if d.language == "ar" else ", "


def _txt(value: Any) -> str:
    """A text cell of a table read back from CSV: '' for an empty (NaN) cell."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return ""
    return str(value)


def _nh_group_title(d: ReportData, group: str) -> str:
    return d.w(f"nh_group.{group}") if has(f"nh_group.{group}") else d.w("nh_group_any", group=group)


def _nh_cycles_table(d: ReportData) -> str:
    rows = []
    for r in d.nhanes.adapter.to_dict("records"):

        def count(key: str, r: dict[str, Any] = r) -> tuple[str, dict[str, Any]]:
            value = r.get(key)
            shown = f"{int(value):,}" if value is not None and math.isfinite(float(value)) else "–"
            return td(ltr(shown), class_="num")

        rows.append(
            [
                ltr(str(r.get("cycle", "–"))),
                count("adults"),
                count("with serum_b12_pmol_l"),
                count("with mma_umol_l"),
                count("with hcy_umol_l"),
                bdi(_txt(r.get("b12_method")) or "–"),
            ]
        )
    return table(d.head("cycle adults with_b12 with_mma with_hcy assay"), rows, id="nhanes-cycles")


def _nh_outcomes_table(d: ReportData) -> str:
    groups = [g for g in groups_shown(d) if f"n {g}" in d.nhanes.outcomes.columns]
    head = d.head("outcome nh_definition hidden levels")
    head += [esc(d.w("col.prev_in", group=g)) for g in groups] + d.head("source")
    rows, attrs = [], []
    for r in d.nhanes.outcomes.to_dict("records"):
        name = str(r["outcome"])
        label = OUTCOMES[name].label(d.language) if name in OUTCOMES else _txt(r.get("label")) or name
        hidden = [h.strip() for h in _txt(r.get("hidden from scorers")).split(",") if h.strip()]
        levels = [lv.strip() for lv in _txt(r.get("levels")).split(",") if lv.strip()]
        row = [
            f"{esc(label)}<br>{code(name)}",
            bdi(_txt(r.get("definition"))),
            " ".join(code(h) for h in hidden) or "–",
            esc(_sep(d).join(word(f"level.{lv}", d.language) for lv in levels)) or "–",
        ]
        for g in groups:
            n, prev = r.get(f"n {g}"), r.get(f"prevalence {g}")
            if n is None or not math.isfinite(float(n)) or int(n) == 0:
                row.append(td("–", class_="num"))
            else:
                row.append(td(f"{ltr(pct(prev))} {ltr(f'({int(n):,})')}", class_="num", data_group=g))
        row.append(bdi(_txt(r.get("source"))))
        rows.append(row)
        attrs.append({"data_outcome": name})
    return table(head, rows, row_attrs=attrs, id="nhanes-outcomes")


def _nh_cell_table(d: ReportData, group: str, outcome: str, level: str, cell: Any) -> str:
    by = {r["scorer"]: r for r in cell.to_dict("records")}
    order = [s for s in SCORERS if s in by] + [s for s in by if s not in SCORERS]
    rows, attrs = [], []
    for scorer in order:
        r = by[scorer]
        where = {"data_group": group, "data_outcome": outcome, "data_level": level, "data_scorer": scorer}
        rows.append(
            [
                td(esc(scorer_name(scorer, d.language)), class_="scorer"),
                td(ltr_ci(ci(r["auroc"], r["auroc_lo"], r["auroc_hi"])), class_="num", data_metric="auroc", **where),
                td(ltr(num(r["auroc_weighted"])), class_="num", data_metric="auroc_weighted", **where),
                td(ltr(pct(r.get("predicted"))), class_="num", data_metric="predicted", **where),
                td(ltr(num(r.get("oe"), 2)), class_="num", data_metric="oe", **where),
                td(ltr(num(r.get("intercept"), 2, signed=True)), class_="num", data_metric="intercept", **where),
                td(ltr(num(r.get("slope"), 2)), class_="num", data_metric="slope", **where),
            ]
        )
        attrs.append({"class": f"scorer-{scorer}"})
    head = d.head("scorer auroc_ci auroc_w predicted oe cal_intercept cal_slope")
    return table(head, rows, row_attrs=attrs, id=f"nhanes-{group}-{outcome}-{level}")


def _nh_value(metric: str, x: Any) -> str:
    if x is None or not math.isfinite(float(x)):
        return "–"
    if metric.startswith("share"):
        return pct(x)
    if "(pmol/L)" in metric:
        return f"{float(x):.0f}"
    return num(x, 3)


def _nh_marginals_table(d: ReportData) -> str:
    marg = d.nhanes.marginals
    groups = list(dict.fromkeys(marg["group"]))
    head = d.head("metric stratum") + [esc(d.w("col.real_in", group=g)) for g in groups] + d.head("simulated")
    head += [esc(d.w("col.ratio_in", group=g)) for g in groups]
    rows, attrs = [], []
    for metric, stratum in dict.fromkeys(zip(marg["metric"], marg["stratum"], strict=True)):
        sel = marg[(marg["metric"] == metric) & (marg["stratum"] == stratum)].set_index("group")
        ratios = [float(sel.loc[g, "ratio"]) if g in sel.index else math.nan for g in groups]
        off = any(math.isfinite(r) and not RATIO_OK[0] <= r <= RATIO_OK[1] for r in ratios)
        where = {"data_metric": metric, "data_stratum": stratum}
        row = [
            esc(d.w(f"nh.metric.{metric}")) if has(f"nh.metric.{metric}") else bdi(metric),
            esc(d.w(f"nh.stratum.{stratum}")) if has(f"nh.stratum.{stratum}") else bdi(stratum),
        ]
        row += [
            td(ltr(_nh_value(metric, sel.loc[g, "real"] if g in sel.index else None)), class_="num") for g in groups
        ]
        row.append(td(ltr(_nh_value(metric, sel["simulated"].iloc[0])), class_="num"))
        row += [td(ltr(num(r, 2)), class_="num") for r in ratios]
        rows.append(row)
        attrs.append({"class": "flag" if off else None, "data_off": str(off).lower(), **where})
    return table(head, rows, row_attrs=attrs, id="nhanes-marginals")


def render(d: ReportData, fw: FigureWriter) -> str:
    """The section on real patients, or a note that this build left it out."""
    if d.nhanes is None:
        return section("nhanes", d.w("h.nhanes"), f'<p class="note" id="nhanes-omitted">{esc(d.w("nh_omitted"))}</p>')
    v, lang = d.nhanes, d.language
    notes = v.notes or {}
    body = []
    if v.model_version != d.loaded.version:
        body.append(
            f'<p class="banner warn" id="nhanes-version">'
            f"{esc(d.w('nh_version', measured=v.model_version, version=d.loaded.version))}</p>"
        )
    cycles = list(v.adapter["cycle"].astype(str)) if "cycle" in v.adapter else list(notes.get("cycles", []))
    body.append(f"<p>{esc(d.w('nh_intro', cycles=_sep(d).join(cycles)))}</p>")
    body.append(f"<p>{esc(d.w('nh_assays'))}</p>{_nh_cycles_table(d)}")
    statements = "".join(
        f"<li{attributes({f'data_{k}': val for k, val in a.items()} | {'class': TONE.get(a.get('verdict'))})}>"
        f"{esc(text)}</li>"
        for a, text in findings(d)
    )
    body.append(
        f'<h3 id="nhanes-findings-head">{esc(d.w("nh_findings"))}</h3><p>{esc(d.w("nh_findings_intro"))}</p>'
        f'<ul id="nhanes-findings">{statements}</ul>'
    )
    body.append(
        f"<h3>{esc(d.w('nh_outcomes'))}</h3><p>{esc(d.w('nh_outcomes_intro'))}</p>{_nh_outcomes_table(d)}"
        f"<p>{esc(d.w('nh_hidden'))}</p>"
    )
    perf = v.performance
    for group in groups_shown(d):
        body.append(
            f'<h3 id="nhanes-{esc(group)}">{esc(_nh_group_title(d, group))}</h3><p>{esc(d.w("nh_group_intro"))}</p>'
        )
        for (outcome, level), cell in perf[perf["group"] == group].groupby(["outcome", "level"], sort=False):
            first = cell.iloc[0]
            short = outcome_short(d, outcome)
            title = f"{short[:1].upper() + short[1:] if lang == 'en' else short}: {word(f'level.{level}', lang)}"
            note = d.w("nh_cell", n=int(first["n"]), events=int(first["events"]), prev=pct(first["prevalence"]))
            body.append(f"<h4>{esc(title)}</h4><p>{esc(note)}</p>{_nh_cell_table(d, group, outcome, level, cell)}")
    head = nhanes_headline(v)
    if head is not None and not v.decision.empty:
        outcome, level = HEADLINE
        model = nhanes_row(perf, head.group, outcome, level, "model")
        fig = nhanes_decision(
            v.decision,
            group=head.group,
            outcome=outcome,
            level=level,
            outcome_name=outcome_short(d, outcome),
            n=int(model["n"]),
            prevalence=float(model["prevalence"]),
            language=lang,
        )
        intro = d.w(
            "nh_dca_intro", outcome=outcome_short(d, outcome), level=word(f"level.{level}", lang), group=head.group
        )
        body.append(f"<h3>{esc(d.w('nh_dca'))}</h3><p>{esc(intro)}</p>")
        body.append(fw.add(fig, "nhanes_decision", alt=d.w("alt.nh_decision")))
    if not v.marginals.empty:
        intro = d.w("nh_marginals_intro", n=int(notes.get("simulated_n", 0)), seed=notes.get("seed", "–"))
        body.append(f'<h3 id="nhanes-simulated">{esc(d.w("nh_marginals"))}</h3><p>{esc(intro)}</p>')
        fig = nhanes_marginals(v.marginals, lang)
        body.append(fw.add(fig, "nhanes_marginals", alt=d.w("alt.nh_marginals"), caption=esc(d.w("cap.nh_marginals"))))
        body.append(_nh_marginals_table(d))
    warned = notes.get("rows_with_training_range_warnings") or {}
    shown = "; ".join(f"{k}: {int(n):,}" for k, n in warned.items()) if warned else d.w("nh_none")
    body.append(
        f'<p class="note" id="nhanes-notes">{esc(d.w("nh_notes", seed=notes.get("seed", "–"), warned=shown))}</p>'
    )
    return section("nhanes", d.w("h.nhanes"), "".join(body))
