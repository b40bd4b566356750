"""CDS Hooks cards from a prediction: the risk card and, where one applies, the suggestion card.

The risk card's summary gives the probability, band and information level; its detail
(GitHub-flavoured Markdown, as the spec requires) the contributions that moved the risk
most, in words, where each value came from in the record, what was read but not used, what
the EHR did not provide, and the decision-support disclaimer. Its ``extension`` carries
the numbers for machines (probability, band, level, model version). The suggestion card
proposes a ServiceRequest for the test that would inform the decision most. Every text is
English or Arabic from ``words.toml``.
"""

from __future__ import annotations

import uuid
from typing import Any

from b12risk.cds.suggestions import Rule
from b12risk.fhir import FhirPatient
from b12risk.fhir.codes import code_book
from b12risk.knowledge.schema import features
from b12risk.words import say, t

__all__ = ["percent", "risk_card", "suggestion_card"]

MAX_NOTES = 5  # notes listed on a card; the rest are counted
SUMMARY_LIMIT = 140  # characters (the spec: "<140-character summary")


def percent(p: float) -> str:
    """A probability as a card shows it: whole percent, "<1%" below 1%."""
    return f"{p:.0%}" if p >= 0.01 else "<1%"


def _md(text: str) -> str:
    """Text safe inside Markdown: no character starts formatting, a link or HTML."""
    return "".join("\\" + c if c in "\\`*_[]<>#|" else c for c in str(text))


def _source(language: str, version: str) -> dict[str, str]:
    return {"label": f"b12risk {version}" if language == "en" else f"\u2066b12risk {version}\u2069"}


def risk_card(prediction: Any, record: FhirPatient, language: str, *, missing: tuple[str, ...] = (),
              ordering: str | None = None) -> dict[str, Any]:  # fmt: skip
    """The card that states the risk and why.

    Parameters
    ----------
    prediction : Prediction
        From :func:`b12risk.predict` with ``language``.
    record : FhirPatient
        The record it was computed from (for sources and notes).
    language : {"en", "ar"}
    missing : tuple of str
        Prefetch keys the EHR did not provide and the service could not fetch.
    ordering : str, optional
        The test being ordered (order-select), named on the card.
    """
    p = prediction
    band = p.risk_band_label
    level = t(f"level.{p.information_level}", language)
    summary = say("cds.summary", language, probability=percent(p.probability), band=band, level=level)
    if len(summary) >= SUMMARY_LIMIT:
        summary = summary[: SUMMARY_LIMIT - 2] + "…"
    lines = [say("cds.probability", language, probability=percent(p.probability), band=band, level=level)]
    if ordering:
        lines.append(say("cds.ordering", language, test=_md(ordering)))
    up = [c for c in p.contributions if c.log_odds > 0 and c.field != "(not given)"][:3]
    down = [c for c in p.contributions if c.log_odds < 0 and c.field != "(not given)"][:2]
    for head, group in ((t("raised_most", language), up), (t("lowered_most", language), down)):
        if group:
            lines.append(f"\n**{head}:**")
            lines += [f"- {_md(c.label)}: {_md(c.value_label)} ({c.log_odds:+.2f})" for c in group]
    feats = features()
    used = [(name, sources) for name, sources in record.sources.items() if name not in ("age", "sex")]
    if used:
        lines.append(f"\n**{t('cds.from_record', language)}:**")
        for name, sources in used:
            canonical = next(f for f in feats.values() if f.name == name or any(a[0] == name for a in f.alt_units))
            label = canonical.label_ar if language == "ar" else canonical.label_en
            where = "; ".join(f"{s.recorded}, {s.resource}" + (f", {s.date}" if s.date else "") for s in sources)
            lines.append(f"- {_md(label)}: {_md(where)}")
    if record.notes:
        lines.append(f"\n**{t('cds.not_used', language)}:**")
        lines += [f"- {_md(n.resource)}: {_md(n.detail)}" for n in record.notes[:MAX_NOTES]]
        if len(record.notes) > MAX_NOTES:
            lines.append(f"- {say('cds.more', language, n=len(record.notes) - MAX_NOTES)}")
    if missing:
        lines.append("\n" + say("cds.not_provided", language, what=", ".join(missing)))
    if p.warnings:
        lines.append(f"\n**{t('cds.warnings', language)}:** " + "; ".join(_md(w) for w in p.warnings))
    lines.append("\n" + say("cds.model", language, version=p.model_version))
    lines.append(f"**{t('disclaimer', language)}**")
    return {
        "uuid": str(uuid.uuid4()),
        "summary": summary,
        "detail": "\n".join(lines),
        "indicator": "warning" if p.risk_band == "high" else "info",
        "source": _source(language, p.model_version),
        "extension": {
            "b12risk": {
                "probability": p.probability,
                "risk_band": p.risk_band,
                "information_level": p.information_level,
                "log_odds": p.log_odds,
                "model_version": p.model_version,
                "fields": sorted(record.data),
            }
        },
    }


def display_of(rule: Rule) -> str:
    """The display name of a rule's test (from the code book)."""
    book = code_book()
    return book.lab(book.systems[rule.test.system][0], rule.test.code).display


def suggestion_card(rule: Rule, patient_id: str | None, language: str, version: str) -> dict[str, Any]:
    """The card that suggests ordering the test that would inform the decision most."""
    book = code_book()
    display = display_of(rule)
    system = book.systems[rule.test.system][0]
    request: dict[str, Any] = {
        "resourceType": "ServiceRequest",
        "status": "draft",
        "intent": "proposal",
        "code": {"coding": [{"system": system, "code": rule.test.code, "display": display}], "text": display},
    }
    if patient_id:
        request["subject"] = {"reference": f"Patient/{patient_id}"}
    detail = "\n\n".join(
        [
            t(rule.words, language),
            say("cds.source", language, source=_md(rule.source)),
            f"**{t('disclaimer', language)}**",
        ]
    )
    summary = say("cds.suggest_summary", language, test=display)
    return {
        "uuid": str(uuid.uuid4()),
        "summary": summary if len(summary) < SUMMARY_LIMIT else summary[: SUMMARY_LIMIT - 2] + "…",
        "detail": detail,
        "indicator": "info",
        "source": _source(language, version),
        "selectionBehavior": "at-most-one",
        "suggestions": [
            {
                "label": say("cds.suggest_action", language, test=display),
                "uuid": str(uuid.uuid4()),
                "actions": [
                    {
                        "type": "create",
                        "description": say("cds.suggest_action", language, test=display),
                        "resource": request,
                    }
                ],
            }
        ],
        "extension": {"b12risk": {"rule": rule.id, "test": f"{system}|{rule.test.code}"}},
    }
