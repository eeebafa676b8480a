"""Compiled (numba) exact baseline-Shapley contributions of boosted trees, per lead.

Same definition and the same figures, bit for bit, as the grouped closed form in
:mod:`leadscore.ml.contributions` (which stays as the reference the tests compare against):

* In one tree a row's contributions depend only on its left/right decision at each split, its
  *pattern* (14 bits for a 15-leaf tree). A tree sees a few thousand of the 2**splits
  patterns, so each pattern's contributions are computed once, kept in a per-tree table and
  reused by every later row and batch that shows it (:class:`PatternMemo`).
* A pattern's contributions come from the walk interventional TreeSHAP does with one
  background row (the typical lead ``z``): where the row ``x`` and ``z`` go the same way the
  walk follows them; where they part on a feature not yet decided on this path it visits both
  children, the ``x`` side with that feature in the set ``A`` (takes ``x``'s value) and the
  ``z`` side with it in ``B``; once decided, a feature's later splits follow its side. A leaf
  reached with ``|A| = a`` and ``|B| = b`` adds ``v (a-1)! b! / (a+b)!`` to each feature of
  ``A`` and subtracts ``v a! (b-1)! / (a+b)!`` from each of ``B``. Children are visited right
  first, the closed form's leaf order, so every sum is added up in the same order.
* Per batch: every row's pattern in every tree (branch-free comparisons, column by column),
  new patterns numbered and walked, then each row's contributions gathered from the tables,
  tree after tree. Rows are split across the native threads :mod:`leadscore.ml.runtime`
  allows.

Split rules follow HistGradientBoosting's predictor on raw values: numbers go left when
``x <= threshold``, a missing number goes to the split's missing side; categories go by a
257-entry table per categorical split (the 256 category codes, then missing), built from the
split's left bitset and the feature's known categories (unknown categories go to the missing
side). numba compiles the kernels once per machine (``cache=True`` keeps the machine code in
``__pycache__`` beside this file; measured about 10 CPU-s the first time).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numba
import numpy as np

CHUNK = 2048  # rows per parallel task (scratch buffers are allocated per task)


@dataclass(frozen=True)
class FlatForest:
    """All trees' nodes in flat arrays (child and root indices are global)."""

    feature: np.ndarray  # int64, internal input column of each split
    threshold: np.ndarray  # float64
    missing_left: np.ndarray  # bool
    is_leaf: np.ndarray  # bool
    left: np.ndarray  # int64
    right: np.ndarray  # int64
    value: np.ndarray  # float64
    lut_row: np.ndarray  # int64, row of ``luts`` for categorical splits, -1 for numbers
    luts: np.ndarray  # bool (categorical splits x 257)
    z_left: np.ndarray  # bool, the reference row's decision at each split
    roots: np.ndarray  # int64, first node of each tree
    max_depth: int


def weight_tables(size: int) -> tuple[np.ndarray, np.ndarray]:
    """wa[a, b] = (a-1)! b! / (a+b)!  and  wb[a, b] = a! (b-1)! / (a+b)!  (0 where undefined)."""
    wa = np.zeros((size + 1, size + 1))
    wb = np.zeros((size + 1, size + 1))
    for a in range(size + 1):
        for b in range(size + 1 - a):
            total = math.factorial(a + b)
            if a >= 1:
                wa[a, b] = math.factorial(a - 1) * math.factorial(b) / total
            if b >= 1:
                wb[a, b] = math.factorial(a) * math.factorial(b - 1) / total
    return wa, wb


