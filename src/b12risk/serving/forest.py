"""The fitted trees compiled once into flat arrays, for the compiled loops of :mod:`b12risk.serving.trees`.

scikit-learn evaluates a ``HistGradientBoostingClassifier`` one tree at a time through
Python, and shap explains it with the general TreeSHAP algorithm (Lundberg et al. 2020,
Algorithm 2, quadratic in the depth). For a single patient most of that time is
overhead; for a population it is the algorithm. :func:`forest_for` turns the boosted
trees of a fitted model into a :class:`Forest` of flat arrays, once per model, which
:func:`b12risk.serving.trees.raw_predict` and :func:`b12risk.serving.trees.shap_values`
evaluate with loops compiled by numba (:mod:`b12risk.serving.kernels`):

- **Prediction** compares every split of a tree for a block of rows at once, each
  split that sends a row right ruling out the leaves left of it (QuickScorer), and
  adds the leaf values in the order scikit-learn does: the same additions in the
  same order, so the log-odds are bit for bit scikit-learn's (tested to 1e-12). Trees
  of more than 64 leaves are walked down instead.
- **SHAP values** are exact tree-path-dependent TreeSHAP (the values of
  ``shap.TreeExplainer`` without background data, tested to 1e-6), computed in time
  linear in the depth. For one leaf with unique path features ``F`` (``k`` of them),
  each with its cover fraction ``z_j`` and whether the row follows its splits
  (``o_j`` in {0, 1}), the Shapley value of feature ``i`` is
  ``v (o_i - z_i) * integral_0^1 prod_{j != i} (z_j + t (o_j - z_j)) dt``, a polynomial of
  degree ``k - 1`` in ``t`` that Gauss-Legendre quadrature with ``ceil(k / 2)`` points
  integrates exactly. Carrying each node's product of those factors at the quadrature
  points down the tree, and the leaf-value-weighted sums of them up the tree, gives
  every feature's value in one pass over the nodes: the idea of Linear TreeSHAP (Yu et
  al. 2022), here with quadrature in place of its polynomial arithmetic.

A model whose trees split on categories (``categorical_features`` other than None) is
refused: every split here is numeric, as the model's pipeline feeds ordinal codes.
"""

from __future__ import annotations

import math
import threading
import weakref
from dataclasses import dataclass
from typing import Any

import numpy as np

from b12risk.errors import ModelIntegrityError

__all__ = ["MASK_BITS", "Forest", "compile_forest", "forest_for"]

#: The most leaves a tree may have for the split-comparing prediction (one bit each).
MASK_BITS = 64


@dataclass(frozen=True, eq=False)
class Forest:
    """The boosted trees of one fitted model as flat arrays.

    Nodes of all trees are numbered in one array, each tree breadth first from its root
    (a parent before its children), and the two children of a split are adjacent: the
    left one at ``child[node]``, the right one next to it. A leaf is its own child, with
    threshold ``+inf`` and NaN sent left, so a walk may run past it and stay there.

    Attributes
    ----------
    baseline : float
        The model's constant log-odds before any tree.
    root, depth : ndarray of int64, shape (n_trees,)
        Each tree's root node and its number of levels below the root.
    feature : ndarray of int64
        The column a split reads (0 at leaves).
    threshold : ndarray of float64
        Rows with a value above it go right; ``+inf`` at leaves.
    nan_right : ndarray of bool
        Where a missing value (NaN) goes.
    child : ndarray of int64
        The left child (the right one is ``child + 1``); a leaf's own index.
    value : ndarray of float64
        Leaf values (0 at splits).
    n_features : int
        Columns the trees read (the preprocessed matrix's width).
    parent, prev : ndarray of int64
        For SHAP: each node's parent, and the nearest node above it on its path entered
        through a split on the same feature as its own parent's (-1 where none).
    is_right : ndarray of bool
        For SHAP: whether a node is its parent's right child.
    n_points, table_offset : ndarray of int64, shape (n_trees,)
        For SHAP: each tree's number of quadrature points and where its tables start.
    ratio, weight : ndarray of float64
        For SHAP: per node, per state (see :func:`_tables`) and per quadrature point,
        the factor the node multiplies its parent's product by, and the quadrature
        weight of its part of the feature's value.
    expected : float
        The expected log-odds under the training distribution of the trees' paths
        (the base value of the SHAP values).
    split_offset, leaf_offset : ndarray of int64, shape (n_trees + 1,)
        For prediction: where each tree's splits and leaves start in the ``split_*``
        and ``leaf_value`` arrays.
    split_feature, split_threshold, split_nan_right : ndarray
        For prediction: each tree's splits (any order).
    split_mask : ndarray of uint64
        For prediction: all bits set but those of the leaves in the split's left
        subtree (leaves numbered left to right from bit 0).
    leaf_value : ndarray of float64
        For prediction: each tree's leaf values, left to right.
    max_leaves : int
        The most leaves of any tree.
    """

    baseline: float
    root: np.ndarray
    depth: np.ndarray
    feature: np.ndarray
    threshold: np.ndarray
    nan_right: np.ndarray
    child: np.ndarray
    value: np.ndarray
    n_features: int
    parent: np.ndarray
    prev: np.ndarray
    is_right: np.ndarray
    n_points: np.ndarray
    table_offset: np.ndarray
    ratio: np.ndarray
    weight: np.ndarray
    expected: float
    split_offset: np.ndarray
    split_feature: np.ndarray
    split_threshold: np.ndarray
    split_nan_right: np.ndarray
    split_mask: np.ndarray
    leaf_offset: np.ndarray
    leaf_value: np.ndarray
    max_leaves: int

    @property
    def n_trees(self) -> int:
        """Number of trees."""
        return len(self.root)


