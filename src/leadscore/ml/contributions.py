"""Exact per-lead contributions in one pass: what each feature adds to the model's log-odds.

The reference is one *typical lead* ``z``: every feature at its training baseline (median for
numbers, most frequent value for categories, missing when a feature was never filled in). A
lead's contributions ``phi_j`` are the Shapley values of the game ``v(S) = f(x_S, z_rest)``
("baseline Shapley"), so by construction::

    sum_j phi_j = logit(x) - logit(z)          # the lead's log-odds minus the reference's

and for a model that is additive in a feature, ``phi_j`` equals the old occlusion figure
``logit(x) - logit(x with feature j := z_j)``. Where features interact (a tree splits on two of
them along one path), occlusion gives *each* of them the whole joint effect, so occlusion
figures do not add up; Shapley values split the joint effect between them, which is why the
two can rank the top reasons differently on leads whose score comes from an interaction.

How, and why not a library:

* For a single reference ``z`` the Shapley value of a tree has a closed form per leaf. Along
  the path to a leaf, each feature either lets ``x`` through (all its conditions hold for
  ``x``), lets ``z`` through, both, or neither. The leaf is reachable in the game iff every
  feature that blocks ``z`` lets ``x`` through; with ``A`` = those features (``|A| = a``) and
  ``B`` = features that let only ``z`` through (``|B| = b``), the leaf value ``v`` adds
  ``v (a-1)! b! / (a+b)!`` to each feature of ``A`` and subtracts ``v a! (b-1)! / (a+b)!``
  from each of ``B`` (the interventional TreeSHAP recursion with one background row,
  enumerated by leaf). This needs only "does ``x`` go left at node ``n``", which is computed
  for all rows of a batch at once with numpy over the HistGradientBoosting predictor's node
  arrays, including its categorical bitsets and missing-value directions. Per batch the work
  is one boolean column per tree node and a few vector operations per (tree, leaf): no
  re-prediction per feature, no Python loop over rows.
* SHAP's ``TreeExplainer`` gives conditional (path-dependent) values against the training
  distribution, was measured at about 600 rows/s on this model, and does not read HGB's
  categorical bitsets.
* The work per batch is done by :mod:`leadscore.ml.treewalk` (numba): each distinct decision
  pattern of a tree is walked once and looked up for every lead that shows it, adding the
  leaves in the closed form's order, so its figures equal it exactly. The numpy closed form
  above stays as the tested reference and explains models with a tree of more than
  ``treewalk.MEMO_SPLITS`` splits.

Logistic regression gets the same definition, which for a linear model is exact and cheap:
``phi_j = sum over j's encoded columns of coef * (x_enc - z_enc)``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression

from leadscore.ml import treewalk

MAX_DEPTH_TABLE = 64


_WA, _WB = treewalk.weight_tables(MAX_DEPTH_TABLE)


@dataclass(frozen=True)
class _Leaf:
    value: float
    # features whose conditions z fails: they must take x's value (the set A)
    x_features: tuple[int, ...]
    x_conditions: tuple[tuple[tuple[int, bool], ...], ...]  # per x_feature: (node, go_left)
    # features whose conditions z passes: x failing them puts them in B
    z_features: tuple[int, ...]
    z_conditions: tuple[tuple[tuple[int, bool], ...], ...]


@dataclass(frozen=True)
class _Tree:
    internal: np.ndarray  # node ids of split nodes
    feature: np.ndarray  # encoded column per split node
    threshold: np.ndarray
    missing_left: np.ndarray
    categorical: np.ndarray
    bitset_idx: np.ndarray
    leaves: tuple[_Leaf, ...]
    column_of_node: dict[int, int]  # node id -> column in the decision matrix
    luts: dict[int, np.ndarray] | None = None  # split column -> go-left per category code


class _Batch:
    """One batch of rows in the trees' layout, with per-column work done once per batch:
    NaN masks of numeric columns and 0..256 codes of categorical ones (256 = missing)."""

    def __init__(self, X: np.ndarray) -> None:
        self.X = X
        self._nan: dict[int, np.ndarray] = {}
        self._codes: dict[int, np.ndarray] = {}

    def nan(self, col: int) -> np.ndarray:
        if col not in self._nan:
            self._nan[col] = np.isnan(self.X[:, col])
        return self._nan[col]

    def codes(self, col: int) -> np.ndarray:
        if col not in self._codes:
            values = self.X[:, col]
            bad = np.isnan(values) | (values < 0)
            self._codes[col] = np.where(bad, 256, np.where(bad, 0, values).astype(np.int64) & 0xFF)
        return self._codes[col]


def _category_lut(left_bits: np.ndarray, known_bits: np.ndarray, missing_left: bool) -> np.ndarray:
    """go-left for category codes 0..255 and 256 (missing), following HGB's predictor:
    left if in the split's left bitset; right if a known category; else the missing side."""
    cats = np.arange(256)
    word, bit = cats >> 5, cats & 31
    in_left = ((left_bits[word] >> bit) & 1).astype(bool)
    known = ((known_bits[word] >> bit) & 1).astype(bool)
    lut = np.where(in_left, True, np.where(known, False, missing_left))
    return np.append(lut, missing_left)


