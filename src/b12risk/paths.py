"""Where the package's files are: the installed package folder and, in a source
checkout, the repository around it. Every module that looks for ``seeds/``,
``models/`` or ``data/`` starts from here, so moving a module never changes a path."""

from __future__ import annotations

from pathlib import Path

#: The installed ``b12risk`` package folder (holds ``seeds/``, ``models/`` and ``data/`` in a wheel).
PACKAGE = Path(__file__).resolve().parent
#: The repository root when running from a source checkout (``src/b12risk`` -> root).
CHECKOUT = PACKAGE.parents[1]