# --------------------------------------------------------------------------- compiling


def _refuse(hgb: Any, why: str) -> ModelIntegrityError:
    return ModelIntegrityError(
        f"cannot compile {type(hgb).__name__} for fast scoring: {why}; b12risk models feed ordinal codes "
        "to a binary HistGradientBoostingClassifier with categorical_features=None"
    )


def _check(hgb: Any) -> None:
    """Refuse what the compiled path cannot reproduce exactly."""
    from sklearn.ensemble import HistGradientBoostingClassifier  # heavy: loaded with a model

    if not isinstance(hgb, HistGradientBoostingClassifier):
        raise _refuse(hgb, "it is not a HistGradientBoostingClassifier")
    if not hasattr(hgb, "_predictors"):
        raise _refuse(hgb, "it is not fitted")
    if getattr(hgb, "n_trees_per_iteration_", 1) != 1:
        raise _refuse(hgb, f"it has {hgb.n_trees_per_iteration_} trees per iteration (more than two classes)")
    categorical = getattr(hgb, "is_categorical_", None)
    if (categorical is not None and np.any(categorical)) or getattr(hgb, "_preprocessor", None) is not None:
        raise _refuse(hgb, "it treats some columns as categorical (categorical_features is not None)")
    for i, (predictor,) in enumerate(hgb._predictors):
        nodes = predictor.nodes
        split = nodes["is_leaf"] == 0
        if np.any(nodes["is_categorical"][split]):
            raise _refuse(hgb, f"tree {i} has a categorical split")
        counts = nodes["count"].astype(np.float64)
        if np.any(counts <= 0):
            raise _refuse(hgb, f"tree {i} has a node that no training row reached (count 0)")


def _breadth_first(nodes: np.ndarray) -> list[int]:
    """The tree's node indices, breadth first from the root, children of a split adjacent."""
    order, head = [0], 0
    while head < len(order):
        n = nodes[order[head]]
        if not n["is_leaf"]:
            order += [int(n["left"]), int(n["right"])]
        head += 1
    return order


def _gauss(m: int) -> tuple[np.ndarray, np.ndarray]:
    """Gauss-Legendre points and weights on [0, 1] (exact for polynomials of degree < 2m)."""
    x, w = np.polynomial.legendre.leggauss(m)
    return (x + 1.0) / 2.0, w / 2.0


