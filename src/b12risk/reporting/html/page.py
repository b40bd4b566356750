"""HTML of the reviewers' report; private to :mod:`b12risk.reporting.report`.

Small helpers that write escaped HTML, the page's inline style sheet, and one function
per section of the page. Every text comes from :mod:`b12risk.reporting.text` (English
or Arabic) or from the knowledge base and the model folder; numbers keep Western
digits and a left-to-right order inside Arabic text.
"""

from __future__ import annotations

import html
import json
import math
import tomllib
from typing import Any

from b12risk._version import __version__
from b12risk.i18n import t as word
from b12risk.i18n import t_unit, unit_forms
from b12risk.knowledge import LEVELS
from b12risk.reporting import figures as figs
from b12risk.reporting.data import SECTIONS
from b12risk.reporting.data import ReportData as _Data
from b12risk.reporting.text import (
    INTENDED_USE_AR,
    LIMITATIONS_AR,
    NHANES_METRICS,
    NHANES_STRATA,
    OUT_OF_SCOPE_AR,
    TRIPOD,
    USERS_AR,
    WORDS,
)

__all__ = ["render_page"]

_PERF_METRICS = (
    ("auroc", False),
    ("auprc", False),
    ("brier", False),
    ("cal_slope", False),
    ("cal_intercept", True),
)


# --------------------------------------------------------------------------- small HTML helpers


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _attrs(attrs: dict[str, Any] | None) -> str:
    # Python names stand for HTML ones: class_ -> class, data_level -> data-level.
    return "".join(f' {k.rstrip("_").replace("_", "-")}="{_e(v)}"' for k, v in (attrs or {}).items() if v is not None)


def _num(x: float, digits: int = 3, *, signed: bool = False) -> str:
    """A number as shown on the page: fixed digits, a true minus sign, '–' if missing."""
    if x is None or not math.isfinite(float(x)):
        return "–"
    text = f"{float(x):+.{digits}f}" if signed else f"{float(x):.{digits}f}"
    return text.replace("-", "−")


def _ci(est: float, lo: float, hi: float, digits: int = 3, *, signed: bool = False) -> str:
    """``estimate (lo–hi)``; spaced dash when a bound is negative; '–' without an estimate."""
    if est is None or not math.isfinite(float(est)):
        return "–"
    a, b = _num(lo, digits, signed=signed), _num(hi, digits, signed=signed)
    sep = " – " if "−" in a + b else "–"
    return f"{_num(est, digits, signed=signed)} ({a}{sep}{b})"


def _d(text: Any) -> str:
    """Data as written in seeds/ or the model folder (often English): its own direction."""
    return f"<bdi>{_e(text)}</bdi>"


def _n(text: str) -> str:
    """Numbers keep left-to-right order inside Arabic text."""
    return f'<span class="n" dir="ltr">{_e(text)}</span>'


def _nci(text: str) -> str:
    """An ``estimate (interval)`` that may break before the interval in a narrow column."""
    est, sep, rest = text.partition(" (")
    return _n(est) + (f" {_n('(' + rest)}" if sep else "")


def _probability(p: float) -> str:
    """A probability with three decimals; the extremes as bounds rather than a false 0 or 1."""
    return "<0.001" if p < 0.0005 else ">0.999" if p >= 0.9995 else f"{p:.3f}"


def _cell(content: str, **attrs: Any) -> tuple[str, dict[str, Any]]:
    return content, attrs


def _table(head: list[str], rows: list[list[Any]], *, row_attrs: list[dict] | None = None, **attrs: Any) -> str:
    """A table; each cell is HTML text or ``(html, attributes)``."""
    out = [f'<div class="scroll"><table{_attrs(attrs)}><thead><tr>']
    out += [f"<th>{h}</th>" for h in head]
    out.append("</tr></thead><tbody>")
    for i, row in enumerate(rows):
        out.append(f"<tr{_attrs(row_attrs[i] if row_attrs else None)}>")
        for c in row:
            content, a = c if isinstance(c, tuple) else (c, {})
            out.append(f"<td{_attrs(a)}>{content}</td>")
        out.append("</tr>")
    out.append("</tbody></table></div>")
    return "".join(out)


def _list(items: list[str], tag: str = "ul") -> str:
    return f"<{tag}>" + "".join(f"<li>{i}</li>" for i in items) + f"</{tag}>"


def _section(sid: str, heading: str, body: str) -> str:
    return f'<section id="{sid}"><h2>{_e(heading)}</h2>{body}</section>'


def _code(text: str) -> str:
    return f'<code dir="ltr">{_e(text)}</code>'


# --------------------------------------------------------------------------- page top


def _alerts(d: _Data) -> str:
    gate = d.meta.get("gate", {})
    passed = bool(gate.get("passed"))
    parts = [
        f'<p class="banner danger" id="not-a-diagnosis"><strong>{_e(d.w("not_diagnosis_head"))}</strong> '
        f"{_e(d.w('not_diagnosis'))}</p>",
        f'<p class="banner warn" id="synthetic">{_e(d.w("synthetic"))}</p>',
    ]
    n_fail = len(gate.get("failures", []))
    status = d.w("gate_passed") if passed else d.w("gate_failed", n=n_fail)
    parts.append(
        f'<p class="banner {"ok" if passed else "danger"}" id="gate-banner" data-passed="{str(passed).lower()}">'
        f'<a href="#gate">{_e(status)}</a></p>'
    )
    bad = [c for c in d.checks if c.verdict != "agrees"]
    if bad:
        items = [f'{_e(c.label)}: <span class="bad">{_e(d.w("verdict." + c.verdict))}</span>' for c in bad]
        parts.append(
            f'<div class="banner danger" id="contradictions"><a href="#knowledge-check">'
            f"{_e(d.w('kc_bad', n=len(bad)))}</a>{_list(items)}</div>"
        )
    else:
        parts.append(f'<p class="banner ok" id="contradictions">{_e(d.w("kc_ok"))}</p>')
    parts.append(_nhanes_banner(d))
    recorded, current = d.meta.get("knowledge_fingerprint"), d.kb.fingerprint
    if recorded != current:
        parts.append(
            f'<p class="banner warn" id="fingerprint">'
            f"{_e(d.w('fp_mismatch', recorded=str(recorded)[:12], current=current[:12]))}</p>"
        )
    return f'<div id="alerts">{"".join(parts)}</div>'


def _nav(d: _Data) -> str:
    items = [f'<a href="#{s}">{_e(d.w("h." + s))}</a>' for s in SECTIONS]
    return f'<nav aria-label="{_e(d.w("contents"))}"><strong>{_e(d.w("contents"))}</strong>{_list(items, "ol")}</nav>'


# --------------------------------------------------------------------------- 1 model card