@numba.njit(cache=True, nogil=True)
def _walk_pattern(
    root: int,
    x_left: np.ndarray,
    feature: np.ndarray,
    is_leaf: np.ndarray,
    left: np.ndarray,
    right: np.ndarray,
    value: np.ndarray,
    z_left: np.ndarray,
    wa: np.ndarray,
    wb: np.ndarray,
    side: np.ndarray,
    marks: np.ndarray,
    st_node: np.ndarray,
    st_marks: np.ndarray,
    st_feature: np.ndarray,
    out: np.ndarray,
) -> None:
    """One tree's walk for one decision pattern (``x``'s decision at each node given in
    ``x_left``); adds the contributions into ``out`` (internal columns)."""
    n_marks = 0
    a = 0
    b = 0
    st_node[0] = root
    st_marks[0] = 0
    st_feature[0] = 0
    sp = 1
    while sp > 0:
        sp -= 1
        node = st_node[sp]
        keep = st_marks[sp]
        while n_marks > keep:
            n_marks -= 1
            f = marks[n_marks]
            if side[f] == 1:
                a -= 1
            else:
                b -= 1
            side[f] = 0
        pending = st_feature[sp]  # f + 1: f joins A; -(f + 1): f joins B; 0: none
        if pending != 0:
            f = pending - 1 if pending > 0 else -pending - 1
            side[f] = 1 if pending > 0 else 2
            marks[n_marks] = f
            n_marks += 1
            if pending > 0:
                a += 1
            else:
                b += 1
        while not is_leaf[node]:
            f = feature[node]
            s = side[f]
            if s == 1:
                go_left = x_left[node]
            elif s == 2:
                go_left = z_left[node]
            else:
                go_left = x_left[node]
                if go_left != z_left[node]:
                    # both children: the right one now, the left one later (the closed
                    # form's leaf order, so each sum is added up in the same order)
                    st_node[sp] = left[node]
                    st_marks[sp] = n_marks
                    st_feature[sp] = f + 1 if go_left else -(f + 1)
                    sp += 1
                    side[f] = 2 if go_left else 1
                    marks[n_marks] = f
                    n_marks += 1
                    if go_left:
                        b += 1
                    else:
                        a += 1
                    go_left = False
            node = left[node] if go_left else right[node]
        v = value[node]
        if v != 0.0 and n_marks > 0:
            add_a = v * wa[a, b]
            sub_b = v * wb[a, b]
            for i in range(n_marks):
                f = marks[i]
                if side[f] == 1:
                    out[f] += add_a
                else:
                    out[f] -= sub_b
    while n_marks > 0:
        n_marks -= 1
        side[marks[n_marks]] = 0


@numba.njit(cache=True, nogil=True)
def _tree_codes(
    XT: np.ndarray,
    t: int,
    split_feature: np.ndarray,
    split_threshold: np.ndarray,
    split_missing_left: np.ndarray,
    split_lut: np.ndarray,
    luts: np.ndarray,
    split_offset: np.ndarray,
    code: np.ndarray,
) -> None:
    """code[r]: row r's decisions at tree t's splits, bit k set when it goes left at the
    k-th split (HGB's rules, as ``_goes_left_at`` in :mod:`leadscore.ml.contributions`).
    ``XT`` is columns x rows."""
    n = XT.shape[1]
    for r in range(n):
        code[r] = 0
    for s in range(split_offset[t], split_offset[t + 1]):
        bit = np.int32(s - split_offset[t])
        f = split_feature[s]
        k = split_lut[s]
        if k >= 0:
            for r in range(n):
                x = XT[f, r]
                c = 256 if (np.isnan(x) or x < 0) else (np.int64(x) & 0xFF)
                code[r] |= np.int32(luts[k, c]) << bit
        else:
            threshold = split_threshold[s]
            missing = split_missing_left[s]
            for r in range(n):
                x = XT[f, r]
                go = (x <= threshold) | (missing & (x != x))
                code[r] |= np.int32(go) << bit


@numba.njit(cache=True, parallel=True)
def _learn(
    XT: np.ndarray,
    trees: np.ndarray,
    split_feature: np.ndarray,
    split_threshold: np.ndarray,
    split_missing_left: np.ndarray,
    split_lut: np.ndarray,
    luts: np.ndarray,
    split_offset: np.ndarray,
    memo_offset: np.ndarray,
    slot: np.ndarray,
    n_patterns: np.ndarray,
    codes: np.ndarray,
) -> None:
    """codes[i]: the number of every row's pattern in tree ``trees[i]``'s table; patterns
    not seen before get the tree's next numbers (in row order)."""
    n = XT.shape[1]
    for i in numba.prange(trees.shape[0]):
        code = codes[i]
        _tree_codes(
            XT,
            trees[i],
            split_feature,
            split_threshold,
            split_missing_left,
            split_lut,
            luts,
            split_offset,
            code,
        )
        base = memo_offset[i]
        for r in range(n):
            at = base + code[r]
            if slot[at] < 0:
                slot[at] = n_patterns[i]
                n_patterns[i] += 1
            code[r] = slot[at]  # from here on, the pattern's number in the tree's table


