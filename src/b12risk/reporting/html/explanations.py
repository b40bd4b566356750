"""Section 4 of the report: exact SHAP explanations, dependence plots and the example patients."""

from __future__ import annotations

import tomllib

from b12risk.knowledge.schema import features
from b12risk.reporting.data import ReportData
from b12risk.reporting.figures.layout import level_title
from b12risk.reporting.figures.saving import FigureWriter
from b12risk.reporting.figures.shap import beeswarm, field_labels
from b12risk.reporting.html.markup import bdi, code, esc, listing, ltr, probability_text, section, table, td
from b12risk.serving import plots
from b12risk.serving.explain import _display_data
from b12risk.words import t as word
from b12risk.words import unit_forms

__all__ = ["render"]


def render(d: ReportData, fw: FigureWriter) -> str:
    """SHAP summaries and dependence plots of held-out patients, and the example patients."""
    lang, feats = d.language, features()
    counts = d.cohort["scenario"].value_counts(sort=False)
    mix = ", ".join(f"{s} {k:,}" for s, k in counts.items())
    body = [f"<p>{esc(d.w('expl_intro', n=len(d.cohort), mix=mix))}</p>"]
    labels = field_labels(list(feats), lang)
    display = {lv: _display_data(frame) for lv, frame in d.masked.items()}
    for level in ("full_panel", "risk_factors"):
        fig = beeswarm(d.shap[level], display[level], labels, level, lang)
        body.append(
            fw.add(
                fig,
                f"beeswarm_{level}",
                alt=d.w("alt.beeswarm", level=level_title(level, lang)),
                caption=esc(d.w("cap.beeswarm")),
            )
        )
    body.append(f"<h3>{esc(d.w('dependence'))}</h3><p>{esc(d.w('dependence_intro'))}</p>")
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
        cap = d.w("cap.dependence", field=labels[field], level=level_title(level, lang))
        if color:
            cap += " " + d.w("cap.coloured", color=labels[color])
        body.append(fw.add(fig, f"dependence_{field}", alt=labels[field], caption=esc(cap)))
    body.append(f'<h3 id="examples">{esc(d.w("examples"))}</h3>')
    if d.examples is None:
        body.append(f'<p class="note" id="examples-missing">{esc(d.w("examples_missing"))}</p>')
        return section("explanations", d.w("h.explanations"), "".join(body))
    rows, figures = [], []
    for name, pred in d.examples:
        stem = name.removesuffix(".json")
        if isinstance(pred, str):
            rows.append([code(name), td(bdi(pred), colspan=4)])
            continue
        guide = (pred.baseline or {}).get("guideline")
        rows.append(
            [
                code(name),
                esc(word(f"level.{pred.information_level}", lang)),
                td(ltr(probability_text(pred.probability)), class_="num"),
                esc(pred.risk_band_label),
                esc(guide["verdict"] if guide else "–"),
            ]
        )
        fig = plots.waterfall(pred, language=lang)
        figures.append(fw.add(fig, f"waterfall_{stem}", alt=stem, caption=code(name)))
    head = d.head("patient level probability band guideline")
    body.append(f"<p>{esc(d.w('examples_intro'))}</p>" + table(head, rows, id="examples-table"))
    body.append(_expected_order(d))
    body.append("".join(figures))
    return section("explanations", d.w("h.explanations"), "".join(body))


def _expected_order(d: ReportData) -> str:
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
                (
                    probs[a] > probs[b],
                    d.w("order.pair", a=a, b=b, pa=probability_text(probs[a]), pb=probability_text(probs[b])),
                )
            )
    good = sum(ok for ok, _ in items)
    shown = [
        f'<span class="{"ok" if ok else "bad"}">{esc(d.w("ok" if ok else "not_ok"))}</span> {esc(text)}'
        for ok, text in items
    ]
    return f"<p>{esc(d.w('order_intro', k=good, n=len(items)))}</p>" + listing(shown)
