"""Training: config -> cohorts -> fit -> evaluate against oracle and baselines -> gate -> export.

:func:`train` runs the whole job from a TOML config (the default ships as
``b12risk/configs/default.toml``) and writes a new version into the registry.

One module per step: :mod:`.config` (the validated config), :mod:`.cohorts` (the
simulated training, calibration and evaluation cohorts), :mod:`.fit` (the pipeline and
its calibration check), :mod:`.evaluation` (every scorer of the scorer table on every
scenario x level), :mod:`.gate` (the release gate) and :mod:`.run` (:func:`train`).

Examples
--------
>>> from b12risk.modelling.training import load_config
>>> cfg = load_config()
>>> cfg.model.learning_rate
0.1
"""

from b12risk.modelling.training.cohorts import mask_rows, training_cohort
from b12risk.modelling.training.config import Gate, TrainConfig, load_config
from b12risk.modelling.training.evaluation import evaluate
from b12risk.modelling.training.fit import build_pipeline
from b12risk.modelling.training.gate import gate_report, release_gate
from b12risk.modelling.training.run import TrainResult, train

__all__ = [
    "Gate",
    "TrainConfig",
    "TrainResult",
    "build_pipeline",
    "evaluate",
    "gate_report",
    "load_config",
    "mask_rows",
    "release_gate",
    "train",
    "training_cohort",
]