def _model_card(d: _Data) -> str:
    from b12risk.reporting.modelcard import INTENDED_USE, LIMITATIONS, OUT_OF_SCOPE, USERS

    ar = d.language == "ar"
    meta, cfg = d.meta, d.meta["config"]
    cohort, training = cfg["cohort"], meta.get("training", {})
    shares = cohort["scenarios"]
    total = sum(shares.values())
    eval_seeds = meta.get("seeds", {}).get("evaluation", {})
    n_eval = d.table[(d.table.scorer == "model") & (d.table.metric == "n")].groupby("scenario").estimate.first()
    rows = []
    for s in sorted(set(shares) | set(eval_seeds)):
        desc = d.kb.scenarios[s].description if s in d.kb.scenarios else ""
        share = shares.get(s, 0.0) / total
        rows.append(
            [
                _code(s),
                _d(desc),
                _n(f"{share:.0%}"),
                _n(f"{round(share * cohort['n']):,}"),
                _n(str(eval_seeds.get(s, "–"))),
                _n(f"{int(n_eval[s]):,}" if s in n_eval else "–"),
            ]
        )
    scen_table = _table(
        d.head("scenario description share train_rows eval_seed eval_rows"),
        rows,
        id="training-scenarios",
    )
    levels = ", ".join(f"{word('level.' + lv, d.language)} {cohort['levels'].get(lv, 0):.0%}" for lv in LEVELS)
    facts = [
        _training_rows(d, training, cohort),
        d.w("train_labs", share=cohort["survey_share"]),
        d.w("train_levels", levels=levels),
        d.w("train_missing"),
        d.w("train_imbalance"),
        d.w("eval_design", seed=cfg["evaluation"]["seed"], boot=cfg["evaluation"]["n_boot"]),
    ]
    m = cfg["model"]
    corrected = training.get("corrected_levels") or []
    model_facts = [
        d.w(
            "model_version",
            version=d.loaded.version,
            created=meta.get("created", "–"),
            state=d.w("released" if d.loaded.released else "unreleased"),
            pkg=meta.get("versions", {}).get("b12risk", "–"),
        ),
        d.w(
            "model_type",
            est=type(d.loaded.estimator).__name__,
            n_iter=training.get("n_iter", "–"),
            max_iter=m["max_iter"],
            lr=m["learning_rate"],
            leaves=m["max_leaf_nodes"],
            leaf=m["min_samples_leaf"],
            l2=m["l2_regularization"],
        ),
        d.w("model_calibration", levels=", ".join(corrected) if corrected else d.w("none")),
        d.w(
            "model_output",
            moderate=meta["risk_bands"]["moderate"],
            high=meta["risk_bands"]["high"],
            thr=meta.get("decision_threshold"),
        ),
    ]
    correction = training.get("correction", {})
    checked = training.get("calibration") or training.get("holdout") or {}  # the key of newer / older models
    cal_rows = [
        [
            _code(g),
            _cell(_n(f"{h['rows']:,}"), class_="num"),
            _cell(_n(_with_se(h["slope"], h.get("slope_se"))), class_="num"),
            _cell(_n(_with_se(h["intercept"], h.get("intercept_se"), signed=True)), class_="num"),
            _e(d.w("yes" if g in corrected else "no")),
            _cell(
                _n(
                    " / ".join(_num(v, 4, signed=i == 1) for i, v in enumerate(correction[g]))
                    if g in correction
                    else "–"
                ),
                class_="num",
            ),
        ]
        for g, h in checked.items()
    ]
    cal_table = _table(
        d.head("group rows slope intercept corrected correction"),
        cal_rows,
        id="calibration-check",
    )
    body = [
        f'<p class="lead"><strong>{_e(d.w("not_diagnosis_head"))}</strong></p>',
        f"<h3>{_e(d.w('intended_use'))}</h3><p>{_e(INTENDED_USE_AR if ar else INTENDED_USE)}</p>",
        f"<h3>{_e(d.w('users'))}</h3><p>{_e(USERS_AR if ar else USERS.replace('`', ''))}</p>",
        f"<h3>{_e(d.w('out_of_scope'))}</h3>{_list([_e(x) for x in (OUT_OF_SCOPE_AR if ar else OUT_OF_SCOPE)])}",
        f"<h3>{_e(d.w('training_data'))}</h3>{_list([_e(x) for x in facts])}{scen_table}",
        f"<h3>{_e(d.w('the_model'))}</h3>{_list([_e(x) for x in model_facts])}{cal_table}",
        f"<h3>{_e(d.w('limitations'))}</h3>{_limitations(d, LIMITATIONS_AR if ar else LIMITATIONS)}",
    ]
    return _section("model-card", d.w("h.model-card"), "".join(body))


def _limitations(d: _Data, documented: list[str]) -> str:
    """The documented limitations, then those measured on real patients (or that none were)."""
    from b12risk.reporting.modelcard import nhanes_limitations

    measured = nhanes_limitations(d.nhanes, d.language) if d.nhanes is not None else [d.w("lim.omitted")]
    items = [f"<li>{_e(x)}</li>" for x in documented]
    items += [f'<li data-measured="nhanes">{_e(x)}</li>' for x in measured]
    return f'<ul id="limitations">{"".join(items)}</ul>'


def _training_rows(d: _Data, training: dict[str, Any], cohort: dict[str, Any]) -> str:
    """How many patients fitted the trees and how many checked calibration (either layout of metadata)."""
    if "calibration_rows" in training:  # calibration checked on a fresh simulated cohort
        return d.w(
            "train_rows_fresh",
            n=training.get("train_rows", cohort["n"]),
            seed=cohort["seed"],
            cal=training["calibration_rows"],
            cseed=training.get("calibration_seed", "–"),
        )
    return d.w(
        "train_rows",
        n=training.get("rows", cohort["n"]),
        seed=cohort["seed"],
        fit=training.get("train_rows", 0),
        hold=training.get("holdout_rows", 0),
    )


def _with_se(value: float, se: float | None, *, signed: bool = False) -> str:
    return _num(value, signed=signed) + (f" ± {_num(se)}" if se is not None else "")


# --------------------------------------------------------------------------- 2 provenance


def _q(value: float) -> str:
    return _n(f"{value:g}".replace("-", "−"))