@numba.njit(cache=True, parallel=True)
def _fill(
    trees: np.ndarray,
    known: np.ndarray,
    n_patterns: np.ndarray,
    memo_offset: np.ndarray,
    memo_size: np.ndarray,
    slot: np.ndarray,
    roots: np.ndarray,
    split_offset: np.ndarray,
    split_node: np.ndarray,
    feature: np.ndarray,
    is_leaf: np.ndarray,
    left: np.ndarray,
    right: np.ndarray,
    value: np.ndarray,
    z_left: np.ndarray,
    wa: np.ndarray,
    wb: np.ndarray,
    pair_offset: np.ndarray,
    pair_feature: np.ndarray,
    pair_base: np.ndarray,
    n_columns: int,
    max_depth: int,
    table: np.ndarray,
) -> None:
    """Contributions of each tree's patterns numbered ``known[i]..n_patterns[i]-1``:
    table[pair_base[p] + pattern] for the tree's feature pairs p (the walk on the bits)."""
    for i in numba.prange(trees.shape[0]):
        if n_patterns[i] == known[i]:
            continue
        t = trees[i]
        x_left = np.zeros(feature.shape[0], dtype=np.bool_)
        side = np.zeros(n_columns, dtype=np.int8)
        marks = np.empty(max_depth + 1, dtype=np.int64)
        size = 2 * max_depth + 2
        st_node = np.empty(size, dtype=np.int64)
        st_marks = np.empty(size, dtype=np.int64)
        st_feature = np.empty(size, dtype=np.int64)
        phi = np.zeros(n_columns)
        for code in range(memo_size[i]):
            pattern = slot[memo_offset[i] + code]
            if pattern < known[i]:
                continue
            for k in range(split_offset[t], split_offset[t + 1]):
                x_left[split_node[k]] = (code >> (k - split_offset[t])) & 1 == 1
            _walk_pattern(
                roots[t],
                x_left,
                feature,
                is_leaf,
                left,
                right,
                value,
                z_left,
                wa,
                wb,
                side,
                marks,
                st_node,
                st_marks,
                st_feature,
                phi,
            )
            for p in range(pair_offset[i], pair_offset[i + 1]):
                f = pair_feature[p]
                table[pair_base[p] + pattern] = phi[f]
                phi[f] = 0.0


@numba.njit(cache=True, parallel=True)
def _gather(
    codes: np.ndarray,
    pair_offset: np.ndarray,
    pair_feature: np.ndarray,
    pair_base: np.ndarray,
    table: np.ndarray,
    column_out: np.ndarray,
    outT: np.ndarray,
) -> None:
    """outT[column_out[f], r] += each tree's memoised contributions for row r's pattern
    (``codes`` holds pattern numbers, as :func:`_learn` leaves them);
    rows in chunks (one per task), trees in turn within a chunk (its table stays in cache)."""
    n = codes.shape[1]
    n_chunks = (n + CHUNK - 1) // CHUNK
    for c in numba.prange(n_chunks):
        start = c * CHUNK
        stop = min(n, start + CHUNK)
        for i in range(codes.shape[0]):
            pattern = codes[i, start:stop]
            for p in range(pair_offset[i], pair_offset[i + 1]):
                col = column_out[pair_feature[p]]
                first = pair_base[p]
                for r in range(stop - start):
                    outT[col, start + r] += table[first + pattern[r]]


MEMO_SPLITS = 16
"""Trees with at most this many splits are explained through a table of decision patterns
(a row's contributions in a tree depend only on its left/right decision at each split, and a
tree sees a few thousand of the 2**splits patterns); a model with bigger trees is explained
by the grouped closed form in :mod:`leadscore.ml.contributions`."""