def _goes_left_at(
    tree: _Tree,
    k: int,
    batch: _Batch,
    raw_bitsets: np.ndarray,
    known_bitsets: np.ndarray,
    f_idx_map: np.ndarray,
    out: np.ndarray,
) -> None:
    """Write into ``out`` (rows, bool) whether each row goes left at split ``k`` (HGB's rules:
    categories by the split's bitset, numbers by threshold, missing values to their side)."""
    feat = int(tree.feature[k])
    missing_left = bool(tree.missing_left[k])
    if tree.categorical[k]:
        lut = tree.luts.get(k) if tree.luts else None
        if lut is None:
            lut = _category_lut(
                raw_bitsets[tree.bitset_idx[k]], known_bitsets[f_idx_map[feat]], missing_left
            )
        np.take(lut, batch.codes(feat), out=out)
    else:
        with np.errstate(invalid="ignore"):
            np.less_equal(batch.X[:, feat], tree.threshold[k], out=out)
        if missing_left:
            out |= batch.nan(feat)


def _x_goes_left(
    nodes: np.ndarray,
    tree: _Tree,
    X: np.ndarray | _Batch,
    raw_bitsets: np.ndarray,
    known_bitsets: np.ndarray,
    f_idx_map: np.ndarray,
) -> np.ndarray:
    """(rows x split nodes) bool: does each row go left at each split node (HGB's rules)."""
    batch = X if isinstance(X, _Batch) else _Batch(np.asarray(X, dtype=np.float64))
    n = batch.X.shape[0]
    out = np.empty((n, len(tree.internal)), dtype=bool, order="F")
    for k in range(len(tree.internal)):
        _goes_left_at(tree, k, batch, raw_bitsets, known_bitsets, f_idx_map, out[:, k])
    return out


MAX_CODE_SPLITS = 62
"""Trees with at most this many split nodes are explained by packing each row's decisions
into one int64 code; bigger ones group the rows x splits matrix with ``np.unique``."""
MAX_DENSE_SPLITS = 20
"""Up to this many split nodes, codes are grouped by counting (2**20 slots at most); above
it, by sorting the codes."""


def _x_codes(
    tree: _Tree,
    batch: _Batch,
    raw_bitsets: np.ndarray,
    known_bitsets: np.ndarray,
    f_idx_map: np.ndarray,
) -> np.ndarray:
    """Each row's decisions at the tree's split nodes packed into one integer: bit k is set
    when the row goes left at split k (the same rules as :func:`_x_goes_left`, without the
    rows x splits matrix)."""
    n = batch.X.shape[0]
    code = np.zeros(n, dtype=np.int64)
    left = np.empty(n, dtype=bool)
    for k in range(len(tree.internal)):
        _goes_left_at(tree, k, batch, raw_bitsets, known_bitsets, f_idx_map, left)
        code |= left.view(np.uint8).astype(np.int64) << np.int64(k)
    return code


