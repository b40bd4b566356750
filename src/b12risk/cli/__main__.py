"""``python -m b12risk.cli``: the same command as ``b12risk``."""

import sys

from b12risk.cli import main

sys.exit(main())
