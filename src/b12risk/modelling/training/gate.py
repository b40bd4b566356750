"""The release gate: every scenario x level cell of the evaluation must show the model
close to the oracle, calibrated, and better than each rules-based baseline compared there.

The checks on real patients (NHANES) are :mod:`b12risk.modelling.training.real_gate`;
their failures have the same shape and :func:`gate_report` lists both.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from b12risk.modelling.training.config import Gate
from b12risk.modelling.training.evaluation import _baselines_at

__all__ = ["gate_report", "release_gate"]


def _estimate(table: pd.DataFrame, scenario: str, level: str, scorer: str, metric: str) -> float:
    sel = table[
        (table.scenario == scenario) & (table.level == level) & (table.scorer == scorer) & (table.metric == metric)
    ]
    return float(sel.estimate.iloc[0]) if len(sel) else float("nan")


def release_gate(table: pd.DataFrame, gate: Gate) -> list[dict[str, Any]]:
    """Every failed check of the release gate, one dict per scenario x level x check."""
    failures = []
    for (scenario, level), _ in table.groupby(["scenario", "level"], sort=False):

        def get(scorer: str, metric: str, scenario=scenario, level=level) -> float:
            return _estimate(table, scenario, level, scorer, metric)

        auc, oracle = get("model", "auroc"), get("oracle", "auroc")
        checks = [("AUROC vs oracle", auc - oracle, -gate.auroc_margin, f"model {auc:.4f}, oracle {oracle:.4f}")]
        slope, intercept = get("model", "cal_slope"), get("model", "cal_intercept")
        checks.append(("calibration slope", slope, None, f"{slope:.3f} outside [{gate.slope_low}, {gate.slope_high}]"))
        checks.append(("calibration intercept", intercept, None, f"|{intercept:.3f}| > {gate.intercept_max}"))
        for name in _baselines_at(level):
            base = get(name, "auroc")
            if not np.isnan(base):
                checks.append((f"AUROC vs {name}", auc - base, 0.0, f"model {auc:.4f}, {name} {base:.4f}"))
        for check, value, floor, detail in checks:
            if check == "calibration slope":
                bad = not gate.slope_low <= value <= gate.slope_high
                by = min(abs(value - gate.slope_low), abs(value - gate.slope_high))
            elif check == "calibration intercept":
                bad = not abs(value) <= gate.intercept_max
                by = abs(value) - gate.intercept_max
            else:
                bad = not value > floor if floor == 0.0 else not value >= floor
                by = floor - value
            if bad or np.isnan(value):
                failures.append(
                    {"scenario": scenario, "level": level, "check": check, "by": round(float(by), 4), "detail": detail}
                )
    return failures


def gate_report(failures: list[dict[str, Any]]) -> str:
    """Human-readable list of failed gate checks (``by`` None: the check could not be measured)."""
    lines = [f"release gate failed in {len(failures)} check(s):"]
    for f in failures:
        by = "    n/a" if f["by"] is None else f"{f['by']:+.4f}"
        lines.append(f"  {f['scenario']:<18} {f['level']:<13} {f['check']:<28} by {by}  ({f['detail']})")
    return "\n".join(lines)
