"""The services this CDS Hooks server offers (the discovery document) and their prefetch.

Two services: one for the ``patient-view`` hook (a card whenever a clinician opens the
chart) and one for ``order-select`` (a card when a B12-related test is being ordered).
Both ask the EHR to prefetch the Patient and the patient's Observations of the codes
b12risk reads (from ``seeds/codes.toml``: laboratory results, pregnancy status, and the
findings a questionnaire asks as yes/no, such as symptoms and diet), Conditions,
Procedures, MedicationStatements and MedicationRequests.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from b12risk.fhir.codes import code_book

__all__ = ["PREFETCH_KEYS", "SERVICES", "Service", "discovery", "prefetch_templates"]

#: Prefetch keys; ``patient`` is required (without it: 412), the others enrich the card.
PREFETCH_KEYS: tuple[str, ...] = (
    "patient",
    "observations",
    "conditions",
    "procedures",
    "medicationStatements",
    "medicationRequests",
)


@dataclass(frozen=True)
class Service:
    """One CDS service: its id, hook, title and description."""

    id: str
    hook: str
    title: str
    description: str


SERVICES: dict[str, Service] = {
    s.id: s
    for s in (
        Service(
            id="b12risk-patient-view",
            hook="patient-view",
            title="Vitamin B12 deficiency risk",
            description=(
                "The probability that the patient's vitamin B12 status is deficient, from the record's risk factors, "
                "medicines, conditions and laboratory results, with the factors that moved it most and the test that "
                "would inform the decision most. Decision support, not a diagnosis."
            ),
        ),
        Service(
            id="b12risk-order-select",
            hook="order-select",
            title="Vitamin B12 deficiency risk when a B12 test is ordered",
            description=(
                "When serum B12, methylmalonic acid, homocysteine or holotranscobalamin is being ordered: the patient's "
                "current risk of B12 deficiency and, where the knowledge supports one, a more informative test. "
                "Decision support, not a diagnosis."
            ),
        ),
    )
}


@lru_cache(maxsize=1)
def prefetch_templates() -> dict[str, str]:
    """The prefetch templates every service asks for, keyed as :data:`PREFETCH_KEYS`."""
    codes = ",".join(f"{system}|{code}" for system, code in code_book().observation_codings())
    return {
        "patient": "Patient/{{context.patientId}}",
        "observations": f"Observation?patient={{{{context.patientId}}}}&code={codes}&_sort=-date",
        "conditions": "Condition?patient={{context.patientId}}",
        "procedures": "Procedure?patient={{context.patientId}}",
        "medicationStatements": "MedicationStatement?patient={{context.patientId}}",
        "medicationRequests": "MedicationRequest?patient={{context.patientId}}",
    }


def discovery() -> dict:
    """The discovery document (``GET /cds-services``)."""
    templates = prefetch_templates()
    return {
        "services": [
            {"hook": s.hook, "title": s.title, "description": s.description, "id": s.id, "prefetch": dict(templates)}
            for s in SERVICES.values()
        ]
    }
