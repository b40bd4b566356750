"""The ``b12risk`` command line (console script ``b12risk.cli:main``).

:mod:`b12risk.cli.main` builds the parser and handles errors; each subcommand is one
module beside it (``simulate``, ``train``, ``models``, ``predict`` for predict and
explain, ``report``, ``validate``, ``demo``, ``score``, ``serve``) that parses its arguments and
calls one library function. Importing this package loads no heavy library (shap,
matplotlib, dask, scikit-learn): the library modules load those when a subcommand runs.
"""

from b12risk.cli.main import main

__all__ = ["main"]
