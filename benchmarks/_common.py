"""Helpers shared by the benchmarks: repeated timing with medians, and a reference
measured in the same run so that ratios survive a noisy, shared machine."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import numpy as np


def median_seconds(fn: Callable[[], object], repeat: int = 5, warmup: int = 1) -> float:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def numpy_reference_rows_per_s(n: int = 1_000_000, values_per_row: int = 60) -> float:
    """Rows/s of drawing ``values_per_row`` normals per row with numpy: the floor any
    vectorised simulator of that width must pay, measured now on this machine."""
    rng = np.random.default_rng(0)
    return n / median_seconds(lambda: rng.standard_normal((n, values_per_row)))


def report(name: str, value: float, unit: str, *, target: float | None = None, reference: float | None = None) -> None:
    line = f"{name:<48} {value:>14,.0f} {unit}"
    if reference:
        line += f"   ratio to numpy reference {value / reference:5.3f}"
    if target:
        line += f"   target {target:,.0f} ({'met' if value >= target else 'NOT met'})"
    print(line, flush=True)