def _tables(zpath: np.ndarray, has_prev: np.ndarray, prev_z: np.ndarray, m: int) -> tuple[np.ndarray, np.ndarray]:
    """Per node, per state and per quadrature point, the node's factor and weight.

    A node entered through a split on feature ``f`` changes ``f``'s factor on the path
    from ``q_prev(t)`` (1 if ``f`` was not split on above) to ``q(t) = z + t (o - z)``,
    where ``z`` is the product of the cover fractions of the path's splits on ``f`` so
    far and ``o`` whether the row followed all of them. The state says which ``o`` the
    row has before and after: 0 = it had already left ``f``'s path above (0 -> 0),
    1 = it leaves here (1 -> 0), 2 = it follows (1 -> 1); without an earlier split on
    ``f`` it is 1 or 2. ``ratio = q / q_prev``; ``weight = w_r (g - g_prev)`` with
    ``g = (o - z) / q`` (0 for no earlier split), so that summing ``weight`` times the
    leaf-value-weighted products below the node over every node entered through ``f``
    telescopes to ``f``'s exact Shapley value.
    """
    t, w = _gauss(m)
    n = len(zpath)
    ratio = np.ones((n, 3, m))
    weight = np.zeros((n, 3, m))
    for state, (o_prev, o) in enumerate(((0.0, 0.0), (1.0, 0.0), (1.0, 1.0))):
        q = zpath[:, None] + t[None, :] * (o - zpath[:, None])
        g = (o - zpath[:, None]) / q
        q_prev = np.where(has_prev[:, None], prev_z[:, None] + t[None, :] * (o_prev - prev_z[:, None]), 1.0)
        g_prev = np.where(has_prev[:, None], (o_prev - prev_z[:, None]) / q_prev, 0.0)
        ratio[:, state, :] = q / q_prev
        weight[:, state, :] = w[None, :] * (g - g_prev)
    return ratio, weight


