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


# --------------------------------------------------------------------------- interleaved comparisons


class SpreadTooWide(SystemExit):
    """Raised (exit status 3) when a ratio's rounds disagree too much to support it."""

    def __init__(self, message: str) -> None:
        super().__init__(3)
        self.message = message


def machine_header() -> str:
    """What the figures depend on: load, cores, thread settings and library versions."""
    import os
    import platform

    import numba
    import sklearn
    from threadpoolctl import threadpool_info

    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    pools = (
        "; ".join(f"{i['user_api']} {i['internal_api']} {i['num_threads']} threads" for i in threadpool_info())
        or "none loaded"
    )
    env = {k: os.environ.get(k, "unset") for k in ("OMP_NUM_THREADS", "NUMBA_NUM_THREADS")}
    return "\n".join(
        [
            f"machine: {platform.processor() or platform.machine()}, {cores} cores usable, load average {load} (1, 5, 15 min)",
            f"threads: {pools}; numba default {numba.config.NUMBA_NUM_THREADS}; "
            + ", ".join(f"{k}={v}" for k, v in env.items()),
            f"versions: python {platform.python_version()}, numpy {np.__version__}, scikit-learn {sklearn.__version__}, "
            f"numba {numba.__version__}",
        ]
    )


def _quartiles(values: list[float]) -> tuple[float, float, float]:
    q1, q2, q3 = np.percentile(values, [25, 50, 75])
    return float(q1), float(q2), float(q3)


def interleaved(
    cases: dict[str, Callable[[], object]], *, rounds: int, repeat: int, warmup: int = 1
) -> dict[str, list[float]]:
    """Seconds per call of each case, measured in ``rounds`` rounds that take the cases in
    turn (the order rotating each round), each round's figure the median of ``repeat`` calls.

    Interleaving puts every case under the same load, so a ratio of two cases taken
    within a round survives a machine that gets busier or quieter during the run.
    """
    for fn in cases.values():
        for _ in range(warmup):
            fn()
    names = list(cases)
    out: dict[str, list[float]] = {name: [] for name in names}
    for r in range(rounds):
        for name in names[r % len(names) :] + names[: r % len(names)]:
            times = []
            for _ in range(repeat):
                t = time.perf_counter()
                cases[name]()
                times.append(time.perf_counter() - t)
            out[name].append(statistics.median(times))
    return out


def spread(values: list[float]) -> float:
    """Interquartile range over median: how far the rounds disagree (0 = not at all)."""
    q1, q2, q3 = _quartiles(values)
    return (q3 - q1) / q2 if q2 else float("inf")


def ratio_line(
    name: str,
    ratios: list[float],
    *,
    target: str,
    met: Callable[[float], bool],
    max_spread: float,
    detail: str = "",
) -> bool:
    """Print a ratio's median over rounds with its quartiles and spread; raise
    :class:`SpreadTooWide` if the spread is above ``max_spread``. Returns whether the target is met."""
    q1, q2, q3 = _quartiles(ratios)
    s = spread(ratios)
    ok = met(q2)
    print(
        f"  {name:<46} ratio {q2:7.3f} (quartiles {q1:.3f}-{q3:.3f}, spread {s:.0%})   target {target}: "
        f"{'met' if ok else 'NOT met'}{('   ' + detail) if detail else ''}",
        flush=True,
    )
    if s > max_spread:
        raise SpreadTooWide(
            f"{name}: the rounds' ratios spread {s:.0%} (IQR / median), more than {max_spread:.0%}; "
            "the machine is too busy for this ratio to mean anything: rerun on a quieter machine or with more --rounds"
        )
    return ok


def times_line(name: str, seconds: list[float], *, rows: int = 1) -> None:
    """Print a case's median time per call (or rows/s) over rounds, with its spread."""
    q1, q2, q3 = _quartiles(seconds)
    if rows == 1:
        shown = f"{q2 * 1e3:9.2f} ms per call (quartiles {q1 * 1e3:.2f}-{q3 * 1e3:.2f})"
    else:
        shown = f"{rows / q2:11,.0f} rows/s ({rows:,} rows; quartiles {rows / q3:,.0f}-{rows / q1:,.0f})"
    print(f"    {name:<44} {shown}, spread {spread(seconds):.0%}", flush=True)