def _split_arrays(nodes: np.ndarray) -> _Tree:
    internal = np.flatnonzero(nodes["is_leaf"] == 0)
    return _Tree(
        internal=internal,
        feature=nodes["feature_idx"][internal].astype(np.intp),
        threshold=nodes["num_threshold"][internal].astype(np.float64),
        missing_left=nodes["missing_go_to_left"][internal].astype(bool),
        categorical=nodes["is_categorical"][internal].astype(bool),
        bitset_idx=nodes["bitset_idx"][internal].astype(np.intp),
        leaves=(),
        column_of_node={int(node): i for i, node in enumerate(internal)},
    )


def _compile_tree(nodes: np.ndarray, z_goes_left: np.ndarray, splits: _Tree) -> _Tree:
    """Walk one predictor's node array once: each leaf's path grouped by feature, split into
    the features the reference ``z`` fails (set A candidates) and those it passes."""
    column_of_node = splits.column_of_node
    leaves: list[_Leaf] = []
    stack: list[tuple[int, tuple[tuple[int, int, bool], ...]]] = [(0, ())]
    while stack:
        node_id, path = stack.pop()
        node = nodes[node_id]
        if not node["is_leaf"]:
            feat = int(node["feature_idx"])
            stack.append((int(node["left"]), (*path, (node_id, feat, True))))
            stack.append((int(node["right"]), (*path, (node_id, feat, False))))
            continue
        by_feature: dict[int, list[tuple[int, bool]]] = {}
        for split, feat, left in path:
            by_feature.setdefault(feat, []).append((column_of_node[split], left))
        x_feats, x_conds, z_feats, z_conds = [], [], [], []
        for feat, conds in by_feature.items():
            if all(bool(z_goes_left[col]) == left for col, left in conds):
                z_feats.append(feat)
                z_conds.append(tuple(conds))
            else:
                x_feats.append(feat)
                x_conds.append(tuple(conds))
        leaves.append(
            _Leaf(
                float(node["value"]), tuple(x_feats), tuple(x_conds), tuple(z_feats), tuple(z_conds)
            )
        )
    return _Tree(
        internal=splits.internal,
        feature=splits.feature,
        threshold=splits.threshold,
        missing_left=splits.missing_left,
        categorical=splits.categorical,
        bitset_idx=splits.bitset_idx,
        leaves=tuple(leaves),
        column_of_node=column_of_node,
    )


def _satisfied(decisions: np.ndarray, conditions: tuple[tuple[int, bool], ...]) -> np.ndarray:
    col, left = conditions[0]
    ok = decisions[:, col] if left else ~decisions[:, col]
    for col, left in conditions[1:]:
        ok = ok & (decisions[:, col] if left else ~decisions[:, col])
    return ok