def _provenance(d: _Data) -> str:
    kb, lang = d.kb, d.language
    cause_rows = []
    for name, c in kb.causes.items():
        head = [_code(name), _e(d.label(c)), _e(d.w("kind." + c.kind)), _e(d.w("mech." + c.mechanism))]
        if c.kind == "categorical":
            names = c.level_labels_ar if lang == "ar" else c.level_labels_en
            for lv, shown in zip(c.levels, names, strict=True):
                q = c.effects[lv]
                cause_rows.append([*head, _e(shown), _q(q.value), _d(q.unit), _d(q.source), _d(c.source)])
        else:
            q = c.effect
            detail = ""
            if c.kind == "exposure":
                years = f"{c.saturation.value:g}"
                if c.reference_dose:
                    dose = f"{c.reference_dose.value:g} {t_unit(c.reference_dose.unit, lang)}"
                    detail = d.w("exposure_detail", dose=dose, years=years)
                else:
                    detail = d.w("exposure_years", years=years)
            cause_rows.append([*head, _e(detail), _q(q.value), _d(q.unit), _d(q.source), _d(c.source)])
    causes = _table(
        d.head("key cause kind mechanism setting effect unit effect_source source"),
        cause_rows,
        id="provenance-causes",
    )
    symptom_rows = [
        [
            _code(k),
            _e(d.label(s)),
            _e(d.w("tier." + s.tier)),
            _e(d.w("yes" if s.neurological else "no")),
            _q(s.background.value),
            _d(s.background.source),
            _d(s.source),
        ]
        for k, s in kb.symptoms.items()
    ]
    symptoms = _table(
        d.head("key symptom tier neuro background rate_source source"),
        symptom_rows,
        id="provenance-symptoms",
    )
    marker_rows = [
        [_e(d.label(b)), _code(t), _q(q.value), _d(q.unit), _d(q.source)]
        for b in kb.biomarkers.values()
        for t, q in b.thresholds.items()
    ]
    markers = _table(
        d.head("biomarker threshold value unit source"),
        marker_rows,
        id="provenance-thresholds",
    )
    scen_rows = [[_code(k), _d(s.description), _code(s.region), _d(s.source)] for k, s in kb.scenarios.items()]
    scenarios = _table(
        d.head("scenario description region source"),
        scen_rows,
        id="provenance-scenarios",
    )
    lit_rows = []
    for k, e in kb.literature.items():
        q = e.estimate
        ci = f"{q.low:g}–{q.high:g}" if q.low is not None and q.high is not None and q.low != q.high else "–"
        lit_rows.append(
            [
                _code(k),
                _code(e.cause),
                _d(e.measure),
                _d(e.definition),
                _q(q.value),
                _n(ci),
                _d(q.unit),
                _e(d.w("status." + e.status)),
                _e(d.w("yes" if e.test else "no")),
                _d(q.source),
            ]
        )
    literature = _table(
        d.head("key cause measure definition value ci unit status target source"),
        lit_rows,
        id="provenance-literature",
    )
    body = [
        f"<p>{_e(d.w('prov_intro', fp=d.kb.fingerprint[:16]))}</p>",
        f"<h3>{_e(d.w('causes'))}</h3><p>{_e(d.w('causes_intro'))}</p>{causes}",
        f"<h3>{_e(d.w('symptoms'))}</h3>{symptoms}",
        f"<h3>{_e(d.w('thresholds'))}</h3>{markers}",
        f"<h3>{_e(d.w('scenarios'))}</h3>{scenarios}",
        f"<h3>{_e(d.w('literature'))}</h3><p>{_e(d.w('literature_intro'))}</p>{literature}",
    ]
    return _section("provenance", d.w("h.provenance"), "".join(body))


# --------------------------------------------------------------------------- 3 performance


def _performance_table(d: _Data, level: str) -> str:
    t = d.table[d.table.level == level]
    head = d.head("scenario n prevalence scorer")
    head += [_e(d.w(f"metric.{m}")) for m, _ in _PERF_METRICS]
    rows, attrs = [], []
    for scenario in t.scenario.drop_duplicates():
        ts = t[t.scenario == scenario]
        scorers = [s for s in figs.SCORER_STYLE if s in set(ts.scorer)]
        first = ts[(ts.scorer == "model")]
        n = first[first.metric == "n"].estimate
        prev = first[first.metric == "prevalence"].estimate
        for i, scorer in enumerate(scorers):
            tt = ts[ts.scorer == scorer].set_index("metric")
            row = []
            if i == 0:
                span = len(scorers)
                row += [
                    _cell(_code(scenario), rowspan=span),
                    _cell(_n(f"{int(n.iloc[0]):,}" if len(n) else "–"), rowspan=span, class_="num"),
                    _cell(_n(_num(prev.iloc[0]) if len(prev) else "–"), rowspan=span, class_="num"),
                ]
            row.append(_cell(_e(figs.scorer_name(scorer, d.language)), class_="scorer"))
            for metric, signed in _PERF_METRICS:
                if metric in tt.index:
                    r = tt.loc[metric]
                    text = _ci(r.estimate, r.lo, r.hi, signed=signed)
                else:
                    text = "–"
                row.append(
                    _cell(
                        _nci(text),
                        class_="num",
                        data_scenario=scenario,
                        data_level=level,
                        data_scorer=scorer,
                        data_metric=metric,
                    )
                )
            rows.append(row)
            attrs.append({"class": f"scorer-{scorer}"})
    return _table(head, rows, row_attrs=attrs, id=f"performance-{level}", class_="perf")


def _subgroup_table(d: _Data) -> str:
    s = d.subgroups
    rows, attrs = [], []
    for r in s.itertuples(index=False):
        flagged = bool(r.flag) if not isinstance(r.flag, str) else r.flag.lower() == "true"
        reason = r.flag_reason if isinstance(r.flag_reason, str) else ""
        rows.append(
            [
                _e(word(f"level.{r.info_level}", d.language)),
                _code(r.grouping),
                _d(r.level),
                _cell(_n(f"{int(r.n):,}"), class_="num"),
                _cell(_n(_num(r.prevalence)), class_="num"),
                _cell(_nci(_ci(r.auroc, r.auroc_lo, r.auroc_hi)), class_="num"),
                _cell(_nci(_ci(r.cal_slope, r.cal_slope_lo, r.cal_slope_hi, 2)), class_="num"),
                _cell(_nci(_ci(r.cal_intercept, r.cal_intercept_lo, r.cal_intercept_hi, 2, signed=True)), class_="num"),
                _cell(_n(_num(r.sensitivity, 2)), class_="num"),
                _cell(_n(_num(r.specificity, 2)), class_="num"),
                (f'<strong class="bad">{_e(d.w("flagged"))}</strong> ' if flagged else "") + _d(reason),
            ]
        )
        attrs.append({"class": "flag" if flagged else None, "data_flag": str(flagged).lower()})
    head = d.head(
        "level grouping subgroup n prevalence metric.auroc metric.cal_slope metric.cal_intercept sensitivity specificity flag"
    )
    n_flag = sum(a["data_flag"] == "true" for a in attrs)
    summary = f"<p>{_e(d.w('subgroup_summary', k=n_flag, n=len(rows)))}</p>"
    return summary + _table(head, rows, row_attrs=attrs, id="subgroups-table")


