"""Per-lead reasons: signed contributions rendered in the catalog's words.

A contribution is the change in the model's log-odds when one feature is replaced by its
training baseline (median / most frequent value), everything else unchanged ("occlusion").
It is model-agnostic, exact for what the model does with this lead, costs one prediction per
feature, and runs in row batches so a million leads fit in memory.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression

from leadscore.ml.policy import FeatureDef

MIN_CONTRIBUTION = 1e-6


def occlusion_contributions(
    predict_logit: Callable[[pd.DataFrame], np.ndarray],
    prepared: pd.DataFrame,
    features: Sequence[str],
    baselines: dict[str, Any],
    *,
    batch_size: int = 50_000,
) -> np.ndarray:
    """Matrix (rows x features): logit(lead) - logit(lead with feature := baseline)."""
    n = len(prepared)
    out = np.zeros((n, len(features)), dtype=np.float64)
    for start in range(0, n, batch_size):
        batch = prepared.iloc[start : start + batch_size]
        base = predict_logit(batch)
        for j, name in enumerate(features):
            baseline = baselines.get(name)
            column = batch[name]
            if baseline is None:
                same = column.isna().to_numpy()
            else:
                same = (column == baseline).to_numpy(dtype=bool)
            if same.all():
                continue
            occluded = batch.copy(deep=False)
            fill = np.nan if baseline is None else baseline
            occluded[name] = pd.Series(fill, index=batch.index, dtype=column.dtype)
            out[start : start + len(batch), j] = base - predict_logit(occluded)
    return out


class EncodedExplainer:
    """Occlusion on the encoded matrix of a fitted ``Pipeline([... prep, model])``.

    Encodes each batch once. For a linear model the per-feature change in logit is exact and
    computed in one matrix product; for trees only rows whose feature differs from the
    baseline are re-predicted. Built by :meth:`create`, which returns None when the pipeline
    layout is unknown (use :func:`occlusion_contributions` then).
    """

    def __init__(
        self,
        pipeline: Any,
        groups: dict[str, list[int]],
        features: Sequence[str],
        baseline_encoded: np.ndarray,
    ) -> None:
        self.prep = pipeline[:-1]
        self.model = pipeline[-1]
        self.features = list(features)
        self.cols = [np.asarray(groups[f], dtype=np.intp) for f in self.features]
        self.base = baseline_encoded
        self.linear = isinstance(self.model, LogisticRegression)
        if self.linear:
            coef = np.asarray(self.model.coef_[0], dtype=np.float64)
            onehot = np.zeros((len(coef), len(self.features)))
            for j, cols in enumerate(self.cols):
                onehot[cols, j] = 1.0
            self.weights = coef[:, None] * onehot
            self.base_part = self.base @ self.weights

    @classmethod
    def create(
        cls, pipeline: Any, prepared_baseline: pd.DataFrame, features: Sequence[str]
    ) -> EncodedExplainer | None:
        from leadscore.ml.features import output_columns_by_feature

        transformer = pipeline[:-1][-1]
        groups = output_columns_by_feature(transformer)
        if groups is None or any(f not in groups for f in features):
            return None
        base = pipeline[:-1].transform(prepared_baseline)
        base = base.toarray() if sp.issparse(base) else np.asarray(base, dtype=np.float64)
        return cls(pipeline, groups, features, base[0])

    def explain(self, prepared: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """(logit per row, contributions rows x features) for one batch."""
        encoded = self.prep.transform(prepared)
        logit = np.asarray(self.model.decision_function(encoded), dtype=np.float64)
        if self.linear:
            contrib = np.asarray(encoded @ self.weights) - self.base_part
            return logit, contrib
        dense = encoded.toarray() if sp.issparse(encoded) else np.asarray(encoded)
        contrib = np.zeros((len(dense), len(self.features)))
        for j, cols in enumerate(self.cols):
            values = dense[:, cols]
            base = self.base[cols]
            differs = ~((values == base) | (np.isnan(values) & np.isnan(base))).all(axis=1)
            rows = np.flatnonzero(differs)
            if len(rows) == 0:
                continue
            occluded = dense[rows].copy()
            occluded[:, cols] = base
            contrib[rows, j] = logit[rows] - self.model.decision_function(occluded)
        return logit, contrib


def top_reasons(
    contributions: np.ndarray,
    values: pd.DataFrame,
    defs: Sequence[FeatureDef],
    *,
    k: int = 3,
) -> pd.DataFrame:
    """Render the ``k`` largest |contributions| per row as ``reason_1..k`` text (or None).

    ``values`` and ``defs`` are aligned with the contribution columns; a column's value is what
    the phrase's ``{value}`` shows. Zero contributions give no reason rather than filler.
    """
    n, width = contributions.shape
    reasons = {f"reason_{i + 1}": np.full(n, None, dtype=object) for i in range(k)}
    if width == 0 or n == 0:
        return pd.DataFrame(reasons, index=values.index)
    order = np.argsort(-np.abs(contributions), axis=1, kind="stable")[:, :k]
    for slot in range(min(k, width)):
        cols = order[:, slot]
        chosen = contributions[np.arange(n), cols]
        target = reasons[f"reason_{slot + 1}"]
        for j in np.unique(cols):
            for sign in (1, -1):
                rows = np.flatnonzero(
                    (cols == j)
                    & ((chosen > MIN_CONTRIBUTION) if sign > 0 else (chosen < -MIN_CONTRIBUTION))
                )
                if len(rows) == 0:
                    continue
                target[rows] = _render(defs[j], sign, values.iloc[rows, j])
    return pd.DataFrame(reasons, index=values.index)


def _render(feature: FeatureDef, sign: int, values: pd.Series) -> np.ndarray:
    """Format each distinct value once (counts repeat a lot), then broadcast."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    texts = [feature.phrase(sign, v) for v in uniques] + [feature.phrase(sign, None)]
    return np.asarray(texts, dtype=object)[codes]
