"""Section 2 of the report: every entry of the knowledge base, with its unit and source, and
where the source article, primary sources and real data disagree."""

from __future__ import annotations

from collections.abc import Sequence

from b12risk.knowledge.disagreements import PrimarySource, RealData
from b12risk.reporting.data import ReportData
from b12risk.reporting.html.markup import bdi, code, esc, listing, ltr, section, table
from b12risk.words import t_unit

__all__ = ["disagreements", "render"]


def _q(value: float) -> str:
    return ltr(f"{value:g}".replace("-", "−"))


def _sides(items: Sequence[PrimarySource | RealData], name: str) -> str:
    """Each source (its attribute ``name``) with its figure, as a list; '–' when there is none."""
    if not items:
        return "–"
    return listing([f"{bdi(getattr(i, name))}: {bdi(i.figure)}" for i in items])


def disagreements(d: ReportData) -> str:
    """The table "Where the sources disagree": for each entry of ``seeds/disagreements.toml``,
    the claim, the article's paragraph, statement and figure, the primary sources, the real
    data, the side that drives the simulator, why, and where it enters the simulator.

    Parameters
    ----------
    d : ReportData
        The page's data; only its knowledge base and language are read.

    Returns
    -------
    str
        The table's HTML (id ``provenance-disagreements``), one row per entry with its key
        and driving side as ``data-key`` and ``data-drives``.
    """
    rows, attrs = [], []
    for key, e in d.kb.disagreements.items():
        a = e.article
        rows.append(
            [
                f"<strong>{esc(d.label(e))}</strong><br>{bdi(e.claim)}",
                f"{ltr(f'¶{a.paragraph}')} {bdi(a.text)}<br><em>{bdi(a.figure)}</em>",
                _sides(e.primary, "citation"),
                _sides(e.real_data, "source"),
                esc(d.w("drives." + e.drives)),
                bdi(e.reason),
                bdi(e.in_simulator),
            ]
        )
        attrs.append({"data_key": key, "data_drives": e.drives})
    return table(
        d.head("claim article primary real_data drives reason in_simulator"),
        rows,
        row_attrs=attrs,
        id="provenance-disagreements",
    )


def render(d: ReportData) -> str:
    """Where the knowledge comes from: causes, symptoms, thresholds, scenarios, published estimates
    and where the sources disagree."""
    kb, lang = d.kb, d.language
    cause_rows = []
    for name, c in kb.causes.items():
        head = [code(name), esc(d.label(c)), esc(d.w("kind." + c.kind)), esc(d.w("mech." + c.mechanism))]
        if c.kind == "categorical":
            names = c.level_labels_ar if lang == "ar" else c.level_labels_en
            for lv, shown in zip(c.levels, names, strict=True):
                q = c.effects[lv]
                cause_rows.append([*head, esc(shown), _q(q.value), bdi(q.unit), bdi(q.source), bdi(c.source)])
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
            cause_rows.append([*head, esc(detail), _q(q.value), bdi(q.unit), bdi(q.source), bdi(c.source)])
    causes = table(
        d.head("key cause kind mechanism setting effect unit effect_source source"),
        cause_rows,
        id="provenance-causes",
    )
    symptom_rows = [
        [
            code(k),
            esc(d.label(s)),
            esc(d.w("tier." + s.tier)),
            esc(d.w("yes" if s.neurological else "no")),
            _q(s.background.value),
            bdi(s.background.source),
            bdi(s.source),
        ]
        for k, s in kb.symptoms.items()
    ]
    symptoms = table(
        d.head("key symptom tier neuro background rate_source source"),
        symptom_rows,
        id="provenance-symptoms",
    )
    marker_rows = [
        [esc(d.label(b)), code(t), _q(q.value), bdi(q.unit), bdi(q.source)]
        for b in kb.biomarkers.values()
        for t, q in b.thresholds.items()
    ]
    markers = table(
        d.head("biomarker threshold value unit source"),
        marker_rows,
        id="provenance-thresholds",
    )
    scen_rows = [[code(k), bdi(s.description), code(s.region), bdi(s.source)] for k, s in kb.scenarios.items()]
    scenarios = table(
        d.head("scenario description region source"),
        scen_rows,
        id="provenance-scenarios",
    )
    lit_rows = []
    for k, e in kb.literature.items():
        q = e.estimate
        interval = f"{q.low:g}–{q.high:g}" if q.low is not None and q.high is not None and q.low != q.high else "–"
        lit_rows.append(
            [
                code(k),
                code(e.cause),
                bdi(e.measure),
                bdi(e.definition),
                _q(q.value),
                ltr(interval),
                bdi(q.unit),
                esc(d.w("status." + e.status)),
                esc(d.w("yes" if e.test else "no")),
                bdi(q.source),
            ]
        )
    literature = table(
        d.head("key cause measure definition value ci unit status target source"),
        lit_rows,
        id="provenance-literature",
    )
    body = [
        f"<p>{esc(d.w('prov_intro', fp=d.kb.fingerprint[:16]))}</p>",
        f"<h3>{esc(d.w('causes'))}</h3><p>{esc(d.w('causes_intro'))}</p>{causes}",
        f"<h3>{esc(d.w('symptoms'))}</h3>{symptoms}",
        f"<h3>{esc(d.w('thresholds'))}</h3>{markers}",
        f"<h3>{esc(d.w('scenarios'))}</h3>{scenarios}",
        f"<h3>{esc(d.w('literature'))}</h3><p>{esc(d.w('literature_intro'))}</p>{literature}",
        f"<h3>{esc(d.w('disagreements'))}</h3><p>{esc(d.w('disagreements_intro'))}</p>{disagreements(d)}",
    ]
    return section("provenance", d.w("h.provenance"), "".join(body))
