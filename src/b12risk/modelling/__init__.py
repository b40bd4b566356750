"""From cohorts to a released model: the rules-based baselines, the metrics, level
calibration, training to the release gate, the scorer table every comparison iterates,
and the model card written with each version."""
