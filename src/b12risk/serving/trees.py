"""Evaluating and explaining a :class:`~b12risk.serving.forest.Forest` with the compiled loops.

:func:`raw_predict` gives the trees' log-odds (scikit-learn's ``decision_function``, to
the last bit) and :func:`shap_values` their exact tree-path-dependent SHAP values
(shap's ``TreeExplainer`` without background data), for the pipeline's preprocessed
matrix. Rows are split into chunks evaluated by Python threads, the compiled loops
releasing the GIL: unlike numba's own thread pools this is safe from many threads at
once (``predict()`` is) and after ``fork`` (the pool is made again in the child), and
needs no threading library besides Python's. :func:`thread_count` says how many
threads a call gets.

numba is imported, and the loops compiled or read from numba's cache, on the first call.
"""

from __future__ import annotations

import math
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from b12risk.errors import ConfigError
from b12risk.serving.forest import MASK_BITS, Forest

__all__ = ["THREADED_ROWS", "raw_predict", "shap_values", "thread_count"]

#: Below this many rows, the trees are evaluated on one thread.
THREADED_ROWS = 2000

#: Rows per task handed to a thread: large enough that a task's overhead is negligible,
#: small enough that the threads finish together; a batch of fewer than ``threads`` times
#: this is cut into ``threads`` equal tasks, none under ``_MIN_CHUNK_ROWS``.
_CHUNK_ROWS = 4096
_MIN_CHUNK_ROWS = 256
#: Rows the compiled loops take at once (their vector width, in rows): measured best
#: near these on a 2-core Xeon (prediction 32, SHAP 64; fewer rows use fewer lanes).
_PREDICT_LANES = 32
_SHAP_LANES = 64
#: Up to this many rows, SHAP values are computed one row at a time (the vector loops
#: would run mostly empty).
_ONE_BY_ONE_ROWS = 4

_LOCK = threading.Lock()


def thread_count(n_rows: int, *, threaded_rows: int) -> int:
    """Threads to evaluate ``n_rows`` rows with.

    One below ``threaded_rows`` rows (waking threads costs more than they save on a
    few rows, and far more on a busy machine). From there on, the cores this process
    may run on, limited by the ``NUMBA_NUM_THREADS`` environment variable and by the
    OpenMP thread limit in force (``OMP_NUM_THREADS``, or a threadpoolctl
    ``threadpool_limits`` block around the call), so that what limits scikit-learn's
    threads limits these too; and never more than one per chunk of rows.

    Parameters
    ----------
    n_rows : int
        Rows to evaluate.
    threaded_rows : int
        Fewest rows worth more than one thread.

    Returns
    -------
    int
        At least 1.
    """
    if n_rows < threaded_rows:
        return 1
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    limits = [cores, math.ceil(n_rows / _MIN_CHUNK_ROWS)]
    env = os.environ.get("NUMBA_NUM_THREADS", "").strip()
    if env.isdigit() and int(env) > 0:
        limits.append(int(env))
    omp = _openmp_limit()
    if omp is not None:
        limits.append(omp)
    return max(1, min(limits))


_CONTROLLER: list[object] = []


def _openmp_limit() -> int | None:
    """The OpenMP thread limit threadpoolctl sees in this thread now (None without an OpenMP library)."""
    from threadpoolctl import ThreadpoolController  # light, but only needed for large batches

    with _LOCK:
        if not _CONTROLLER:  # finding the libraries takes milliseconds: once per process
            _CONTROLLER.append(ThreadpoolController())
        controller = _CONTROLLER[0]
    counts = [lib.num_threads for lib in controller.select(user_api="openmp").lib_controllers]
    return min(counts) if counts else None


class _Pool:
    """One thread pool per process, made again in a child after ``fork`` (threads do not survive it)."""

    def __init__(self) -> None:
        self.pid = -1
        self.size = 0
        self.executor: ThreadPoolExecutor | None = None
        self.lock = threading.Lock()

    def get(self, size: int) -> ThreadPoolExecutor:
        with self.lock:
            if self.executor is None or self.pid != os.getpid() or self.size < size:
                if self.executor is not None and self.pid == os.getpid():
                    self.executor.shutdown(wait=False)  # its running tasks finish; new ones go to the new pool
                self.executor = ThreadPoolExecutor(max_workers=size, thread_name_prefix="b12risk-trees")
                self.pid, self.size = os.getpid(), size
            return self.executor


