"""Section 3 of the report: performance on fresh simulated cohorts, subgroups and the release gate.

Every scorer of the evaluation (:data:`b12risk.modelling.scorers.TRAINING_SCORERS`)
that the evaluation table holds is shown, in the scorer table's order.
"""

from __future__ import annotations

from b12risk.knowledge import LEVELS
from b12risk.modelling.scorers import TRAINING_SCORERS
from b12risk.reporting.data import ReportData
from b12risk.reporting.figures.curves import calibration, decision, discrimination
from b12risk.reporting.figures.layout import level_title, scorer_name
from b12risk.reporting.figures.saving import FigureWriter
from b12risk.reporting.html.markup import bdi, ci, code, esc, ltr, ltr_ci, num, section, table, td
from b12risk.words import t as word

__all__ = ["render"]


_PERF_METRICS = (
    ("auroc", False),
    ("auprc", False),
    ("brier", False),
    ("cal_slope", False),
    ("cal_intercept", True),
)


def _performance_table(d: ReportData, level: str) -> str:
    t = d.table[d.table.level == level]
    head = d.head("scenario n prevalence scorer")
    head += [esc(d.w(f"metric.{m}")) for m, _ in _PERF_METRICS]
    rows, attrs = [], []
    for scenario in t.scenario.drop_duplicates():
        ts = t[t.scenario == scenario]
        scorers = [s for s in TRAINING_SCORERS if s in set(ts.scorer)]
        first = ts[(ts.scorer == "model")]
        n = first[first.metric == "n"].estimate
        prev = first[first.metric == "prevalence"].estimate
        for i, scorer in enumerate(scorers):
            tt = ts[ts.scorer == scorer].set_index("metric")
            row = []
            if i == 0:
                span = len(scorers)
                row += [
                    td(code(scenario), rowspan=span),
                    td(ltr(f"{int(n.iloc[0]):,}" if len(n) else "–"), rowspan=span, class_="num"),
                    td(ltr(num(prev.iloc[0]) if len(prev) else "–"), rowspan=span, class_="num"),
                ]
            row.append(td(esc(scorer_name(scorer, d.language)), class_="scorer"))
            for metric, signed in _PERF_METRICS:
                if metric in tt.index:
                    r = tt.loc[metric]
                    text = ci(r.estimate, r.lo, r.hi, signed=signed)
                else:
                    text = "–"
                row.append(
                    td(
                        ltr_ci(text),
                        class_="num",
                        data_scenario=scenario,
                        data_level=level,
                        data_scorer=scorer,
                        data_metric=metric,
                    )
                )
            rows.append(row)
            attrs.append({"class": f"scorer-{scorer}"})
    return table(head, rows, row_attrs=attrs, id=f"performance-{level}", class_="perf")


def _subgroup_table(d: ReportData) -> str:
    s = d.subgroups
    rows, attrs = [], []
    for r in s.itertuples(index=False):
        flagged = bool(r.flag) if not isinstance(r.flag, str) else r.flag.lower() == "true"
        reason = r.flag_reason if isinstance(r.flag_reason, str) else ""
        rows.append(
            [
                esc(word(f"level.{r.info_level}", d.language)),
                code(r.grouping),
                bdi(r.level),
                td(ltr(f"{int(r.n):,}"), class_="num"),
                td(ltr(num(r.prevalence)), class_="num"),
                td(ltr_ci(ci(r.auroc, r.auroc_lo, r.auroc_hi)), class_="num"),
                td(ltr_ci(ci(r.cal_slope, r.cal_slope_lo, r.cal_slope_hi, 2)), class_="num"),
                td(ltr_ci(ci(r.cal_intercept, r.cal_intercept_lo, r.cal_intercept_hi, 2, signed=True)), class_="num"),
                td(ltr(num(r.sensitivity, 2)), class_="num"),
                td(ltr(num(r.specificity, 2)), class_="num"),
                (f'<strong class="bad">{esc(d.w("flagged"))}</strong> ' if flagged else "") + bdi(reason),
            ]
        )
        attrs.append({"class": "flag" if flagged else None, "data_flag": str(flagged).lower()})
    head = d.head(
        "level grouping subgroup n prevalence metric.auroc metric.cal_slope metric.cal_intercept sensitivity specificity flag"
    )
    n_flag = sum(a["data_flag"] == "true" for a in attrs)
    summary = f"<p>{esc(d.w('subgroup_summary', k=n_flag, n=len(rows)))}</p>"
    return summary + table(head, rows, row_attrs=attrs, id="subgroups-table")