def _gate(d: _Data) -> str:
    gate = d.meta.get("gate", {})
    passed = bool(gate.get("passed"))
    crit = gate.get("criteria", {})
    status = d.w("gate_passed") if passed else d.w("gate_failed", n=len(gate.get("failures", [])))
    out = [
        f'<p id="gate-status" class="{"ok" if passed else "bad"}" data-passed="{str(passed).lower()}"><strong>{_e(status)}</strong></p>',
        f"<p>{_e(d.w('gate_criteria', margin=crit.get('auroc_margin'), lo=crit.get('slope_low'), hi=crit.get('slope_high'), imax=crit.get('intercept_max')))}</p>",
    ]
    failures = gate.get("failures", [])
    if failures:
        rows = [
            [
                _code(f["scenario"]),
                _e(word(f"level.{f['level']}", d.language)),
                _d(f["check"]),
                _cell(_n(_num(f["by"], 4)), class_="num"),
                _d(f["detail"]),
            ]
            for f in failures
        ]
        out.append(
            _table(
                d.head("scenario level check by detail"),
                rows,
                id="gate-failures",
            )
        )
    return "".join(out)


def _performance(d: _Data, fw: figs.FigureWriter) -> str:
    lang = d.language
    e = d.meta["config"]["evaluation"]
    body = [f"<p>{_e(d.w('perf_intro', boot=e['n_boot'], thr=d.meta.get('decision_threshold')))}</p>"]
    for level in LEVELS:
        body.append(f"<h3>{_e(figs.level_title(level, lang))}</h3>{_performance_table(d, level)}")
    body.append(f"<h3>{_e(d.w('curves'))}</h3><p>{_e(d.w('curves_intro'))}</p>")
    for kind in ("roc", "pr"):
        body.append(
            fw.add(
                figs.discrimination(d.curves, kind, lang), kind, alt=d.w(f"alt.{kind}"), caption=_e(d.w(f"cap.{kind}"))
            )
        )
    body.append(f"<h3>{_e(d.w('calibration'))}</h3><p>{_e(d.w('calibration_intro'))}</p>")
    for level in LEVELS:
        fig = figs.calibration(d.curves, d.table, level, lang)
        body.append(
            fw.add(fig, f"calibration_{level}", alt=d.w("alt.calibration", level=figs.level_title(level, lang)))
        )
    body.append(f"<h3>{_e(d.w('decision'))}</h3><p>{_e(d.w('decision_intro'))}</p>")
    fig = figs.decision(d.curves, d.meta.get("decision_threshold"), lang)
    body.append(fw.add(fig, "decision", alt=d.w("alt.decision")))
    rows = int(e.get("subgroup_rows", 60000))
    body.append(
        f'<h3 id="subgroups">{_e(d.w("subgroups"))}</h3>'
        f"<p>{_e(d.w('subgroups_intro', rows=rows))}</p>{_subgroup_table(d)}"
    )
    body.append(f'<h3 id="gate">{_e(d.w("gate"))}</h3>{_gate(d)}')
    return _section("performance", d.w("h.performance"), "".join(body))


# --------------------------------------------------------------------------- 3b real patients (NHANES)

#: Comparisons stated in the findings: (outcome, level, the scorer the model is compared with).
_NH_COMPARISONS = (
    ("raised_mma", "serum_b12", "serum_b12"),
    ("raised_mma", "serum_b12", "real_cv"),
    ("raised_mma", "full_panel", "serum_b12"),
    ("raised_mma", "full_panel", "real_cv"),
    ("raised_mma", "risk_factors", "real_cv"),
)
#: Class of a finding by its verdict: unfavourable red, favourable green.
_TONE = {
    "worse": "finding-bad",
    "better": "finding-ok",
    "under": "finding-bad",
    "over": "finding-bad",
    "ok": "finding-ok",
    "more": "finding-bad",
    "fewer": "finding-bad",
    "close": "finding-ok",
}


def _pct(x: Any, digits: int = 1) -> str:
    return f"{float(x):.{digits}%}" if x is not None and math.isfinite(float(x)) else "–"


def _sep(d: _Data) -> str:
    return "، " if d.language == "ar" else ", "