class HGBContributions:
    """Baseline-Shapley contributions of a fitted binary HistGradientBoostingClassifier.

    Works on the model's input matrix (the encoded columns). ``reference`` is the encoded
    typical lead. Trees are compiled once (paths grouped by feature, the reference's own
    decisions fixed); :meth:`explain` then costs a few numpy operations per (tree, leaf).
    """

    def __init__(self, model: HistGradientBoostingClassifier, reference: np.ndarray) -> None:
        if getattr(model, "n_trees_per_iteration_", 1) != 1:
            raise ValueError("only binary HistGradientBoostingClassifier models are supported")
        self.model = model
        self.n_columns = int(model.n_features_in_)
        # With categorical features, HGB re-encodes its input with its own ColumnTransformer
        # (categories first, then numbers); the trees index that internal layout.
        self._internal = getattr(model, "_preprocessor", None)
        is_cat = getattr(model, "is_categorical_", None)
        if self._internal is not None and is_cat is not None:
            self.input_column = np.concatenate([np.flatnonzero(is_cat), np.flatnonzero(~is_cat)])
        else:
            self.input_column = np.arange(self.n_columns)
        self.reference = self._to_internal(np.asarray(reference, dtype=np.float64).reshape(1, -1))
        self.known_bitsets, self.f_idx_map = model._bin_mapper.make_known_categories_bitsets()
        self.trees: list[tuple[_Tree, np.ndarray, np.ndarray]] = []
        self._z_decisions: list[np.ndarray] = []
        self._leaves_compiled = False
        for (predictor,) in model._predictors:
            nodes = predictor.nodes
            raw = predictor.raw_left_cat_bitsets
            splits = _split_arrays(nodes)
            z_dec = _x_goes_left(
                nodes, splits, self.reference, raw, self.known_bitsets, self.f_idx_map
            )[0]
            self._z_decisions.append(z_dec)
            tree = splits  # leaves are compiled when the closed form is asked for
            luts = {
                k: _category_lut(
                    raw[tree.bitset_idx[k]],
                    self.known_bitsets[self.f_idx_map[int(tree.feature[k])]],
                    bool(tree.missing_left[k]),
                )
                for k in np.flatnonzero(tree.categorical)
            }
            self.trees.append(
                (replace(tree, luts={int(k): v for k, v in luts.items()}), nodes, raw)
            )
        self.forest = self._flatten(model)
        self.memo = treewalk.PatternMemo(self.forest, len(self.input_column))
        self.reference_logit = float(
            model.decision_function(np.asarray(reference, dtype=np.float64).reshape(1, -1))[0]
        )

    def _flatten(self, model: HistGradientBoostingClassifier) -> treewalk.FlatForest:
        """All trees in the flat arrays :mod:`leadscore.ml.treewalk` walks, with the
        reference's decision at every split (the same rules as :func:`_x_goes_left`)."""
        parts: dict[str, list[np.ndarray]] = {k: [] for k in ("feature", "threshold", "ml")}
        parts.update({k: [] for k in ("leaf", "left", "right", "value", "lut", "z", "root")})
        luts: list[np.ndarray] = []
        offset = 0
        max_depth = 0
        for (predictor,), (tree, _, _), z_dec in zip(
            model._predictors, self.trees, self._z_decisions, strict=True
        ):
            nodes = predictor.nodes
            size = len(nodes)
            lut_row = np.full(size, -1, dtype=np.int64)
            z_left = np.zeros(size, dtype=bool)
            z_left[tree.internal] = z_dec
            for k in np.flatnonzero(tree.categorical):
                assert tree.luts is not None
                lut_row[tree.internal[k]] = len(luts)
                luts.append(tree.luts[int(k)])
            parts["feature"].append(nodes["feature_idx"].astype(np.int64))
            parts["threshold"].append(nodes["num_threshold"].astype(np.float64))
            parts["ml"].append(nodes["missing_go_to_left"].astype(bool))
            parts["leaf"].append(nodes["is_leaf"].astype(bool))
            parts["left"].append(nodes["left"].astype(np.int64) + offset)
            parts["right"].append(nodes["right"].astype(np.int64) + offset)
            parts["value"].append(nodes["value"].astype(np.float64))
            parts["lut"].append(lut_row)
            parts["z"].append(z_left)
            parts["root"].append(np.asarray([offset], dtype=np.int64))
            offset += size
            max_depth = max(max_depth, int(nodes["depth"].max()))
        flat = {k: np.concatenate(v) if v else np.empty(0) for k, v in parts.items()}
        return treewalk.FlatForest(
            feature=flat["feature"].astype(np.int64),
            threshold=flat["threshold"].astype(np.float64),
            missing_left=flat["ml"].astype(bool),
            is_leaf=flat["leaf"].astype(bool),
            left=flat["left"].astype(np.int64),
            right=flat["right"].astype(np.int64),
            value=flat["value"].astype(np.float64),
            lut_row=flat["lut"].astype(np.int64),
            luts=np.asarray(luts, dtype=bool).reshape(-1, 257),
            z_left=flat["z"].astype(bool),
            roots=flat["root"].astype(np.int64),
            max_depth=max_depth,
        )

    def _to_internal(self, X: np.ndarray) -> np.ndarray:
        if self._internal is None:
            return X
        return np.asarray(self._internal.transform(X), dtype=np.float64)

    def explain(self, X: np.ndarray) -> np.ndarray:
        """(rows x encoded columns) contributions; each row sums to logit(x) - logit(z).

        The compiled walk over per-tree pattern tables (:mod:`leadscore.ml.treewalk`);
        :meth:`explain_grouped` is the vectorised closed form it is tested against, and is
        used instead when a tree has more splits than the tables take.
        """
        internal = self._to_internal(np.asarray(X, dtype=np.float64))
        return self.explain_internal(internal, self.input_column, self.n_columns)

    def explain_internal(
        self, internal: np.ndarray, column_out: np.ndarray, n_out: int
    ) -> np.ndarray:
        """Contributions of rows already in the trees' layout; internal column ``i``'s share
        goes to output column ``column_out[i]``."""
        return self.explain_columns(np.asarray(internal, dtype=np.float64).T, column_out, n_out)

    def explain_columns(
        self, columns: np.ndarray, column_out: np.ndarray, n_out: int
    ) -> np.ndarray:
        """Contributions from the trees' input given as columns x rows (internal layout)."""
        XT = np.ascontiguousarray(columns, dtype=np.float64)
        out = np.zeros((XT.shape[1], n_out), order="F")
        if XT.shape[1] == 0:
            return out
        if self.memo.complete:
            self.memo.contributions(XT, column_out, out)
        else:  # a tree too big for pattern tables: the closed form, as before
            phi = self._grouped_internal(np.asfortranarray(XT.T))
            for i, col in enumerate(np.asarray(column_out)):
                out[:, col] += phi[:, i]
        return out

    def explain_grouped(self, X: np.ndarray) -> np.ndarray:
        """(rows x encoded columns) contributions; each row sums to logit(x) - logit(z).

        Per tree, a row's contributions depend only on its left/right decision at each split
        node, so rows are grouped by that bit pattern (a tree has at most a few hundred in
        use): the leaf formula runs once per pattern and the result is gathered back to rows.
        """
        X = np.asfortranarray(self._to_internal(np.asarray(X, dtype=np.float64)))
        out = np.empty((X.shape[0], self.n_columns))
        out[:, self.input_column] = self._grouped_internal(X)
        return out

    def _grouped_internal(self, X: np.ndarray) -> np.ndarray:
        """:meth:`explain_grouped` on rows already in the trees' layout (internal columns)."""
        if not self._leaves_compiled:
            self.trees = [
                (replace(_compile_tree(nodes, z_dec, tree), luts=tree.luts), nodes, raw)
                for (tree, nodes, raw), z_dec in zip(self.trees, self._z_decisions, strict=True)
            ]
            self._leaves_compiled = True
        n = X.shape[0]
        batch = _Batch(X)
        phi = np.zeros((n, self.n_columns), order="F")
        for tree, nodes, raw in self.trees:
            n_splits = len(tree.internal)
            if n_splits == 0:
                continue
            if n_splits <= MAX_CODE_SPLITS:
                code = _x_codes(tree, batch, raw, self.known_bitsets, self.f_idx_map)
                if n_splits <= MAX_DENSE_SPLITS:
                    present = np.bincount(code, minlength=1 << n_splits)
                    patterns = np.flatnonzero(present)
                    position = np.zeros(1 << n_splits, dtype=np.intp)
                    position[patterns] = np.arange(len(patterns))
                    inverse = position[code]
                else:
                    patterns, inverse = np.unique(code, return_inverse=True)
                    inverse = inverse.reshape(-1)
                bits = np.arange(n_splits, dtype=np.int64)
                unique = ((patterns[:, None] >> bits) & 1).astype(bool)
            else:
                decisions = _x_goes_left(
                    nodes, tree, batch, raw, self.known_bitsets, self.f_idx_map
                )
                unique, inverse = np.unique(decisions, axis=0, return_inverse=True)
                inverse = inverse.reshape(-1)
            table = self._pattern_contributions(tree, unique)
            used = np.flatnonzero(np.any(table != 0.0, axis=0))
            if len(used):
                by_column = np.asfortranarray(table[:, used])
                for k, col in enumerate(used):
                    phi[:, col] += by_column[:, k][inverse]
        return phi

    def _pattern_contributions(self, tree: _Tree, decisions: np.ndarray) -> np.ndarray:
        """(patterns x columns) contributions of one tree for each decision pattern."""
        n = decisions.shape[0]
        phi = np.zeros((n, self.n_columns))
        for leaf in tree.leaves:
            if leaf.value == 0.0:
                continue
            a = len(leaf.x_features)
            reach: np.ndarray | None = None
            if a:
                reach = _satisfied(decisions, leaf.x_conditions[0])
                for conds in leaf.x_conditions[1:]:
                    reach = reach & _satisfied(decisions, conds)
                if not reach.any():
                    continue
            fails = [~_satisfied(decisions, conds) for conds in leaf.z_conditions]
            b = np.zeros(n, dtype=np.intp)
            for fail in fails:
                b += fail
            if reach is not None:
                weight_a = np.where(reach, leaf.value * _WA[a, b], 0.0)
                for feat in leaf.x_features:
                    phi[:, feat] += weight_a
                weight_b = np.where(reach, leaf.value * _WB[a, b], 0.0)
            else:
                weight_b = leaf.value * _WB[0, b]
            for feat, fail in zip(leaf.z_features, fails, strict=True):
                phi[:, feat] -= np.where(fail, weight_b, 0.0)
        return phi


