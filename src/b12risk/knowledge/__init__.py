"""The knowledge base: ``seeds/*.toml`` read into validated, typed objects.

Every number in the seeds is a table ``{value, unit, source}`` (or ``{low, high, unit,
source}`` for a range), so each fact carries its unit and its provenance: a paragraph
of the source article ("article ¶2") or a citation. :func:`load` validates all of it
and raises :class:`KnowledgeError` naming the file, the key and the problem.

- :mod:`~b12risk.knowledge.sections`: the typed sections of each seed file;
- :mod:`~b12risk.knowledge.causes`: one class per kind of cause;
- :mod:`~b12risk.knowledge.disagreements`: where the article, primary sources and real data
  disagree, and which drives the simulator;
- :mod:`~b12risk.knowledge.load`: reading, resolving and cross-checking the files;
- :mod:`~b12risk.knowledge.schema`: the feature contract derived from it all.

Examples
--------
>>> from b12risk.knowledge import load
>>> kb = load()
>>> kb.biomarkers["serum_b12"].thresholds["deficient"].value
148.0
>>> sorted(kb.scenarios)[:3]
['africa_asia_high', 'antenatal', 'diabetes_clinic']
>>> kb.causes["diet"].kind, kb.causes["ppi"].columns
('categorical', ('ppi_years', 'ppi_pills_per_day'))
"""

from __future__ import annotations

from b12risk.errors import KnowledgeError
from b12risk.knowledge.load import EQUATIONS, LEVELS, STRUCTURAL_KEYS, Knowledge, load, measurement_keys, seeds_dir
from b12risk.knowledge.sections import Quantity, Range

__all__ = [
    "EQUATIONS",
    "LEVELS",
    "STRUCTURAL_KEYS",
    "Knowledge",
    "KnowledgeError",
    "Quantity",
    "Range",
    "load",
    "measurement_keys",
    "seeds_dir",
]