def _txt(value: Any) -> str:
    """A text cell of a table read back from CSV: '' for an empty (NaN) cell."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return ""
    return str(value)


def _nh_groups(d: _Data) -> list[str]:
    """Cycle groups shown, in order: 2001-2004 pooled, then 2011-2012."""
    from b12risk.reporting.modelcard import GROUPS_SHOWN

    perf = d.nhanes.performance
    present = set(perf["group"]) if not perf.empty else set()
    return [g for g in GROUPS_SHOWN if g in present]


def _nh_short(d: _Data, outcome: str) -> str:
    from b12risk.nhanes.outcomes import OUTCOMES

    if f"nh.short.{outcome}" in WORDS:
        return d.w(f"nh.short.{outcome}")
    return OUTCOMES[outcome].label(d.language) if outcome in OUTCOMES else outcome


def _nh_group_title(d: _Data, group: str) -> str:
    return d.w(f"nh_group.{group}") if f"nh_group.{group}" in WORDS else d.w("nh_group", group=group)


def _nh_context(d: _Data, group: str, outcome: str, level: str) -> str:
    return d.w("nh.ctx", group=group, outcome=_nh_short(d, outcome), level=word(f"level.{level}", d.language))


def _nhanes_banner(d: _Data) -> str:
    """The top banner: what the model did on real patients, or that it was not checked."""
    from b12risk.reporting.modelcard import nhanes_headline, nhanes_limitations

    if d.nhanes is None:
        return f'<p class="banner warn" id="nhanes-banner"><a href="#nhanes">{_e(d.w("nh_banner_omitted"))}</a></p>'
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
        f'<p class="banner {tone}" id="nhanes-banner" data-rank="{_e(head.rank)}" '
        f'data-calibration="{_e(head.calibration)}"><a href="#nhanes"><strong>{_e(d.w("nh_banner"))}</strong></a> '
        f"{_e(' '.join(said))}</p>"
    )


def _nh_findings(d: _Data) -> list[tuple[dict[str, Any], str]]:
    """(attributes, text) of each statement, generated from the tables."""
    from b12risk.reporting.modelcard import (
        RATIO_OK,
        auroc_text,
        calibration_verdict,
        compare_auroc,
        is_paired,
        nhanes_row,
        paired_values,
    )

    v, lang = d.nhanes, d.language
    perf = v.performance
    out: list[tuple[dict[str, Any], str]] = []
    for group in _nh_groups(d):
        for outcome, level, other in _NH_COMPARISONS:
            model = nhanes_row(perf, group, outcome, level, "model")
            them = nhanes_row(perf, group, outcome, level, other)
            if model is None or them is None:
                continue
            verdict = compare_auroc(model, them)
            paired = is_paired(them)
            text = d.w(
                f"nh.cmp.{'paired.' if paired else ''}{verdict}",
                context=_nh_context(d, group, outcome, level),
                other=d.w(f"nh.other.{other}") if f"nh.other.{other}" in WORDS else figs.scorer_name(other, lang),
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
                context=_nh_context(d, group, "raised_mma", "serum_b12"),
                pred=_pct(model["predicted"]),
                obs=_pct(model["prevalence"]),
                oe=_num(model["oe"], 2),
            )
            out.append(({"finding": "calibration", "group": group, "verdict": verdict}, text))
        cells = perf[(perf["group"] == group) & (perf["scorer"] == "model")]
        oes = [(r["outcome"], r["level"], float(r["oe"])) for r in cells.to_dict("records") if math.isfinite(r["oe"])]
        if oes:
            items = (";" if lang == "en" else "؛").join(
                f" {_nh_short(d, o)} ({word(f'level.{lv}', lang)}) {_num(oe, 2)}" for o, lv, oe in oes
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
        verdict = "more" if ratio > RATIO_OK[1] else "fewer" if ratio < RATIO_OK[0] else "close"
        text = d.w(f"nh.sim.{verdict}", sim=_pct(sim), real=_pct(real), group=group, ratio=f"{ratio:.1f}")
        strata = rows[(rows["metric"] == "share serum B12 < 148") & (rows["stratum"] != "20+") & (rows["real"] > 0)]
        if len(strata):
            gap = (strata["simulated"] / strata["real"]).map(lambda r: abs(math.log(r)) if r > 0 else math.inf)
            worst = strata.loc[gap.idxmax()]
            stratum = NHANES_STRATA.get(worst["stratum"], (worst["stratum"],) * 2)[0 if lang == "en" else 1]
            text += " " + d.w("nh.sim.stratum", stratum=stratum, sim=_pct(worst["simulated"]), real=_pct(worst["real"]))
        median = rows[(rows["metric"] == "serum B12 p50 (pmol/L)") & (rows["stratum"] == "20+")]
        if len(median):
            text += " " + d.w(
                "nh.sim.median", sim=f"{median['simulated'].iloc[0]:.0f}", real=f"{median['real'].iloc[0]:.0f}"
            )
        out.append(({"finding": "simulator", "group": group, "verdict": verdict}, text))
    return out


def _nh_dca_counts(d: _Data, group: str, outcome: str, level: str) -> str | None:
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
    for strategy in [s for s in figs.NHANES_STYLE if s in set(cell["strategy"])]:
        nb = cell[cell["strategy"] == strategy].set_index("threshold")["net_benefit"].reindex(floor.index)
        items.append(f"{figs.scorer_name(strategy, d.language)} {int((nb > floor).sum())}")
    if not items:
        return None
    return d.w(
        "nh.dca",
        context=_nh_context(d, group, outcome, level),
        n=len(floor),
        lo=f"{floor.index.min():.2f}",
        hi=f"{floor.index.max():.2f}",
        items=("; " if d.language == "en" else "؛ ").join(items),
    )


def _nh_cycles_table(d: _Data) -> str:
    rows = []
    for r in d.nhanes.adapter.to_dict("records"):

        def count(key: str, r: dict[str, Any] = r) -> tuple[str, dict[str, Any]]:
            value = r.get(key)
            shown = f"{int(value):,}" if value is not None and math.isfinite(float(value)) else "–"
            return _cell(_n(shown), class_="num")

        rows.append(
            [
                _n(str(r.get("cycle", "–"))),
                count("adults"),
                count("with serum_b12_pmol_l"),
                count("with mma_umol_l"),
                count("with hcy_umol_l"),
                _d(_txt(r.get("b12_method")) or "–"),
            ]
        )
    return _table(d.head("cycle adults with_b12 with_mma with_hcy assay"), rows, id="nhanes-cycles")


def _nh_outcomes_table(d: _Data) -> str:
    from b12risk.nhanes.outcomes import OUTCOMES

    groups = [g for g in _nh_groups(d) if f"n {g}" in d.nhanes.outcomes.columns]
    head = d.head("outcome nh_definition hidden levels")
    head += [_e(d.w("col.prev_in", group=g)) for g in groups] + d.head("source")
    rows, attrs = [], []
    for r in d.nhanes.outcomes.to_dict("records"):
        name = str(r["outcome"])
        label = OUTCOMES[name].label(d.language) if name in OUTCOMES else _txt(r.get("label")) or name
        hidden = [h.strip() for h in _txt(r.get("hidden from scorers")).split(",") if h.strip()]
        levels = [lv.strip() for lv in _txt(r.get("levels")).split(",") if lv.strip()]
        row = [
            f"{_e(label)}<br>{_code(name)}",
            _d(_txt(r.get("definition"))),
            " ".join(_code(h) for h in hidden) or "–",
            _e(_sep(d).join(word(f"level.{lv}", d.language) for lv in levels)) or "–",
        ]
        for g in groups:
            n, prev = r.get(f"n {g}"), r.get(f"prevalence {g}")
            if n is None or not math.isfinite(float(n)) or int(n) == 0:
                row.append(_cell("–", class_="num"))
            else:
                row.append(_cell(f"{_n(_pct(prev))} {_n(f'({int(n):,})')}", class_="num", data_group=g))
        row.append(_d(_txt(r.get("source"))))
        rows.append(row)
        attrs.append({"data_outcome": name})
    return _table(head, rows, row_attrs=attrs, id="nhanes-outcomes")


def _nh_cell_table(d: _Data, group: str, outcome: str, level: str, cell: Any) -> str:
    from b12risk.modelling.scorers import VALIDATION_SCORERS as SCORERS

    by = {r["scorer"]: r for r in cell.to_dict("records")}
    order = [s for s in SCORERS if s in by] + [s for s in by if s not in SCORERS]
    rows, attrs = [], []
    for scorer in order:
        r = by[scorer]
        where = {"data_group": group, "data_outcome": outcome, "data_level": level, "data_scorer": scorer}
        rows.append(
            [
                _cell(_e(figs.scorer_name(scorer, d.language)), class_="scorer"),
                _cell(_nci(_ci(r["auroc"], r["auroc_lo"], r["auroc_hi"])), class_="num", data_metric="auroc", **where),
                _cell(_n(_num(r["auroc_weighted"])), class_="num", data_metric="auroc_weighted", **where),
                _cell(_n(_pct(r.get("predicted"))), class_="num", data_metric="predicted", **where),
                _cell(_n(_num(r.get("oe"), 2)), class_="num", data_metric="oe", **where),
                _cell(_n(_num(r.get("intercept"), 2, signed=True)), class_="num", data_metric="intercept", **where),
                _cell(_n(_num(r.get("slope"), 2)), class_="num", data_metric="slope", **where),
            ]
        )
        attrs.append({"class": f"scorer-{scorer}"})
    head = d.head("scorer auroc_ci auroc_w predicted oe cal_intercept cal_slope")
    return _table(head, rows, row_attrs=attrs, id=f"nhanes-{group}-{outcome}-{level}")


def _nh_value(metric: str, x: Any) -> str:
    if x is None or not math.isfinite(float(x)):
        return "–"
    if metric.startswith("share"):
        return _pct(x)
    if "(pmol/L)" in metric:
        return f"{float(x):.0f}"
    return _num(x, 3)


def _nh_marginals_table(d: _Data) -> str:
    from b12risk.reporting.modelcard import RATIO_OK

    marg = d.nhanes.marginals
    groups = list(dict.fromkeys(marg["group"]))
    i = 0 if d.language == "en" else 1
    head = d.head("metric stratum") + [_e(d.w("col.real_in", group=g)) for g in groups] + d.head("simulated")
    head += [_e(d.w("col.ratio_in", group=g)) for g in groups]
    rows, attrs = [], []
    for metric, stratum in dict.fromkeys(zip(marg["metric"], marg["stratum"], strict=True)):
        sel = marg[(marg["metric"] == metric) & (marg["stratum"] == stratum)].set_index("group")
        ratios = [float(sel.loc[g, "ratio"]) if g in sel.index else math.nan for g in groups]
        off = any(math.isfinite(r) and not RATIO_OK[0] <= r <= RATIO_OK[1] for r in ratios)
        where = {"data_metric": metric, "data_stratum": stratum}
        row = [
            _e(NHANES_METRICS[metric][i]) if metric in NHANES_METRICS else _d(metric),
            _e(NHANES_STRATA[stratum][i]) if stratum in NHANES_STRATA else _d(stratum),
        ]
        row += [
            _cell(_n(_nh_value(metric, sel.loc[g, "real"] if g in sel.index else None)), class_="num") for g in groups
        ]
        row.append(_cell(_n(_nh_value(metric, sel["simulated"].iloc[0])), class_="num"))
        row += [_cell(_n(_num(r, 2)), class_="num") for r in ratios]
        rows.append(row)
        attrs.append({"class": "flag" if off else None, "data_off": str(off).lower(), **where})
    return _table(head, rows, row_attrs=attrs, id="nhanes-marginals")


def _nhanes(d: _Data, fw: figs.FigureWriter) -> str:
    from b12risk.reporting.modelcard import HEADLINE, nhanes_headline, nhanes_row

    if d.nhanes is None:
        return _section("nhanes", d.w("h.nhanes"), f'<p class="note" id="nhanes-omitted">{_e(d.w("nh_omitted"))}</p>')
    v, lang = d.nhanes, d.language
    notes = v.notes or {}
    body = []
    if v.model_version != d.loaded.version:
        body.append(
            f'<p class="banner warn" id="nhanes-version">'
            f"{_e(d.w('nh_version', measured=v.model_version, version=d.loaded.version))}</p>"
        )
    cycles = list(v.adapter["cycle"].astype(str)) if "cycle" in v.adapter else list(notes.get("cycles", []))
    body.append(f"<p>{_e(d.w('nh_intro', cycles=_sep(d).join(cycles)))}</p>")
    body.append(f"<p>{_e(d.w('nh_assays'))}</p>{_nh_cycles_table(d)}")
    findings = "".join(
        f"<li{_attrs({f'data_{k}': val for k, val in a.items()} | {'class': _TONE.get(a.get('verdict'))})}>"
        f"{_e(text)}</li>"
        for a, text in _nh_findings(d)
    )
    body.append(
        f'<h3 id="nhanes-findings-head">{_e(d.w("nh_findings"))}</h3><p>{_e(d.w("nh_findings_intro"))}</p>'
        f'<ul id="nhanes-findings">{findings}</ul>'
    )
    body.append(
        f"<h3>{_e(d.w('nh_outcomes'))}</h3><p>{_e(d.w('nh_outcomes_intro'))}</p>{_nh_outcomes_table(d)}"
        f"<p>{_e(d.w('nh_hidden'))}</p>"
    )
    perf = v.performance
    for group in _nh_groups(d):
        body.append(
            f'<h3 id="nhanes-{_e(group)}">{_e(_nh_group_title(d, group))}</h3><p>{_e(d.w("nh_group_intro"))}</p>'
        )
        for (outcome, level), cell in perf[perf["group"] == group].groupby(["outcome", "level"], sort=False):
            first = cell.iloc[0]
            short = _nh_short(d, outcome)
            title = f"{short[:1].upper() + short[1:] if lang == 'en' else short}: {word(f'level.{level}', lang)}"
            note = d.w("nh_cell", n=int(first["n"]), events=int(first["events"]), prev=_pct(first["prevalence"]))
            body.append(f"<h4>{_e(title)}</h4><p>{_e(note)}</p>{_nh_cell_table(d, group, outcome, level, cell)}")
    head = nhanes_headline(v)
    if head is not None and not v.decision.empty:
        outcome, level = HEADLINE
        model = nhanes_row(perf, head.group, outcome, level, "model")
        fig = figs.nhanes_decision(
            v.decision,
            group=head.group,
            outcome=outcome,
            level=level,
            outcome_name=_nh_short(d, outcome),
            n=int(model["n"]),
            prevalence=float(model["prevalence"]),
            language=lang,
        )
        intro = d.w("nh_dca_intro", outcome=_nh_short(d, outcome), level=word(f"level.{level}", lang), group=head.group)
        body.append(f"<h3>{_e(d.w('nh_dca'))}</h3><p>{_e(intro)}</p>")
        body.append(fw.add(fig, "nhanes_decision", alt=d.w("alt.nh_decision")))
    if not v.marginals.empty:
        intro = d.w("nh_marginals_intro", n=int(notes.get("simulated_n", 0)), seed=notes.get("seed", "–"))
        body.append(f'<h3 id="nhanes-simulated">{_e(d.w("nh_marginals"))}</h3><p>{_e(intro)}</p>')
        fig = figs.nhanes_marginals(v.marginals, lang)
        body.append(fw.add(fig, "nhanes_marginals", alt=d.w("alt.nh_marginals"), caption=_e(d.w("cap.nh_marginals"))))
        body.append(_nh_marginals_table(d))
    warned = notes.get("rows_with_training_range_warnings") or {}
    shown = "; ".join(f"{k}: {int(n):,}" for k, n in warned.items()) if warned else d.w("nh_none")
    body.append(
        f'<p class="note" id="nhanes-notes">{_e(d.w("nh_notes", seed=notes.get("seed", "–"), warned=shown))}</p>'
    )
    return _section("nhanes", d.w("h.nhanes"), "".join(body))


# --------------------------------------------------------------------------- 4 explanations


def _explanations(d: _Data, fw: figs.FigureWriter) -> str:
    from b12risk.knowledge.schema import features
    from b12risk.reporting import plots
    from b12risk.serving.explain import _display_data

    lang, feats = d.language, features()
    counts = d.cohort["scenario"].value_counts(sort=False)
    mix = ", ".join(f"{s} {k:,}" for s, k in counts.items())
    body = [f"<p>{_e(d.w('expl_intro', n=len(d.cohort), mix=mix))}</p>"]
    labels = figs.field_labels(list(feats), lang)
    display = {lv: _display_data(frame) for lv, frame in d.masked.items()}
    for level in ("full_panel", "risk_factors"):
        fig = figs.beeswarm(d.shap[level], display[level], labels, level, lang)
        body.append(
            fw.add(
                fig,
                f"beeswarm_{level}",
                alt=d.w("alt.beeswarm", level=figs.level_title(level, lang)),
                caption=_e(d.w("cap.beeswarm")),
            )
        )
    body.append(f"<h3>{_e(d.w('dependence'))}</h3><p>{_e(d.w('dependence_intro'))}</p>")
    for field, level, color in d.settings["DEPENDENCE"]:
        unit = feats[field].unit  # left out where the label already names it: "... (سنوات)"
        if any(f"({form})" in labels[field] for form in unit_forms(unit, lang)):
            unit = None
        fig = plots.dependence(
            d.shap[level][field],
            display[level][field],
            label=labels[field],
            unit=unit,
            color=display[level][color] if color else None,
            color_label=labels[color] if color else None,
            language=lang,
        )
        cap = d.w("cap.dependence", field=labels[field], level=figs.level_title(level, lang))
        if color:
            cap += " " + d.w("cap.coloured", color=labels[color])
        body.append(fw.add(fig, f"dependence_{field}", alt=labels[field], caption=_e(cap)))
    body.append(f'<h3 id="examples">{_e(d.w("examples"))}</h3>')
    if d.examples is None:
        body.append(f'<p class="note" id="examples-missing">{_e(d.w("examples_missing"))}</p>')
        return _section("explanations", d.w("h.explanations"), "".join(body))
    rows, figures = [], []
    for name, pred in d.examples:
        stem = name.removesuffix(".json")
        if isinstance(pred, str):
            rows.append([_code(name), _cell(_d(pred), colspan=4)])
            continue
        guide = (pred.baseline or {}).get("guideline")
        rows.append(
            [
                _code(name),
                _e(word(f"level.{pred.information_level}", lang)),
                _cell(_n(_probability(pred.probability)), class_="num"),
                _e(pred.risk_band_label),
                _e(guide["verdict"] if guide else "–"),
            ]
        )
        fig = plots.waterfall(pred, language=lang)
        figures.append(fw.add(fig, f"waterfall_{stem}", alt=stem, caption=_code(name)))
    head = d.head("patient level probability band guideline")
    body.append(f"<p>{_e(d.w('examples_intro'))}</p>" + _table(head, rows, id="examples-table"))
    body.append(_expected_order(d))
    body.append("".join(figures))
    return _section("explanations", d.w("h.explanations"), "".join(body))


def _expected_order(d: _Data) -> str:
    """How the example patients rank against the clinician's expected order."""
    path = d.settings["EXAMPLES_DIR"] / "expected_order.toml"
    probs = {name: p.probability for name, p in d.examples or [] if not isinstance(p, str)}
    if not path.is_file() or not probs:
        return ""
    order = tomllib.loads(path.read_text(encoding="utf-8"))
    ranked = sorted(probs, key=lambda k: -probs[k])
    rank = {name: i + 1 for i, name in enumerate(ranked)}
    n = len(ranked)
    items = []
    for group, ok_rank in (("highest", lambda r: r <= n / 3), ("lowest", lambda r: r > n - n / 3)):
        for name in order.get(group, []):
            if name in rank:
                ok = ok_rank(rank[name])
                items.append((ok, d.w(f"order.{group}", name=name, rank=rank[name], n=n)))
    for a, b in order.get("pairs", []):
        if a in probs and b in probs:
            items.append(
                (probs[a] > probs[b], d.w("order.pair", a=a, b=b, pa=_probability(probs[a]), pb=_probability(probs[b])))
            )
    good = sum(ok for ok, _ in items)
    shown = [
        f'<span class="{"ok" if ok else "bad"}">{_e(d.w("ok" if ok else "not_ok"))}</span> {_e(text)}'
        for ok, text in items
    ]
    return f"<p>{_e(d.w('order_intro', k=good, n=len(items)))}</p>" + _list(shown)