class LinearContributions:
    """Baseline-Shapley (= exact) contributions of a logistic regression on encoded columns."""

    def __init__(self, model: LogisticRegression, reference: np.ndarray) -> None:
        self.coef = np.asarray(model.coef_[0], dtype=np.float64)
        self.reference = np.asarray(reference, dtype=np.float64).reshape(-1)
        self.reference_logit = float(
            self.reference @ self.coef + float(np.asarray(model.intercept_).reshape(-1)[0])
        )
        self.n_columns = len(self.coef)

    def explain(self, X: Any) -> np.ndarray:
        dense = X.toarray() if sp.issparse(X) else np.asarray(X, dtype=np.float64)
        return (dense - self.reference) * self.coef


class PipelineContributions:
    """Per-feature contributions of a fitted ``Pipeline([... prep, model])`` in one pass.

    Encodes each batch once, explains the encoded columns, and sums them back to the raw
    features (an encoded column belongs to exactly one feature). ``reference_logit`` is the
    model's log-odds for the typical lead; every row's contributions sum to its log-odds
    minus that reference. :meth:`create` returns None for an unknown pipeline layout.
    """

    def __init__(
        self,
        pipeline: Any,
        explainer: HGBContributions | LinearContributions,
        column_feature: np.ndarray,
        n_features: int,
        features: Sequence[str] = (),
    ) -> None:
        self.prep = pipeline[:-1]
        self.model = pipeline[-1]
        self.explainer = explainer
        self.reference_logit = explainer.reference_logit
        # (encoded columns x features) 0/1 matrix summing encoded contributions per feature
        self.fold = np.zeros((len(column_feature), n_features))
        mapped = column_feature >= 0
        self.fold[np.flatnonzero(mapped), column_feature[mapped]] = 1.0
        self.features = list(features)
        self.n_features = n_features
        # Trees read one internal column per feature: numbers as they are, categories as
        # codes. The encoders then need not run per batch: a category's code is looked up
        # once per distinct value (through the fitted encoders) and cached. Checked against
        # the encoders on the first batch's first rows; a difference turns this path off.
        self._direct: bool | None = None
        self._checked = False
        self._codes: dict[str, dict[Any, float]] = {}
        self._internal_feature = np.full(0, -1, dtype=np.intp)
        if isinstance(explainer, HGBContributions) and mapped.all() and len(self.features):
            internal_feature = column_feature[explainer.input_column]
            if len(np.unique(internal_feature)) == len(internal_feature) == n_features:
                self._internal_feature = internal_feature
                self._direct = True

    def _encode(self, prepared: pd.DataFrame) -> np.ndarray:
        """The trees' input through the fitted encoders (columns x rows)."""
        assert isinstance(self.explainer, HGBContributions)
        encoded = np.asarray(self.prep.transform(prepared), dtype=np.float64)
        return np.ascontiguousarray(self.explainer._to_internal(encoded).T)

    def _category_codes(self, name: str, values: np.ndarray, template: pd.DataFrame) -> np.ndarray:
        """The trees' code of each distinct value of category ``name`` (NaN included)."""
        known = self._codes.setdefault(name, {})
        keys = [None if isinstance(v, float) and math.isnan(v) else v for v in values]
        new = [k for k in dict.fromkeys(keys) if k not in known]
        if new:
            probe = template.iloc[np.zeros(len(new), dtype=np.intp)].reset_index(drop=True)
            probe[name] = pd.Series([np.nan if k is None else k for k in new], dtype=object)
            column = int(np.flatnonzero(self._internal_feature == self.features.index(name))[0])
            codes = self._encode(probe)[column]
            known.update(zip(new, codes.tolist(), strict=True))
        return np.asarray([known[k] for k in keys], dtype=np.float64)

    def _direct_internal(self, prepared: pd.DataFrame) -> np.ndarray | None:
        """Columns x rows input of the trees without running the encoders per batch, or None
        when that shortcut does not apply (or once it has disagreed with the encoders)."""
        if not self._direct or len(prepared) == 0:
            return None
        n = len(prepared)
        out = np.empty((len(self._internal_feature), n))
        template = prepared.iloc[:1]
        for column, j in enumerate(self._internal_feature):
            name = self.features[j]
            values = prepared[name]
            if values.dtype == object:
                codes, uniques = pd.factorize(values, use_na_sentinel=False)
                table = self._category_codes(name, np.asarray(uniques, dtype=object), template)
                np.take(table, codes, out=out[column])
            else:
                out[column] = values.to_numpy(dtype=np.float64, na_value=np.nan)
        if not self._checked:  # the first batch's first rows, against the encoders
            check = min(n, 256)
            expected = self._encode(prepared.iloc[:check])
            if not np.array_equal(out[:, :check], expected, equal_nan=True):
                self._direct = False
                return None
            self._checked = True
        return out

    @classmethod
    def create(
        cls, pipeline: Any, prepared_reference: pd.DataFrame, features: Sequence[str]
    ) -> PipelineContributions | None:
        from leadscore.ml.features import output_columns_by_feature

        groups = output_columns_by_feature(pipeline[:-1][-1])
        if groups is None or any(f not in groups for f in features):
            return None
        encoded = pipeline[:-1].transform(prepared_reference)
        encoded = encoded.toarray() if sp.issparse(encoded) else np.asarray(encoded, float)
        model = pipeline[-1]
        column_feature = np.full(encoded.shape[1], -1, dtype=np.intp)
        for j, name in enumerate(features):
            column_feature[np.asarray(groups[name], dtype=np.intp)] = j
        explainer: HGBContributions | LinearContributions
        if isinstance(model, HistGradientBoostingClassifier):
            explainer = HGBContributions(model, encoded[0])
        elif isinstance(model, LogisticRegression):
            explainer = LinearContributions(model, encoded[0])
        else:
            return None
        return cls(pipeline, explainer, column_feature, len(features), features)

    def explain(self, prepared: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """(log-odds per row, contributions rows x features) for one batch."""
        internal = self._direct_internal(prepared)
        if internal is not None:
            assert isinstance(self.explainer, HGBContributions)
            phi = np.ascontiguousarray(
                self.explainer.explain_columns(internal, self._internal_feature, self.n_features)
            )
            return self.reference_logit + phi.sum(axis=1), phi
        encoded = self.prep.transform(prepared)
        phi = self.explainer.explain(encoded) @ self.fold
        # exact: contributions sum to the log-odds minus the reference's (tested), so the
        # trees need not be walked a second time to predict
        return self.reference_logit + phi.sum(axis=1), phi
