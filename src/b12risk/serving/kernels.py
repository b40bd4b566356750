"""Compiled loops over a :class:`~b12risk.serving.forest.Forest`'s arrays (numba).

Imported only by :mod:`b12risk.serving.forest` when trees are first evaluated, so that
``import b12risk`` never loads numba. Each function is compiled on its first call and
cached on disk (numba's ``cache=True``), releases the GIL (``nogil=True``) so that
threads can share the rows, and writes only its own rows ``start:stop`` of ``out``.
The arrays' meaning is documented on :class:`~b12risk.serving.forest.Forest`.

Rows are taken ``lanes`` at a time and copied column by column into a small block
(``XT[feature, lane]``), so that the innermost loops run over rows with unit stride:
numba's compiler turns them into vector instructions. ``lanes`` is an argument, not
a constant, on purpose: a loop of a constant count is unrolled before it can be
vectorised.
"""

from __future__ import annotations

import numba
import numpy as np

__all__ = ["LOWEST_BIT", "predict_rows", "predict_rows_walk", "shap_rows", "shap_rows_one_by_one"]

_ALL = np.uint64(0xFFFFFFFFFFFFFFFF)
_DEBRUIJN = np.uint64(0x03F79D71B4CB0A89)
_SHIFT = np.uint64(58)


def _debruijn_table() -> np.ndarray:
    """Index of the lowest set bit of a 64-bit word ``w``: ``table[((w & -w) * DEBRUIJN) >> 58]``."""
    table = np.zeros(64, dtype=np.int64)
    with np.errstate(over="ignore"):
        for i in range(64):
            table[int((np.uint64(1) << np.uint64(i)) * _DEBRUIJN) >> 58] = i
    return table


#: Passed to :func:`predict_rows` (an argument rather than a global, which numba would freeze into its cache).
LOWEST_BIT = _debruijn_table()


@numba.njit(nogil=True, cache=True)
def _block(X, s, nb, lanes, XT):
    """Rows ``s .. s + nb`` of ``X`` into ``XT[:, :nb]`` (lanes past ``nb`` repeat row ``s``)."""
    for r in range(lanes):
        row = s + r if r < nb else s
        for f in range(X.shape[1]):
            XT[f, r] = X[row, f]


@numba.njit(nogil=True, cache=True)
def predict_rows(
    X, start, stop, lanes, baseline, split_offset, split_feature, split_threshold, split_nan_right, split_mask,
    leaf_offset, leaf_value, lowest_bit, out,
):  # fmt: skip
    """``out[i] = baseline + the leaf value row i reaches in each tree``, trees in order, for ``start <= i < stop``.

    Every split of a tree is compared for ``lanes`` rows at once; a split the row
    passes to the right rules out the leaves of its left subtree (``split_mask`` has
    their bits cleared), and the leftmost leaf not ruled out is the one the row
    reaches (QuickScorer, Lucchese et al. 2015). Needs at most 64 leaves per tree.
    Each row's sum is built in scikit-learn's order (the baseline, then tree 0, 1, ...),
    so it equals scikit-learn's to the last bit.
    """
    XT = np.empty((X.shape[1], lanes))
    alive = np.empty(lanes, dtype=np.uint64)
    acc = np.empty(lanes)
    for s in range(start, stop, lanes):
        nb = min(stop, s + lanes) - s
        _block(X, s, nb, lanes, XT)
        for r in range(lanes):
            acc[r] = baseline
        for t in range(len(leaf_offset) - 1):
            for r in range(lanes):
                alive[r] = _ALL
            for k in range(split_offset[t], split_offset[t + 1]):
                f = split_feature[k]
                threshold = split_threshold[k]
                nan_right = split_nan_right[k]
                mask = split_mask[k]
                for r in range(lanes):
                    x = XT[f, r]
                    right = (x > threshold) | (nan_right & (x != x))
                    alive[r] &= mask if right else _ALL
            first = leaf_offset[t]
            for r in range(lanes):
                a = alive[r]
                acc[r] += leaf_value[first + lowest_bit[((a & (~a + np.uint64(1))) * _DEBRUIJN) >> _SHIFT]]
        for r in range(nb):
            out[s + r] = acc[r]


@numba.njit(nogil=True, cache=True)
def predict_rows_walk(X, start, stop, baseline, root, depth, feature, threshold, nan_right, child, value, out):
    """As :func:`predict_rows` for trees of any size: each row walks down each tree.

    The rows of a block go down a tree one level at a time together, without
    branching (a leaf is its own child).
    """
    block = 64
    node = np.empty(block, dtype=np.int64)
    acc = np.empty(block)
    for s in range(start, stop, block):
        nb = min(stop, s + block) - s
        for r in range(nb):
            acc[r] = baseline
        for t in range(len(root)):
            for r in range(nb):
                node[r] = root[t]
            for _ in range(depth[t]):
                for r in range(nb):
                    nd = node[r]
                    x = X[s + r, feature[nd]]
                    right = (x > threshold[nd]) | (nan_right[nd] & (x != x))
                    node[r] = child[nd] + (1 if right else 0)
            for r in range(nb):
                acc[r] += value[node[r]]
        for r in range(nb):
            out[s + r] = acc[r]