# --------------------------------------------------------------------------- 5 knowledge check


def _knowledge_section(d: _Data) -> str:
    rows, attrs = [], []
    for c in d.checks:
        bad = c.verdict != "agrees"
        rows.append(
            [
                _e(c.label),
                " + ".join(_code(f) for f in c.fields),
                _cell(_n(f"{c.n_with:,} / {c.n_without:,}"), class_="num"),
                _e(d.w("basis." + c.basis)),
                _cell(_n(_num(c.mean_with, 3, signed=True)), class_="num"),
                _cell(_n(_num(c.mean_without, 3, signed=True)), class_="num"),
                _cell(_nci(_ci(c.diff, c.lo, c.hi, 3, signed=True)), class_="num"),
                _e(d.w("dir." + ("raises" if c.expected > 0 else "lowers"))),
                _e(d.w("dir." + {1: "raises", -1: "lowers", 0: "none"}[c.learned])),
                f'<span class="{"bad" if bad else "ok"}">{_e(d.w("verdict." + c.verdict))}</span>',
            ]
        )
        attrs.append(
            {
                "class": "contradiction" if bad else None,
                "data_cause": c.cause,
                "data_level": c.level,
                "data_verdict": c.verdict,
            }
        )
    head = d.head("cause fields with_without basis mean_with mean_without difference documented learned verdict")
    hidden = [d.label(c) for c in d.kb.causes.values() if c.kind == "hidden"]
    body = [
        f"<p>{_e(d.w('kc_intro', min=d.settings['MIN_PRESENT'], k=d.settings['WHAT_IF_ROWS'], eps=d.settings['MIN_EFFECT']))}</p>",
        _table(head, rows, row_attrs=attrs, id="knowledge-check-table"),
        f'<p class="note">{_e(d.w("kc_hidden", names="; ".join(hidden)))}</p>',
    ]
    return _section("knowledge-check", d.w("h.knowledge-check"), "".join(body))