_POOL = _Pool()


def _in_chunks(work: Callable[[int, int], None], n: int, threads: int) -> None:
    """Call ``work(start, stop)`` over ``range(n)`` in chunks on ``threads`` threads (here if one)."""
    size = min(_CHUNK_ROWS, max(_MIN_CHUNK_ROWS, math.ceil(n / max(threads, 1))))
    if threads <= 1 or n <= size:
        work(0, n)
        return
    pool = _POOL.get(threads)
    futures = [pool.submit(work, s, min(n, s + size)) for s in range(0, n, size)]
    for future in futures:
        future.result()


def _matrix(forest: Forest, X: np.ndarray) -> np.ndarray:
    """``X`` as float64 in C or Fortran order (the loops are compiled for each order they meet)."""
    X = np.asarray(X, dtype=np.float64)
    if not (X.flags.c_contiguous or X.flags.f_contiguous):
        X = np.ascontiguousarray(X)
    if X.ndim != 2 or X.shape[1] != forest.n_features:
        raise ConfigError(
            f"The trees read a matrix of {forest.n_features} preprocessed columns. Got shape {X.shape} instead."
        )
    return X


def raw_predict(forest: Forest, X: np.ndarray, *, threads: int = 1, walk: bool = False) -> np.ndarray:
    """The trees' log-odds for the preprocessed rows ``X``: scikit-learn's ``decision_function``.

    Parameters
    ----------
    forest : Forest
    X : ndarray of float64, shape (n, forest.n_features)
        The pipeline's preprocessed matrix (NaN = missing).
    threads : int
        Threads to use (see :func:`thread_count`).
    walk : bool
        Walk each row down each tree instead of comparing all of a tree's splits (done
        anyway when a tree has more than 64 leaves; both give the same numbers).

    Returns
    -------
    ndarray of float64, shape (n,)
    """
    from b12risk.serving import kernels  # numba: compiled on first use

    X = _matrix(forest, X)
    out = np.empty(len(X))
    f = forest
    if walk or f.max_leaves > MASK_BITS:

        def work(s: int, e: int) -> None:
            kernels.predict_rows_walk(
                X, s, e, f.baseline, f.root, f.depth, f.feature, f.threshold, f.nan_right, f.child, f.value, out
            )
    else:
        lanes = min(_PREDICT_LANES, max(1, len(X)))

        def work(s: int, e: int) -> None:
            kernels.predict_rows(
                X, s, e, lanes, f.baseline, f.split_offset, f.split_feature, f.split_threshold, f.split_nan_right,
                f.split_mask, f.leaf_offset, f.leaf_value, kernels.LOWEST_BIT, out,
            )  # fmt: skip

    _in_chunks(work, len(X), threads)
    return out


def shap_values(forest: Forest, X: np.ndarray, *, threads: int = 1) -> np.ndarray:
    """Exact tree-path-dependent SHAP values of the trees' log-odds for the preprocessed rows ``X``.

    Equal to ``shap.TreeExplainer(hgb).shap_values(X)`` (no background data); with
    ``forest.expected`` they add up to :func:`raw_predict` for every row.

    Parameters
    ----------
    forest : Forest
    X : ndarray of float64, shape (n, forest.n_features)
        The pipeline's preprocessed matrix (NaN = missing).
    threads : int
        Threads to use (see :func:`thread_count`).

    Returns
    -------
    ndarray of float64, shape (n, forest.n_features)
    """
    from b12risk.serving import kernels  # numba: compiled on first use

    X = _matrix(forest, X)
    out = np.zeros((len(X), forest.n_features))
    f = forest
    shape = (f.root, f.feature, f.threshold, f.nan_right, f.child, f.value, f.parent, f.prev, f.is_right)
    tables = (f.n_points, f.table_offset, f.ratio, f.weight)
    if len(X) <= _ONE_BY_ONE_ROWS:
        kernels.shap_rows_one_by_one(X, 0, len(X), *shape, *tables, out)
        return out
    lanes = min(_SHAP_LANES, len(X))
    _in_chunks(lambda s, e: kernels.shap_rows(X, s, e, lanes, *shape, *tables, out), len(X), threads)
    return out
