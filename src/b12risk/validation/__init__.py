"""Turn caller input into the model's frame, or say exactly what is wrong.

:func:`validate` takes one patient (a dict), several (a list or tuple of dicts) or a
pandas DataFrame with one row per patient, and returns a :class:`Validated`: the
canonical frame the model reads (columns of :func:`b12risk.knowledge.schema.features`, in order,
with canonical units), which fields each caller gave, warnings and the information
level of each row. Every rule comes from the schema (kinds, units, plausible and
training ranges, categories, alternative units) and the knowledge base (which medicine
has a years and a dose field). Two cross-field rules are added: ``pregnant`` needs sex
female and age up to :func:`pregnancy_max_age` (from the seeds); a medicine's years and dose are both 0
or both above 0.

Problems are collected, never raised one at a time: bad input raises one
:class:`~b12risk.errors.InvalidPatientError` whose ``problems`` are :class:`Problem`
records naming, for each problem, the row (in a batch), the field, the value and what
is allowed, with the message that says so.

The arguments of public functions (as opposed to patient input) are checked against
declarations made with :mod:`b12risk.validation.constraints`.

The modules: :mod:`~b12risk.validation.rules` (what is accepted, from the schema),
:mod:`~b12risk.validation.columns` (one column), :mod:`~b12risk.validation.assemble`
(columns into the frame, and combinations), :mod:`~b12risk.validation.problems` (the
wording of each problem), :mod:`~b12risk.validation.text` (values as messages show
them), :mod:`~b12risk.validation.patients` (:func:`validate` and
:func:`information_level`) and :mod:`~b12risk.validation.constraints`.

Examples
--------
>>> from b12risk.validation import validate
>>> v = validate({"age": 67, "sex": " Female", "serum_b12_pg_ml": 260})
>>> round(float(v.frame.loc[0, "serum_b12_pmol_l"]), 2)
191.88
>>> v.given[0]
('age', 'sex', 'serum_b12_pmol_l')
>>> str(v.levels[0])
'serum_b12'
>>> validate({"age": "seventy", "diet": "keto"})
Traceback (most recent call last):
...
b12risk.errors.InvalidPatientError: 2 problem(s) with the patient input:
  - field 'age': expected a number in years, got 'seventy' (str)
  - field 'diet': 'keto' is not one of omnivore, vegetarian, vegan
"""

from __future__ import annotations

from b12risk.errors import Problem

# Kept importable from here for the argument checks of b12risk.simulation.cohort,
# b12risk.serving.predict, b12risk.modelling.training and b12risk.scale, until they use
# b12risk.validation.constraints.
from b12risk.validation.constraints import _is_whole  # noqa: F401
from b12risk.validation.patients import Validated, information_level, validate
from b12risk.validation.rules import ID_FIELDS, UNIT_TOLERANCE, pregnancy_max_age
from b12risk.validation.text import _repr, _show  # noqa: F401

__all__ = [
    "ID_FIELDS",
    "UNIT_TOLERANCE",
    "Problem",
    "Validated",
    "information_level",
    "pregnancy_max_age",
    "validate",
]
