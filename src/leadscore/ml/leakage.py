"""Leakage guards: policy exclusion of post-contact fields and a single-feature AUC check.

Two independent defences. Fields the catalog marks ``post_contact`` (filled in by sales after
first contact, or only present for won deals) are removed before anything else sees the data.
Then every remaining feature's *own* ROC-AUC is measured; a single field that predicts the
outcome almost perfectly is far more likely a leak than a discovery, so the build stops and
names it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.model_selection import StratifiedKFold

from leadscore.ml.features import prepare_features
from leadscore.ml.metrics import roc_auc
from leadscore.ml.policy import FeatureSpec


class LeakageError(RuntimeError):
    """One or more features predict the label suspiciously well on their own."""

    def __init__(self, findings: pd.DataFrame, threshold: float) -> None:
        self.findings = findings
        self.threshold = threshold
        self.fields = list(findings["feature"])
        details = ", ".join(
            f"{row.feature!r} (ROC-AUC {row.auc:.3f})" for row in findings.itertuples()
        )
        super().__init__(
            f"Leak check failed: {details} predict the label on their own above the policy "
            f"threshold leak_auc_threshold={threshold}. A field that good by itself is almost "
            "always filled in after first contact or after the outcome. Mark it "
            "availability=post_contact in the feature_catalog seed (or fix how it is computed "
            "as of the cutoff); raise leak_auc_threshold only if you are sure it is known "
            "before contact."
        )


@dataclass(frozen=True)
class FeatureSelection:
    """Which catalog features may be used, and why others were not."""

    usable: list[str]
    excluded_post_contact: list[str]
    missing_from_data: list[str]
    forced: list[str]


def select_features(
    columns: Iterable[str], spec: FeatureSpec, force_include: Sequence[str] = ()
) -> FeatureSelection:
    """Pre-contact catalog features present in the data (plus any explicitly forced ones).

    ``force_include`` exists only to demonstrate the leak check; it is never set by builds.
    """
    present = set(columns)
    unknown = [f for f in force_include if f not in spec.names]
    if unknown:
        raise KeyError(f"force_include names features not in the catalog: {unknown}")
    forced = [f for f in force_include if f in present]
    usable = [f for f in spec.pre_contact() if f in present]
    usable += [f for f in forced if f not in usable]
    excluded = [f for f in spec.post_contact() if f not in forced]
    missing = [f for f in spec.names if f not in present]
    return FeatureSelection(usable, excluded, missing, forced)


def drop_post_contact(
    frame: pd.DataFrame, spec: FeatureSpec, force_include: Sequence[str] = ()
) -> pd.DataFrame:
    """The frame without post-contact columns (unless forced in for a leak-check test)."""
    drop = [c for c in spec.post_contact() if c in frame.columns and c not in force_include]
    return frame.drop(columns=drop)


def _directional_auc(y: np.ndarray, x: np.ndarray) -> float:
    auc = roc_auc(y, x)
    return max(auc, 1 - auc) if not np.isnan(auc) else float("nan")


def _numeric_auc(y: np.ndarray, x: np.ndarray) -> float:
    """Best of value-ordering with missing values put lowest or highest.

    Missingness itself can leak (a close date that exists only for won deals), so both
    placements are tried.
    """
    nan = np.isnan(x)
    if nan.all():
        return float("nan")
    if not nan.any():
        return _directional_auc(y, x)
    lo, hi = np.nanmin(x), np.nanmax(x)
    low = np.where(nan, lo - 1, x)
    high = np.where(nan, hi + 1, x)
    return max(_directional_auc(y, low), _directional_auc(y, high))


def _target_encoded_auc(y: np.ndarray, x: pd.Series, *, seed: int, n_folds: int = 5) -> float:
    """AUC of an out-of-fold, smoothed target encoding (a category's rate learned elsewhere).

    Encoding on the same rows would make any high-cardinality column look perfect.
    """
    codes = pd.Series(x.fillna("(missing)").astype(str).to_numpy())
    encoded = np.empty(len(y))
    prior = y.mean()
    smoothing = 10.0
    folds = StratifiedKFold(n_splits=n_folds, shuffle=True, random_state=seed)
    for train, test in folds.split(np.zeros(len(y)), y):
        stats = pd.DataFrame({"c": codes.iloc[train].to_numpy(), "y": y[train]}).groupby("c")["y"]
        means = (stats.sum() + prior * smoothing) / (stats.count() + smoothing)
        encoded[test] = codes.iloc[test].map(means).fillna(prior).to_numpy()
    return _directional_auc(y, encoded)


def single_feature_aucs(
    frame: pd.DataFrame,
    spec: FeatureSpec,
    features: Sequence[str],
    *,
    label_col: str = "label",
    seed: int = 42,
) -> pd.DataFrame:
    """Each feature's own ROC-AUC (direction-free: max(AUC, 1-AUC)), highest first."""
    y = pd.to_numeric(frame[label_col]).to_numpy(dtype=np.float64)
    kinds = spec.kinds(features)
    prepared = prepare_features(frame, kinds)
    rows = []
    n_folds = int(min(5, max(2, min(y.sum(), len(y) - y.sum()))))
    for name in features:
        if kinds[name] == "categorical":
            auc = _target_encoded_auc(y, prepared[name], seed=seed, n_folds=n_folds)
        else:
            auc = _numeric_auc(y, prepared[name].to_numpy(dtype=np.float64))
        rows.append({"feature": name, "kind": kinds[name], "auc": auc})
    out = pd.DataFrame(rows, columns=["feature", "kind", "auc"])
    return out.sort_values("auc", ascending=False, kind="stable").reset_index(drop=True)


def check_leakage(
    frame: pd.DataFrame,
    spec: FeatureSpec,
    threshold: float,
    *,
    label_col: str = "label",
    force_include: Sequence[str] = (),
    seed: int = 42,
) -> pd.DataFrame:
    """Measure every usable feature's own ROC-AUC and raise if any exceeds ``threshold``.

    Post-contact features are excluded first (they are not checked because they can never
    reach the model), unless named in ``force_include``. Returns the AUC table when clean.
    Run it on training rows only.
    """
    selection = select_features(frame.columns, spec, force_include)
    table = single_feature_aucs(frame, spec, selection.usable, label_col=label_col, seed=seed)
    flagged = table[table["auc"] > threshold]
    if len(flagged):
        raise LeakageError(flagged.reset_index(drop=True), threshold)
    return table