# --------------------------------------------------------------------------- 6 TRIPOD+AI


def _tripod(d: _Data) -> str:
    i = 0 if d.language == "en" else 1
    rows = []
    for number, item, where in TRIPOD:
        if where.startswith("n/a:"):
            cell = f'<span class="na">{_e(d.w("na_synthetic"))}</span>: {_e(WORDS["na." + where[4:]][i])}'
        else:
            cell = ", ".join(f'<a href="#{s}">{_e(d.w("h." + s))}</a>' for s in where.split())
        rows.append([_n(number), _e(item[i]), cell])
    head = d.head("item what where")
    return _section(
        "tripod", d.w("h.tripod"), f"<p>{_e(d.w('tripod_intro'))}</p>" + _table(head, rows, id="tripod-table")
    )


# --------------------------------------------------------------------------- 7 reproduce


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    return repr(v)


def _toml(table: dict[str, Any], prefix: str = "") -> str:
    """A config dict as TOML text: scalars first, then each sub-table."""
    lines = [f"{k} = {_toml_value(v)}" for k, v in table.items() if not isinstance(v, dict)]
    for k, v in table.items():
        if isinstance(v, dict):
            name = f"{prefix}{k}"
            lines += ["", f"[{name}]", _toml(v, f"{name}.")]
    return "\n".join(line for line in lines).replace("\n\n\n", "\n\n")