def _gate(d: ReportData) -> str:
    gate = d.meta.get("gate", {})
    passed = bool(gate.get("passed"))
    crit = gate.get("criteria", {})
    status = d.w("gate_passed") if passed else d.w("gate_failed", n=len(gate.get("failures", [])))
    out = [
        f'<p id="gate-status" class="{"ok" if passed else "bad"}" data-passed="{str(passed).lower()}"><strong>{esc(status)}</strong></p>',
        f"<p>{esc(d.w('gate_criteria', margin=crit.get('auroc_margin'), lo=crit.get('slope_low'), hi=crit.get('slope_high'), imax=crit.get('intercept_max')))}</p>",
    ]
    real = gate.get("real_data") or {}
    if real.get("required"):
        groups = ", ".join(crit.get("real_groups") or [])
        intro = d.w(
            "gate_criteria_real",
            groups=groups,
            se=crit.get("real_auroc_margin_se"),
            factor=crit.get("real_calibration_factor"),
        )
        checks = [
            [
                code(c["scenario"]),
                esc(word(f"level.{c['level']}", d.language)),
                bdi(c["check"]),
                ("✓" if c["passed"] else "✗") if c["gated"] else "–",  # "–": reported, not gated
                bdi(c["detail"]),
            ]
            for c in real.get("checks", [])
        ]
        out.append(f"<p>{esc(intro)}</p>")
        out.append(table(d.head("scenario level check status detail"), checks, id="gate-real-data"))
    elif gate:
        out.append(f"<p>{esc(d.w('gate_real_not_required'))}</p>")
    failures = gate.get("failures", [])
    if failures:
        rows = [
            [
                code(f["scenario"]),
                esc(word(f"level.{f['level']}", d.language)),
                bdi(f["check"]),
                td(ltr(num(f["by"], 4)), class_="num"),
                bdi(f["detail"]),
            ]
            for f in failures
        ]
        out.append(
            table(
                d.head("scenario level check by detail"),
                rows,
                id="gate-failures",
            )
        )
    return "".join(out)


def render(d: ReportData, fw: FigureWriter) -> str:
    """Performance on fresh simulated cohorts: tables, curves, subgroups and the release gate."""
    lang = d.language
    e = d.meta["config"]["evaluation"]
    body = [f"<p>{esc(d.w('perf_intro', boot=e['n_boot'], thr=d.meta.get('decision_threshold')))}</p>"]
    for level in LEVELS:
        body.append(f"<h3>{esc(level_title(level, lang))}</h3>{_performance_table(d, level)}")
    body.append(f"<h3>{esc(d.w('curves'))}</h3><p>{esc(d.w('curves_intro'))}</p>")
    for kind in ("roc", "pr"):
        body.append(
            fw.add(discrimination(d.curves, kind, lang), kind, alt=d.w(f"alt.{kind}"), caption=esc(d.w(f"cap.{kind}")))
        )
    body.append(f"<h3>{esc(d.w('calibration'))}</h3><p>{esc(d.w('calibration_intro'))}</p>")
    for level in LEVELS:
        fig = calibration(d.curves, d.table, level, lang)
        body.append(fw.add(fig, f"calibration_{level}", alt=d.w("alt.calibration", level=level_title(level, lang))))
    body.append(f"<h3>{esc(d.w('decision'))}</h3><p>{esc(d.w('decision_intro'))}</p>")
    fig = decision(d.curves, d.meta.get("decision_threshold"), lang)
    body.append(fw.add(fig, "decision", alt=d.w("alt.decision")))
    rows = int(e.get("subgroup_rows", 60000))
    body.append(
        f'<h3 id="subgroups">{esc(d.w("subgroups"))}</h3>'
        f"<p>{esc(d.w('subgroups_intro', rows=rows))}</p>{_subgroup_table(d)}"
    )
    body.append(f'<h3 id="gate">{esc(d.w("gate"))}</h3>{_gate(d)}')
    return section("performance", d.w("h.performance"), "".join(body))
