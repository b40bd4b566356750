"""FHIR R4 input: a patient's record (Bundle, or Patient + Observation + Condition +
Procedure + MedicationStatement / MedicationRequest resources) as :func:`b12risk.predict` input.

Needs the optional extra ``b12risk[fhir]`` (fhir.resources for parsing and validation,
ucumvert for UCUM units); importing this package does not load them, calling
:func:`from_fhir` does. Codes (LOINC, SNOMED CT, ICD-10, RxNorm, ATC, HL7 diet codes) and
the table of countries by region come from ``seeds/codes.toml``, each with where it was
checked.

Modules: :mod:`~b12risk.fhir.codes` (the code book), :mod:`~b12risk.fhir.units` (UCUM),
:mod:`~b12risk.fhir.parse` (resources), :mod:`~b12risk.fhir.observations`,
:mod:`~b12risk.fhir.conditions`, :mod:`~b12risk.fhir.procedures`,
:mod:`~b12risk.fhir.medications` (the readers),
:mod:`~b12risk.fhir.evidence` (findings, sources, notes) and
:mod:`~b12risk.fhir.convert` (:func:`from_fhir`).
"""

from b12risk.errors import FhirInputError
from b12risk.fhir.convert import FhirPatient, from_fhir
from b12risk.fhir.evidence import Note, Source

__all__ = ["FhirInputError", "FhirPatient", "Note", "Source", "from_fhir"]
