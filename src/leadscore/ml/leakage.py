"""Leakage guards: policy exclusion, a single-feature AUC check, and a lift-share check.

Three independent defences. Fields the catalog marks ``post_contact`` (filled in by sales after
first contact, or only present for won deals) are removed before anything else sees the data.
Then every remaining feature's *own* ROC-AUC is measured; a single field that predicts the
outcome almost perfectly is far more likely a leak than a discovery, so the build stops and
names it. Own ROC-AUC alone misses real leaks (a call's duration: own ROC-AUC 0.82, yet it
lifted a model from 0.805 to 0.949), so after the evaluation model is fitted each feature is
also *permuted* on the time holdout: the holdout ROC-AUC it costs, as a share of the model's
lift over chance (ROC-AUC - 0.5), is that feature's share of the model. One feature carrying
more than ``leak_max_lift_share`` stops training, when shuffling it also costs at least
``leak_min_auc_drop`` ROC-AUC (on a small holdout of a weak model the share is noise). A
catalog row with ``reviewed = true`` and a ``review_reason`` accepts a strong feature a person
has checked is known before contact (it is still measured and published in the registry's
leakage table).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.model_selection import StratifiedKFold

from leadscore.ml.features import prepare_features
from leadscore.ml.metrics import roc_auc
from leadscore.ml.policy import FeatureSpec


class LeakageError(RuntimeError):
    """One or more features predict the label suspiciously well on their own."""

    def __init__(
        self, findings: pd.DataFrame, threshold: float, message: str | None = None
    ) -> None:
        self.findings = findings
        self.threshold = threshold
        self.fields = list(findings["feature"])
        if message is not None:
            super().__init__(message)
            return
        details = ", ".join(
            f"{row.feature!r} (ROC-AUC {row.auc:.3f})" for row in findings.itertuples()
        )
        super().__init__(
            f"Leak check failed: {details} predict the label on their own above the policy "
            f"threshold leak_auc_threshold={threshold}. A field that good by itself is almost "
            "always filled in after first contact or after the outcome. Mark it "
            "availability=post_contact in the feature_catalog seed (or fix how it is computed "
            "as of the cutoff). If it is known before first contact, set reviewed=true with a "
            "review_reason in the catalog."
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
    table["reviewed"] = [spec[f].reviewed for f in table["feature"]]
    flagged = table[(table["auc"] > threshold) & ~table["reviewed"]]
    if len(flagged):
        raise LeakageError(flagged.reset_index(drop=True), threshold)
    return table


def permutation_lift(
    predict_logit: Callable[[Any], np.ndarray],
    prepared: pd.DataFrame | np.ndarray,
    y: np.ndarray,
    features: Sequence[str],
    *,
    rows: int,
    seed: int,
    columns: Mapping[str, Sequence[int]] | None = None,
) -> tuple[float, pd.DataFrame]:
    """Each feature's share of the model's lift on held-out rows, by permutation.

    Returns (ROC-AUC of the model on those rows, table of ``feature``, ``permuted_auc``,
    ``auc_drop``, ``lift_share``) where ``lift_share = auc_drop / (ROC-AUC - 0.5)``. At most
    ``rows`` rows are used (a seeded sample), so the check costs one prediction per feature
    on a bounded sample. ``prepared`` is either the raw prepared frame or the model's encoded
    matrix, with ``columns`` saying which encoded columns belong to each feature (encoding
    is per feature, so permuting those columns together is permuting the feature).
    """
    rng = np.random.default_rng(seed)
    y = np.asarray(y)
    if len(y) > rows > 0:
        keep = np.sort(rng.choice(len(y), size=rows, replace=False))
        y = y[keep]
        prepared = prepared.iloc[keep] if isinstance(prepared, pd.DataFrame) else prepared[keep]
    if isinstance(prepared, pd.DataFrame):
        prepared = prepared.reset_index(drop=True)
    base = roc_auc(y, predict_logit(prepared))
    lift = base - 0.5
    out = []
    for name in features:
        order = rng.permutation(len(y))
        if isinstance(prepared, pd.DataFrame):
            shuffled: Any = prepared.copy(deep=False)
            shuffled[name] = prepared[name].to_numpy()[order]
        else:
            if columns is None:
                raise ValueError("an encoded matrix needs the feature -> columns mapping")
            cols = np.asarray(columns[name], dtype=np.intp)
            shuffled = prepared.copy()
            shuffled[:, cols] = prepared[order][:, cols]
        permuted = roc_auc(y, predict_logit(shuffled))
        drop = base - permuted
        share = drop / lift if lift > 0 else float("nan")
        out.append(
            {"feature": name, "permuted_auc": permuted, "auc_drop": drop, "lift_share": share}
        )
    return base, pd.DataFrame(out, columns=["feature", "permuted_auc", "auc_drop", "lift_share"])


class LiftLeakageError(LeakageError):
    """One feature carries more of the model's holdout lift than the policy allows."""


def check_lift_shares(
    table: pd.DataFrame,
    model_auc: float,
    spec: FeatureSpec,
    max_share: float,
    *,
    where: str,
    min_drop: float = 0.0,
    min_model_auc: float = 0.0,
) -> None:
    """Raise :class:`LiftLeakageError` naming each unreviewed feature above ``max_share`` of
    the lift whose shuffling also costs at least ``min_drop`` ROC-AUC, when the model's own
    holdout ROC-AUC reaches ``min_model_auc`` (a leak makes a model look good; in a weak model
    one feature holding most of little lift is ordinary).

    ``table`` is :func:`permutation_lift`'s, merged with the own ROC-AUCs (column ``auc``).
    """
    if model_auc < min_model_auc:
        return
    flagged = table[
        (table["lift_share"] > max_share) & (table["auc_drop"] >= min_drop) & ~table["reviewed"]
    ]
    if flagged.empty:
        return
    details = "; ".join(
        f"{row.feature!r} carries {row.lift_share:.0%} of the model's lift (holdout ROC-AUC "
        f"{model_auc:.3f} with it, {row.permuted_auc:.3f} with it shuffled; its own ROC-AUC "
        f"{row.auc:.3f})"
        for row in flagged.itertuples()
    )
    raise LiftLeakageError(
        flagged.reset_index(drop=True),
        max_share,
        f"Leak check failed: {details}, measured on {where}; the policy allows one feature at "
        f"most leak_max_lift_share={max_share:.0%} of the lift over chance (ROC-AUC - 0.5) "
        f"when shuffling it costs leak_min_auc_drop={min_drop:g} ROC-AUC or more. A "
        "single field that carries the model is usually recorded after first contact or after "
        "the outcome (a call's duration, a status, a field only filled in for won deals). Mark "
        "it availability=post_contact in the feature_catalog seed, or fix how it is computed "
        "as of the cutoff. If a person has checked it is known before first contact, set "
        "reviewed=true and a review_reason on its feature_catalog row.",
    )
