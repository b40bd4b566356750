"""Where b12risk 1.0.0 defined :class:`LevelCalibratedClassifier`.

The shipped 1.0.0 model records this import path in its skops file, so it stays as a
re-export of :mod:`b12risk.modelling.calibration`, where the class now lives.
"""

from b12risk.modelling.calibration import LevelCalibratedClassifier

__all__ = ["LevelCalibratedClassifier"]