@numba.njit(nogil=True, cache=True)
def shap_rows(
    X, start, stop, lanes, root, feature, threshold, nan_right, child, value, parent, prev, is_right, n_points,
    table_offset, ratio, weight, out,
):  # fmt: skip
    """Add each tree's exact path-dependent SHAP values of rows ``start:stop`` to ``out``.

    Per tree, for ``lanes`` rows at once: down the tree (parents first), each node's
    state for the row (see :func:`b12risk.serving.forest._tables`: 0 the row left the
    feature's path above, 1 it leaves here, 2 it follows; kept as the indicators
    ``gone`` of state 0 and ``kept`` of state 2) and its product of the path's feature
    factors at the quadrature points, its parent's times the node's ``ratio``; then up
    the tree (children first), the leaf-value-weighted sum of those products below each
    node, whose quadrature with the node's ``weight`` is the node's part of its parent's
    feature's value.
    """
    n_trees = len(root)
    n_nodes = len(feature)
    n_features = X.shape[1]
    size, points = 1, 1
    for t in range(n_trees):
        size = max(size, (root[t + 1] if t + 1 < n_trees else n_nodes) - root[t])
        points = max(points, n_points[t])
    P = np.empty((size, points, lanes))
    S = np.empty((size, points, lanes))
    gone = np.empty((size, lanes))
    kept = np.empty((size, lanes))
    XT = np.empty((n_features, lanes))
    phi = np.empty((n_features, lanes))
    for s in range(start, stop, lanes):
        nb = min(stop, s + lanes) - s
        _block(X, s, nb, lanes, XT)
        phi[:] = 0.0
        for t in range(n_trees):
            lo = root[t]
            n = (root[t + 1] if t + 1 < n_trees else n_nodes) - lo
            m = n_points[t]
            off = table_offset[t]
            for r in range(m):
                for lane in range(lanes):
                    P[0, r, lane] = 1.0
            for c in range(1, n):
                g = lo + c
                p = parent[g]
                f = feature[p]
                cut = threshold[p]
                nan_goes_right = nan_right[p]
                want_right = is_right[g]
                before = prev[g] - lo
                if before >= 0:
                    for lane in range(lanes):
                        x = XT[f, lane]
                        follows = ((x > cut) | (nan_goes_right & (x != x))) == want_right
                        still = kept[before, lane]
                        gone[c, lane] = 1.0 - still
                        kept[c, lane] = still * (1.0 if follows else 0.0)
                else:
                    for lane in range(lanes):
                        x = XT[f, lane]
                        follows = ((x > cut) | (nan_goes_right & (x != x))) == want_right
                        gone[c, lane] = 0.0
                        kept[c, lane] = 1.0 if follows else 0.0
                lp = p - lo
                base = off + c * 3 * m
                for r in range(m):
                    leaves_here = ratio[base + m + r]
                    d_gone = ratio[base + r] - leaves_here
                    d_kept = ratio[base + 2 * m + r] - leaves_here
                    for lane in range(lanes):
                        P[c, r, lane] = P[lp, r, lane] * (leaves_here + gone[c, lane] * d_gone + kept[c, lane] * d_kept)
            for c in range(n - 1, 0, -1):
                g = lo + c
                if child[g] == g:
                    v = value[g]
                    for r in range(m):
                        for lane in range(lanes):
                            S[c, r, lane] = v * P[c, r, lane]
                else:
                    lc = child[g] - lo
                    for r in range(m):
                        for lane in range(lanes):
                            S[c, r, lane] = S[lc, r, lane] + S[lc + 1, r, lane]
                base = off + c * 3 * m
                f = feature[parent[g]]
                for r in range(m):
                    leaves_here = weight[base + m + r]
                    d_gone = weight[base + r] - leaves_here
                    d_kept = weight[base + 2 * m + r] - leaves_here
                    for lane in range(lanes):
                        phi[f, lane] += S[c, r, lane] * (leaves_here + gone[c, lane] * d_gone + kept[c, lane] * d_kept)
        for r in range(nb):
            for f in range(n_features):
                out[s + r, f] += phi[f, r]


@numba.njit(nogil=True, cache=True)
def shap_rows_one_by_one(
    X, start, stop, root, feature, threshold, nan_right, child, value, parent, prev, is_right, n_points, table_offset,
    ratio, weight, out,
):  # fmt: skip
    """As :func:`shap_rows`, one row at a time: faster for a handful of rows, where the
    vector loops of :func:`shap_rows` would run mostly empty."""
    n_trees = len(root)
    n_nodes = len(feature)
    size, points = 1, 1
    for t in range(n_trees):
        size = max(size, (root[t + 1] if t + 1 < n_trees else n_nodes) - root[t])
        points = max(points, n_points[t])
    P = np.empty((size, points))
    S = np.empty((size, points))
    state = np.empty(size, dtype=np.int64)
    for row in range(start, stop):
        for t in range(n_trees):
            lo = root[t]
            n = (root[t + 1] if t + 1 < n_trees else n_nodes) - lo
            m = n_points[t]
            off = table_offset[t]
            for r in range(m):
                P[0, r] = 1.0
            for c in range(1, n):
                g = lo + c
                p = parent[g]
                x = X[row, feature[p]]
                follows = ((x > threshold[p]) | (nan_right[p] & (x != x))) == is_right[g]
                before = prev[g]
                if before >= 0 and state[before - lo] != 2:
                    st = 0
                elif follows:
                    st = 2
                else:
                    st = 1
                state[c] = st
                base = off + (c * 3 + st) * m
                lp = p - lo
                for r in range(m):
                    P[c, r] = P[lp, r] * ratio[base + r]
            for c in range(n - 1, 0, -1):
                g = lo + c
                if child[g] == g:
                    v = value[g]
                    for r in range(m):
                        S[c, r] = v * P[c, r]
                else:
                    lc = child[g] - lo
                    for r in range(m):
                        S[c, r] = S[lc, r] + S[lc + 1, r]
                if state[c] != 0:  # a row that left the feature's path above adds nothing here
                    base = off + (c * 3 + state[c]) * m
                    acc = 0.0
                    for r in range(m):
                        acc += S[c, r] * weight[base + r]
                    out[row, feature[parent[g]]] += acc