def _splits_and_leaves(child: np.ndarray, leaf: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A breadth-first tree's splits, each with the mask of :attr:`Forest.split_mask`, and its
    leaves left to right."""
    n = len(child)
    leaves: list[int] = []
    first = np.zeros(n, dtype=np.int64)  # leftmost leaf number below each node
    count = np.zeros(n, dtype=np.int64)  # leaves below each node
    stack = [0]
    while stack:  # depth first, left before right: leaves come out left to right
        c = stack.pop()
        if leaf[c]:
            leaves.append(c)
        else:
            stack += [int(child[c]) + 1, int(child[c])]
    number = {c: i for i, c in enumerate(leaves)}
    for c in range(n - 1, -1, -1):  # children after parents: fill bottom up
        if leaf[c]:
            first[c], count[c] = number[c], 1
        else:
            a, b = int(child[c]), int(child[c]) + 1
            first[c], count[c] = first[a], count[a] + count[b]
    splits = np.flatnonzero(~leaf)
    masks = np.empty(len(splits), dtype=np.uint64)
    for i, c in enumerate(splits):
        a = int(child[c])
        left = ((1 << int(count[a])) - 1) << int(first[a]) if count[a] < MASK_BITS else (1 << MASK_BITS) - 1
        masks[i] = np.uint64(~left & ((1 << MASK_BITS) - 1))
    return splits, masks, np.asarray(leaves, dtype=np.int64)


def compile_forest(hgb: Any) -> Forest:
    """Flatten a fitted binary ``HistGradientBoostingClassifier`` into a :class:`Forest`.

    Parameters
    ----------
    hgb : sklearn.ensemble.HistGradientBoostingClassifier
        Fitted, with ``categorical_features=None``.

    Returns
    -------
    Forest

    Raises
    ------
    ModelIntegrityError
        If the model is not a fitted binary HistGradientBoostingClassifier, splits on
        categories, or has a node with no training rows (whose cover fraction is 0).
    """
    _check(hgb)
    roots, depths, n_points, offsets = [], [], [], []
    cols: dict[str, list[np.ndarray]] = {
        k: [] for k in ("feature", "threshold", "nan_right", "child", "value", "parent", "prev", "is_right")
    }
    ratios, weights = [], []
    qs: dict[str, list[np.ndarray]] = {k: [] for k in ("feature", "threshold", "nan_right", "mask", "leaf_value")}
    split_offset, leaf_offset = [0], [0]
    start, table_start, expected = 0, 0, 0.0
    for (predictor,) in hgb._predictors:
        nodes = predictor.nodes
        order = _breadth_first(nodes)
        pos = np.empty(len(nodes), dtype=np.int64)
        pos[order] = np.arange(len(order))
        t = nodes[order]
        n = len(t)
        leaf = t["is_leaf"].astype(bool)
        local_child = np.where(leaf, np.arange(n), pos[t["left"].astype(np.int64)])
        feature = np.where(leaf, 0, t["feature_idx"]).astype(np.int64)
        parent = np.full(n, -1, dtype=np.int64)
        is_right = np.zeros(n, dtype=bool)
        splits = np.flatnonzero(~leaf)
        parent[local_child[splits]] = splits
        parent[local_child[splits] + 1] = splits
        is_right[local_child[splits] + 1] = True
        count = t["count"].astype(np.float64)
        # walk down once: each node's nearest earlier split on its parent's feature, the
        # product of cover fractions of the splits on that feature so far, the number of
        # distinct features on the path (to choose the quadrature), the expected value
        prev = np.full(n, -1, dtype=np.int64)
        zpath = np.ones(n)
        reach = np.ones(n)  # product of all cover fractions from the root
        last: list[dict[int, int]] = [{} for _ in range(n)]  # feature -> last node entered through it
        k_max = 0
        for c in range(1, n):
            p = parent[c]
            f = int(feature[p])
            frac = count[c] / count[p]
            prev[c] = last[p].get(f, -1)
            zpath[c] = frac * (zpath[prev[c]] if prev[c] >= 0 else 1.0)
            reach[c] = reach[p] * frac
            last[c] = {**last[p], f: c}
            if leaf[c]:
                k_max = max(k_max, len(last[c]))
        m = max(1, math.ceil(k_max / 2))
        has_prev = prev >= 0
        ratio, weight = _tables(zpath, has_prev, np.where(has_prev, zpath[np.maximum(prev, 0)], 1.0), m)
        expected += float(np.sum(t["value"][leaf] * reach[leaf]))
        roots.append(start)
        depths.append(int(t["depth"].max()))
        n_points.append(m)
        offsets.append(table_start)
        cols["feature"].append(feature)
        cols["threshold"].append(np.where(leaf, np.inf, t["num_threshold"]).astype(np.float64))
        cols["nan_right"].append(~leaf & (t["missing_go_to_left"] == 0))
        cols["child"].append(local_child + start)
        cols["value"].append(np.where(leaf, t["value"], 0.0).astype(np.float64))
        cols["parent"].append(np.where(parent >= 0, parent + start, -1))
        cols["prev"].append(np.where(has_prev, prev + start, -1))
        cols["is_right"].append(is_right)
        ratios.append(ratio.ravel())
        weights.append(weight.ravel())
        splits, masks, leaves = _splits_and_leaves(local_child, leaf)
        qs["feature"].append(feature[splits])
        qs["threshold"].append(cols["threshold"][-1][splits])
        qs["nan_right"].append(cols["nan_right"][-1][splits])
        qs["mask"].append(masks)
        qs["leaf_value"].append(cols["value"][-1][leaves])
        split_offset.append(split_offset[-1] + len(splits))
        leaf_offset.append(leaf_offset[-1] + len(leaves))
        start += n
        table_start += n * 3 * m
    baseline = float(np.asarray(hgb._baseline_prediction, dtype=np.float64).reshape(-1)[0])
    return Forest(
        baseline=baseline,
        root=np.asarray(roots, dtype=np.int64),
        depth=np.asarray(depths, dtype=np.int64),
        **{k: np.ascontiguousarray(np.concatenate(v)) for k, v in cols.items()},
        n_features=int(hgb.n_features_in_),
        n_points=np.asarray(n_points, dtype=np.int64),
        table_offset=np.asarray(offsets, dtype=np.int64),
        ratio=np.concatenate(ratios),
        weight=np.concatenate(weights),
        expected=baseline + expected,
        split_offset=np.asarray(split_offset, dtype=np.int64),
        split_feature=np.concatenate(qs["feature"]),
        split_threshold=np.concatenate(qs["threshold"]),
        split_nan_right=np.concatenate(qs["nan_right"]),
        split_mask=np.concatenate(qs["mask"]),
        leaf_offset=np.asarray(leaf_offset, dtype=np.int64),
        leaf_value=np.concatenate(qs["leaf_value"]),
        max_leaves=int(np.max(np.diff(leaf_offset))),
    )


_FORESTS: weakref.WeakKeyDictionary[Any, Forest] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def forest_for(hgb: Any) -> Forest:
    """The :class:`Forest` of a fitted model's boosted trees, compiled once per model object.

    Kept as long as the model object lives (a weak reference), so a model loaded again
    is compiled again and a dropped one frees its arrays. Safe from many threads: the
    first caller compiles, the others wait for it.
    """
    with _LOCK:
        forest = _FORESTS.get(hgb)
        if forest is None:
            forest = _FORESTS[hgb] = compile_forest(hgb)
        return forest