def _reproduce(d: _Data) -> str:
    from b12risk.modelling.training import load_config

    meta, version = d.meta, d.loaded.version
    cfg = meta["config"]
    default = load_config().model_dump()
    is_default = {k: v for k, v in cfg.items() if k != "version"} == {
        k: v for k, v in default.items() if k != "version"
    }
    config = "src/b12risk/configs/default.toml" if is_default else "config.toml"
    force = "" if meta.get("gate", {}).get("passed") else " --force"
    commands = [f"# {d.w('cmd_train')}"]
    if is_default:
        commands.append(f"make model    # {d.w('default_config')}")
    commands += [
        f"b12risk train --config {config} --version {version} --models rebuild/{force}",
        f"# {d.w('cmd_report')}",
        f"b12risk report --model {version} --out reports/{version}/",
        f"b12risk report --model {version} --out reports/{version}/ --lang ar",
    ]
    versions = meta.get("versions", {})
    vrows = [[_code(k), _n(str(v))] for k, v in versions.items()]
    frows = [[_code(k), _code(v)] for k, v in meta.get("files", {}).items()]
    recorded, current = meta.get("knowledge_fingerprint", "–"), d.kb.fingerprint
    body = [
        f"<p>{_e(d.w('repro_intro'))}</p>",
        f'<pre dir="ltr" id="commands">{_e(chr(10).join(commands))}</pre>',
        f"<h3>{_e(d.w('config'))}</h3><p>{_e(d.w('config_intro'))}</p>",
        f'<pre dir="ltr" id="config">{_e(_toml(cfg))}</pre>',
        f"<h3>{_e(d.w('versions'))}</h3>"
        + _table([_e(d.w("col.library")), _e(d.w("col.version"))], vrows, id="versions"),
        f"<h3>{_e(d.w('fingerprint'))}</h3>",
        _list(
            [
                f"{_e(d.w('fp_recorded'))}: {_code(recorded)}",
                f"{_e(d.w('fp_current'))}: {_code(current)}",
                f'{_e(d.w("fp_match"))}: <strong class="{"ok" if recorded == current else "bad"}">{_e(d.w("yes" if recorded == current else "no"))}</strong>',
            ]
        ),
        f"<h3>{_e(d.w('files'))}</h3>" + _table([_e(d.w("col.file")), "SHA-256"], frows, id="files"),
    ]
    return _section("reproduce", d.w("h.reproduce"), "".join(body))


# --------------------------------------------------------------------------- page


_CSS = """
:root{--red:#a4161a;--redbg:#fdecea;--green:#1e6b33;--greenbg:#e8f5ec;--amber:#8a5a00;--amberbg:#fff6e0}
*{box-sizing:border-box}
body{margin:0;font-family:system-ui,"Segoe UI","Noto Sans","Noto Sans Arabic","DejaVu Sans",sans-serif;color:#1d1d1f;line-height:1.5;background:#fff}
header,main,footer{max-width:1180px;margin:0 auto;padding:0 1.2rem}
h1{font-size:1.7rem;margin:1.2rem 0 .4rem}
h2{font-size:1.35rem;border-bottom:2px solid #1f4e9c;padding-bottom:.2rem;margin-top:2.4rem}
h3{font-size:1.08rem;margin-top:1.6rem}
h4{font-size:.98rem;margin:1.2rem 0 .2rem}
li.finding-bad{color:#7a1013}
li.finding-ok{color:var(--green)}
.banner{border-inline-start:6px solid;padding:.55rem .9rem;margin:.5rem 0;border-radius:3px}
.banner ul{margin:.3rem 0}
.banner a{color:inherit}
.danger{border-color:var(--red);background:var(--redbg);color:#5a0d0f}
.warn{border-color:var(--amber);background:var(--amberbg)}
.banner.ok{border-color:var(--green);background:var(--greenbg)}
#not-a-diagnosis{font-size:1.08rem}
.bad{color:var(--red);font-weight:600}
.ok{color:var(--green);font-weight:600}
.na{color:#555;font-style:italic}
.note{color:#444;font-style:italic}
nav ol{columns:2;margin:.3rem 0 1rem}
.scroll{overflow-x:auto;margin:.6rem 0 1rem}
table{border-collapse:collapse;font-size:.82rem;min-width:50%}
th,td{border:1px solid #d8d8d8;padding:.25rem .45rem;vertical-align:top;text-align:start}
th{background:#f1f3f6;position:sticky;top:0}
td.num{text-align:end}
.n{white-space:nowrap}
td.scorer{min-width:9em}
tbody tr:nth-child(even) td{background:#fafafa}
tr.scorer-model td{font-weight:600}
tr.flag td,tr.contradiction td{background:var(--redbg)!important}
code,pre,.n{unicode-bidi:isolate}
code{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:.9em;background:#f3f3f3;padding:0 .2em;border-radius:2px}
pre{direction:ltr;text-align:left;background:#f6f8fa;border:1px solid #e1e4e8;padding:.7rem;overflow:auto;font-size:.82rem}
figure{margin:1rem 0 1.6rem}
figure img{max-width:100%;height:auto;border:1px solid #eee}
figcaption{font-size:.85rem;color:#444;margin-top:.3rem}
footer{color:#555;font-size:.8rem;border-top:1px solid #ddd;margin-top:3rem;padding-top:.6rem;padding-bottom:2rem}
@media print{figure,table{break-inside:avoid}th{position:static}}
"""


def render_page(d: _Data, fw: figs.FigureWriter) -> str:
    """The whole page: header with the alerts, the sections, footer."""
    lang = d.language
    title = d.w("title", version=d.loaded.version)
    sections = [
        _model_card(d),
        _provenance(d),
        _performance(d, fw),
        _nhanes(d, fw),
        _explanations(d, fw),
        _knowledge_section(d),
        _tripod(d),
        _reproduce(d),
    ]
    footer = d.w("footer", pkg=__version__, version=d.loaded.version, created=d.meta.get("created", "–"))
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{lang}" dir="{"rtl" if lang == "ar" else "ltr"}">\n'
        '<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title><style>{_CSS}</style></head>\n"
        f'<body><header id="top"><h1>{_e(title)}</h1><p class="lead">{_e(d.w("subtitle"))}</p>{_alerts(d)}{_nav(d)}</header>\n'
        f"<main>{''.join(sections)}</main>\n"
        f"<footer><p>{_e(footer)}</p></footer></body></html>\n"
    )