class PatternMemo:
    """Per-tree tables of the contributions of each decision pattern seen so far.

    A pattern is computed once (by the walk, on its bits) and reused for every row and batch
    that shows it. With a tree of more than :data:`MEMO_SPLITS` splits, ``complete`` is False
    and the caller uses the closed form instead.
    """

    def __init__(self, forest: FlatForest, n_columns: int) -> None:
        self.forest = forest
        self.n_columns = n_columns
        internal = ~forest.is_leaf
        n_trees = len(forest.roots)
        ends = np.append(forest.roots[1:], len(forest.feature))
        split_nodes = [
            forest.roots[t] + np.flatnonzero(internal[forest.roots[t] : ends[t]])
            for t in range(n_trees)
        ]
        counts = np.asarray([len(s) for s in split_nodes], dtype=np.int64)
        self.split_offset = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        self.split_node = (
            np.concatenate(split_nodes).astype(np.int64) if n_trees else np.empty(0, np.int64)
        )
        nodes = self.split_node
        self.split_feature = forest.feature[nodes]
        self.split_threshold = forest.threshold[nodes]
        self.split_missing_left = forest.missing_left[nodes]
        self.split_lut = forest.lut_row[nodes]
        memo = counts <= MEMO_SPLITS
        self.trees = np.flatnonzero(memo).astype(np.int64)
        self.complete = bool(memo.all())  # else the caller uses the closed form
        self.memo_size = (1 << counts[self.trees]).astype(np.int64)
        self.memo_offset = np.concatenate([[0], np.cumsum(self.memo_size)[:-1]]).astype(np.int64)
        self.slot = np.full(int(self.memo_size.sum()), -1, dtype=np.int64)
        self.n_patterns = np.zeros(len(self.trees), dtype=np.int64)
        features = [
            np.unique(self.split_feature[self.split_offset[t] : self.split_offset[t + 1]])
            for t in self.trees
        ]
        widths = np.asarray([len(f) for f in features], dtype=np.int64)
        self.pair_offset = np.concatenate([[0], np.cumsum(widths)]).astype(np.int64)
        self.pair_feature = (
            np.concatenate(features).astype(np.int64) if features else np.empty(0, np.int64)
        )
        self.pair_tree = np.repeat(np.arange(len(self.trees)), widths)
        # room for every pattern a tree can have; np.zeros leaves untouched pages unmapped,
        # so only the patterns seen take memory
        per_pair = self.memo_size[self.pair_tree]
        self.pair_base = np.concatenate([[0], np.cumsum(per_pair)[:-1]]).astype(np.int64)
        self.table = np.zeros(int(per_pair.sum()))
        self.wa, self.wb = weight_tables(forest.max_depth + 1)

    def _split_args(self) -> tuple[np.ndarray, ...]:
        return (
            self.split_feature,
            self.split_threshold,
            self.split_missing_left,
            self.split_lut,
            self.forest.luts,
            self.split_offset,
        )

    def contributions(self, XT: np.ndarray, column_out: np.ndarray, out: np.ndarray) -> None:
        """Add every tree's contributions for the rows of ``XT`` (columns x rows, C order)
        into ``out`` (rows x outputs)."""
        f = self.forest
        column_out = np.ascontiguousarray(column_out, dtype=np.int64)
        n = XT.shape[1]
        if len(self.trees):
            known = self.n_patterns.copy()
            codes = np.empty((len(self.trees), n), dtype=np.int32)
            _learn(
                XT,
                self.trees,
                *self._split_args(),
                self.memo_offset,
                self.slot,
                self.n_patterns,
                codes,
            )
            _fill(
                self.trees,
                known,
                self.n_patterns,
                self.memo_offset,
                self.memo_size,
                self.slot,
                f.roots,
                self.split_offset,
                self.split_node,
                f.feature,
                f.is_leaf,
                f.left,
                f.right,
                f.value,
                f.z_left,
                self.wa,
                self.wb,
                self.pair_offset,
                self.pair_feature,
                self.pair_base,
                self.n_columns,
                f.max_depth,
                self.table,
            )
            outT = np.zeros((out.shape[1], out.shape[0]))
            _gather(
                codes,
                self.pair_offset,
                self.pair_feature,
                self.pair_base,
                self.table,
                column_out,
                outT,
            )
            out += outT.T
