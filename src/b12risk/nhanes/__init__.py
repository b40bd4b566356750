"""Real patients: NHANES survey tables in b12risk's terms, and external validation on them.

Real data enter b12risk here only. :func:`load_adults` turns CDC's tables (shipped in
``data/nhanes/``, or a folder of CDC downloads) into one frame of adults in b12risk's field
names and units; :mod:`b12risk.nhanes.outcomes` defines the biochemical reference
outcomes; :func:`b12risk.nhanes.validation.validate` measures a model against them.
"""

from b12risk.nhanes.adapter import CYCLES, load_adults, mapping, model_columns, supplement_name_agreement
from b12risk.nhanes.tables import data_dir, read_table, verify_shipped

__all__ = [
    "CYCLES",
    "data_dir",
    "load_adults",
    "mapping",
    "model_columns",
    "read_table",
    "supplement_name_agreement",
    "verify_shipped",
]
