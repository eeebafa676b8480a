"""Train, select, calibrate and honestly evaluate the lead-scoring model: two fits.

1. **Evaluation.** The rows older than the outer holdout (newest ``test_fraction`` of the time
   range; undated: each of K grouped stratified folds) are split once more: the candidates --
   L2 logistic regression and HistGradientBoosting -- are fitted on the older part, and the
   newest slice chooses the kind (ROC-AUC), the number of trees (gradient boosting stops
   when the slice's log-loss stops improving) and the calibrator (isotonic or sigmoid by
   cross-validated Brier). That fitted model is what the holdout measures: its metrics,
   leak check (each feature's share of the holdout lift) and grade table are published.
2. **Shipped model.** The chosen kind is fitted once on all rows with the evaluation's tree
   count and keeps the evaluation's calibrator; there is no second hold-out. Its published
   metrics are therefore those of the same recipe one slice earlier, stated in
   ``validation_scheme``.

Undated exports use K folds for step 1 (the kind is chosen on the first fold, later folds
fit only that kind; the shipped model takes the median tree count and a calibrator fitted on
the pooled out-of-fold log-odds). A policy ``order_column`` turns an undated but ordered
export into an ordered split; without one, training warns when row position alone predicts
the label. Progress lines are printed as it goes; native threads are set in
:mod:`leadscore.ml.runtime`.
"""

from __future__ import annotations

import hashlib
import platform
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import sklearn
import skops
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline

from leadscore.ml import metrics as m
from leadscore.ml.contributions import PipelineContributions
from leadscore.ml.features import (
    hgb_pipeline,
    logistic_pipeline,
    output_columns_by_feature,
    prepare_features,
)
from leadscore.ml.grades import (
    conversion_by_grade,
    grades,
    part_indices,
    part_sums,
    to_0_100,
)
from leadscore.ml.leakage import (
    check_leakage,
    check_lift_shares,
    permutation_lift,
    select_features,
)
from leadscore.ml.policy import FeatureSpec, ScoringPolicy, training_spec_hash
from leadscore.ml.runtime import Progress, native_threads
from leadscore.ml.split import grouped_stratified_folds, holdout_split, time_split

PROB_EPS = 1e-4
REFERENCE_POINTS = 1001


class InsufficientOutcomesError(RuntimeError):
    """Fewer examples or positive outcomes than the policy requires: use the rules fallback."""


@dataclass
class TrainedModel:
    """Everything needed to score, explain, grade and register one trained model.

    ``pipeline`` is the uncalibrated base model (its ``decision_function`` is the log-odds
    that reasons explain); ``calibrator`` maps that logit to ``conversion_probability``.
    ``reference_logit`` is the log-odds of the typical lead (every feature at its baseline):
    a lead's contributions sum to its log-odds minus this. ``score_reference`` holds
    quantiles of out-of-sample log-odds (the 0-100 score is a position in it, stable across
    runs); ``fit_reference`` / ``engagement_reference`` hold quantiles of the fit and
    engagement parts of the log-odds on training rows (the grade cut-offs apply to positions
    in them).
    """

    pipeline: Pipeline
    calibrator: Any
    calibration_method: str
    model_kind: str
    features: list[str]
    feature_kinds: dict[str, str]
    baselines: dict[str, Any]
    score_reference: np.ndarray
    reference_logit: float
    fit_features: list[str]
    fit_reference: np.ndarray | None
    engagement_features: list[str]
    engagement_reference: np.ndarray | None
    positive_rate: float
    spec_hash: str = ""
    metrics: dict[str, Any] = field(default_factory=dict)
    calibration_table: pd.DataFrame = field(default_factory=pd.DataFrame)
    gains_table: pd.DataFrame = field(default_factory=pd.DataFrame)
    candidate_metrics: dict[str, dict[str, float]] = field(default_factory=dict)
    leakage_table: pd.DataFrame = field(default_factory=pd.DataFrame)
    grade_table: pd.DataFrame = field(default_factory=pd.DataFrame)
    data_window: dict[str, str | None] = field(default_factory=dict)
    validation_scheme: str = ""
    trained_at: pd.Timestamp = field(default_factory=lambda: pd.Timestamp(0))
    version: str = ""
    library_versions: dict[str, str] = field(default_factory=dict)
    policy_version: str = ""
    data_fingerprint: str = ""
    holdout_predictions: pd.DataFrame | None = None

    def prepare(self, frame: pd.DataFrame) -> pd.DataFrame:
        return prepare_features(frame, self.feature_kinds)

    def logit(self, prepared: pd.DataFrame) -> np.ndarray:
        """Uncalibrated log-odds of the base model on already prepared features."""
        return np.asarray(self.pipeline.decision_function(prepared), dtype=np.float64)

    def calibrate(self, logit: np.ndarray) -> np.ndarray:
        return apply_calibrator(self.calibrator, self.calibration_method, logit)

    def predict_proba(self, frame: pd.DataFrame) -> np.ndarray:
        """Calibrated probability of the label within the policy horizon."""
        return self.calibrate(self.logit(self.prepare(frame)))


def apply_calibrator(calibrator: Any, method: str, logit: np.ndarray) -> np.ndarray:
    s = np.asarray(logit, dtype=np.float64).reshape(-1)
    if method == "isotonic":
        p = calibrator.predict(s)
    else:
        p = calibrator.predict_proba(s.reshape(-1, 1))[:, 1]
    return np.clip(np.asarray(p, dtype=np.float64), PROB_EPS, 1 - PROB_EPS)


def _new_calibrator(method: str) -> Any:
    if method == "isotonic":
        return IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0)
    return LogisticRegression(C=1e6, max_iter=1000)


def _fit_calibrator(method: str, logit: np.ndarray, y: np.ndarray) -> Any:
    cal = _new_calibrator(method)
    if method == "isotonic":
        cal.fit(logit, y)
    else:
        cal.fit(logit.reshape(-1, 1), y)
    return cal


def choose_calibration(logit: np.ndarray, y: np.ndarray, seed: int) -> tuple[str, dict[str, float]]:
    """Isotonic vs sigmoid by 5-fold cross-validated Brier on the calibration slice.

    Scored out-of-fold because isotonic always wins on the rows it was fitted to.
    """
    n_splits = int(min(5, y.sum(), len(y) - y.sum()))
    if n_splits < 2:
        return "sigmoid", {}
    folds = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=seed)
    scores: dict[str, float] = {}
    for method in ("sigmoid", "isotonic"):
        oof = np.empty(len(y))
        for tr, te in folds.split(logit.reshape(-1, 1), y):
            cal = _fit_calibrator(method, logit[tr], y[tr])
            oof[te] = apply_calibrator(cal, method, logit[te])
        scores[method] = m.brier(y, oof)
    best = min(scores, key=lambda k: (scores[k], k != "sigmoid"))
    return best, scores


@dataclass
class _Evaluated:
    """The evaluation recipe's result: the model kind chosen, its fitted evaluation model,
    the tree count the newest validation slice chose, and the calibrator fitted there."""

    pipeline: Pipeline
    calibrator: Any
    method: str
    kind: str
    n_trees: int | None
    candidates: dict[str, dict[str, float]]
    val_logit: np.ndarray


def _candidates(kinds: dict[str, str], policy: ScoringPolicy) -> dict[str, Pipeline]:
    common = {
        "min_frequency": policy.min_category_frequency,
        "max_categories": policy.max_categories,
        "seed": policy.random_seed,
    }
    return {
        "logistic_regression": logistic_pipeline(kinds, c=policy.lr_c, **common),
        "hist_gradient_boosting": hgb_pipeline(
            kinds,
            learning_rate=policy.hgb_learning_rate,
            max_iter=policy.hgb_max_iter,
            max_leaf_nodes=policy.hgb_max_leaf_nodes,
            min_samples_leaf=policy.hgb_min_samples_leaf,
            l2_regularization=policy.hgb_l2_regularization,
            **common,
        ),
    }


def _log_loss(y: np.ndarray, logit: np.ndarray) -> float:
    s = np.asarray(logit, dtype=np.float64).reshape(-1)
    return float(np.mean(np.where(y > 0, np.logaddexp(0.0, -s), np.logaddexp(0.0, s))))


def _fill_empty_columns(encoded: Any) -> Any:
    """The encoded training matrix with columns that hold no value at all set to 0.

    A source a company does not have (e.g. no web events) leaves its features missing on
    every row; scikit-learn's binning fails on a column with no value ("window shape cannot be
    larger than input array shape"). A constant column gets no split, so the fitted trees never
    read it and scoring needs no change.
    """
    values = encoded.to_numpy() if isinstance(encoded, pd.DataFrame) else encoded
    if values.dtype.kind != "f" or values.size == 0:
        return encoded
    empty = np.isnan(values).all(axis=0)
    if not empty.any():
        return encoded
    if isinstance(encoded, pd.DataFrame):
        encoded = encoded.copy()
        encoded.iloc[:, np.flatnonzero(empty)] = 0.0
        return encoded
    filled = values.copy()
    filled[:, empty] = 0.0
    return filled


def fit_hgb(
    pipe: Pipeline,
    X: pd.DataFrame,
    y: np.ndarray,
    policy: ScoringPolicy,
    progress: Progress,
    what: str,
    *,
    n_trees: int | None = None,
    validation: tuple[pd.DataFrame, np.ndarray] | None = None,
    sample_weight: np.ndarray | None = None,
) -> tuple[Pipeline, int]:
    """Fit a gradient-boosting pipeline in chunks of trees, with a progress line per chunk.

    Adding trees with ``warm_start`` gives the same model as one fit (same binning seed, no
    random validation split). With ``validation`` (the newest slice, held out), fitting stops
    once its log-loss has not improved for ``hgb_patience_trees`` trees and the model keeps
    the best count: time-honest early stopping. ``n_trees`` fixes the count instead.
    ``sample_weight``: one weight per row (the early-label rule, :mod:`leadscore.ml.early`).
    Returns the fitted pipeline and its number of trees.
    """
    prep, model = pipe[:-1], pipe[-1]
    encoded = _fill_empty_columns(prep.fit_transform(X, y))
    encoded_val = prep.transform(validation[0]) if validation is not None else None
    cap = int(n_trees if n_trees is not None else model.max_iter)
    chunk = max(1, policy.hgb_chunk_trees)
    losses: list[float] = []
    best = cap
    built = 0
    model.set_params(warm_start=True)
    while built < cap:
        built = min(cap, built + chunk)
        model.set_params(max_iter=built)
        model.fit(encoded, y, sample_weight=sample_weight)
        note = ""
        if encoded_val is not None and validation is not None:
            for k, stage in enumerate(model.staged_decision_function(encoded_val)):
                if k >= len(losses):
                    losses.append(_log_loss(validation[1], stage))
            best = int(np.argmin(losses)) + 1
            note = f", validation log-loss {min(losses):.4f} at {best} trees"
        progress(f"{what}: {built}/{cap} trees on {len(y):,} rows{note}")
        if encoded_val is not None and built - best >= policy.hgb_patience_trees:
            break
    model.set_params(warm_start=False)
    if encoded_val is not None and best < model.n_iter_:
        # keep the best prefix of the ensemble (trees are added, never revised)
        model._predictors = model._predictors[:best]
    model.set_params(max_iter=int(model.n_iter_))
    return pipe, int(model.n_iter_)


def _evaluate_recipe(
    frame: pd.DataFrame,
    X: pd.DataFrame,
    y: np.ndarray,
    kinds: dict[str, str],
    policy: ScoringPolicy,
    time_col: str | None,
    lead_col: str | None,
    progress: Progress,
    *,
    only_kind: str | None = None,
    what: str = "evaluation",
    refit: bool = False,
) -> _Evaluated:
    """Fit the candidates on the older part, choose kind, tree count and calibrator on the
    newest slice (one grouped stratified fold when undated). Without ``refit`` that fitted
    model is the one the holdout measures; with it, the chosen kind is fitted again on all
    the given rows with the chosen tree count (the K-fold path, where each fold's inner
    slice is small)."""
    fit_idx, val_idx = holdout_split(
        frame,
        y,
        fraction=policy.calibration_fraction,
        time_col=time_col,
        lead_col=lead_col,
        seed=policy.random_seed,
        # No embargo inside the training range: this slice only chooses the model and fits
        # the calibrator (the outer split's embargo keeps the published holdout honest), and
        # a second 90-day gap would throw away the newest, most relevant training rows.
    )
    if len(np.unique(y[val_idx])) < 2 or len(np.unique(y[fit_idx])) < 2:
        raise InsufficientOutcomesError(
            "the inner validation slice has only one class; too few outcomes to train"
        )
    X_fit, y_fit = X.iloc[fit_idx], y[fit_idx]
    X_val, y_val = X.iloc[val_idx], y[val_idx]
    results: dict[str, dict[str, float]] = {}
    fitted: dict[str, tuple[Pipeline, np.ndarray, int | None]] = {}
    for name, pipe in _candidates(kinds, policy).items():
        if only_kind is not None and name != only_kind:
            continue
        trees: int | None = None
        if name == "hist_gradient_boosting":
            pipe, trees = fit_hgb(
                pipe,
                X_fit,
                y_fit,
                policy,
                progress,
                f"{what} gradient boosting",
                validation=(X_val, y_val),
            )
        else:
            pipe.fit(X_fit, y_fit)
        logit = np.asarray(pipe.decision_function(X_val), dtype=np.float64)
        results[name] = {"validation_roc_auc": m.roc_auc(y_val, logit)}
        if trees is not None:
            results[name]["trees"] = float(trees)
        fitted[name] = (pipe, logit, trees)
        progress(
            f"{what} {name}: validation ROC-AUC {results[name]['validation_roc_auc']:.4f} "
            f"on {len(y_val):,} {'newer' if time_col else 'held-out'} rows"
        )
    # highest validation AUC; on an exact tie prefer the simpler logistic regression
    best = max(
        results, key=lambda k: (results[k]["validation_roc_auc"], k == "logistic_regression")
    )
    pipe, logit, trees = fitted[best]
    method, briers = choose_calibration(logit, y_val, policy.random_seed)
    results[best].update({f"calibration_brier_{k}": v for k, v in briers.items()})
    cal = _fit_calibrator(method, logit, y_val)
    if refit:
        pipe = _fit_shipped(best, trees, X, y, kinds, policy, progress, what=f"{what} refit")
    return _Evaluated(pipe, cal, method, best, trees, results, logit)


def _fit_shipped(
    kind: str,
    n_trees: int | None,
    X: pd.DataFrame,
    y: np.ndarray,
    kinds: dict[str, str],
    policy: ScoringPolicy,
    progress: Progress,
    *,
    what: str = "shipped",
    sample_weight: np.ndarray | None = None,
) -> Pipeline:
    """The shipped model: the chosen kind, fitted once on all rows (the evaluation's trees),
    optionally with one weight per row."""
    pipe = _candidates(kinds, policy)[kind]
    if kind == "hist_gradient_boosting":
        pipe, _ = fit_hgb(
            pipe,
            X,
            y,
            policy,
            progress,
            f"{what} gradient boosting",
            n_trees=n_trees,
            sample_weight=sample_weight,
        )
        return pipe
    progress(f"{what} {kind}: fitting on {len(y):,} rows")
    if sample_weight is None:
        return pipe.fit(X, y)
    return pipe.fit(X, y, model__sample_weight=sample_weight)


def _reference(values: np.ndarray) -> np.ndarray:
    return np.quantile(np.asarray(values, dtype=np.float64), np.linspace(0, 1, REFERENCE_POINTS))


def _baselines(X: pd.DataFrame, kinds: dict[str, str]) -> dict[str, Any]:
    """Typical value per feature (median / mode): what 'replaced by baseline' means in reasons."""
    out: dict[str, Any] = {}
    for name, kind in kinds.items():
        col = X[name]
        if kind == "categorical":
            counts = col.dropna().value_counts(sort=False)
            if len(counts):
                # most frequent, ties broken by the value itself (deterministic)
                top = counts.max()
                out[name] = str(sorted(counts[counts == top].index.astype(str))[0])
            else:
                out[name] = None
        else:
            med = col.median()
            out[name] = None if pd.isna(med) else float(med)
    return out


def explainer_for(
    pipeline: Pipeline, features: list[str], kinds: dict[str, str], baselines: dict[str, Any]
) -> PipelineContributions | None:
    """One-pass contributions of a fitted pipeline against the typical lead (baselines)."""
    reference = prepare_features(pd.DataFrame([baselines], columns=features), kinds)
    return PipelineContributions.create(pipeline, reference, features)


def contributions_in_batches(
    explainer: PipelineContributions, prepared: pd.DataFrame, batch: int
) -> tuple[np.ndarray, np.ndarray]:
    """(log-odds, contributions) for all rows, ``batch`` rows at a time (bounded memory)."""
    n = len(prepared)
    logit = np.empty(n)
    contrib = np.empty((n, explainer.fold.shape[1]))
    for start in range(0, n, max(1, batch)):
        stop = min(n, start + max(1, batch))
        logit[start:stop], contrib[start:stop] = explainer.explain(prepared.iloc[start:stop])
    return logit, contrib


def _part_references(
    explainer: PipelineContributions | None,
    X: pd.DataFrame,
    fit_idx: np.ndarray,
    eng_idx: np.ndarray,
    policy: ScoringPolicy,
) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Quantiles of the fit and engagement parts on (a seeded sample of) training rows."""
    if explainer is None:
        return None, None
    rows = X
    if len(X) > policy.part_reference_rows > 0:
        keep = np.random.default_rng(policy.random_seed).choice(
            len(X), size=policy.part_reference_rows, replace=False
        )
        rows = X.iloc[np.sort(keep)]
    _, contrib = contributions_in_batches(explainer, rows, policy.reason_batch_size)
    fit, eng = part_sums(contrib, fit_idx, eng_idx)
    return (
        _reference(fit) if len(fit_idx) else None,
        _reference(eng) if len(eng_idx) else None,
    )


def _grades_from(
    logit: np.ndarray,
    contrib: np.ndarray,
    fit_idx: np.ndarray,
    eng_idx: np.ndarray,
    fit_reference: np.ndarray | None,
    engagement_reference: np.ndarray | None,
    policy: ScoringPolicy,
) -> np.ndarray:
    """Grades (A1..D4) from the fit and engagement parts of the model's own log-odds."""
    fit, eng = part_sums(contrib, fit_idx, eng_idx)
    score = to_0_100(logit, np.sort(logit)) if len(logit) else logit
    fit_score = to_0_100(fit, fit_reference) if fit_reference is not None else score
    eng_score = to_0_100(eng, engagement_reference) if engagement_reference is not None else score
    return grades(np.round(fit_score), np.round(eng_score), policy)


@dataclass
class _HeldOut:
    """What the evaluation model shows on rows it did not see."""

    auc: float
    lift: pd.DataFrame
    grades: np.ndarray
    logit: np.ndarray


def _held_out(
    pipe: Pipeline,
    X_train: pd.DataFrame,
    X_test: pd.DataFrame,
    y_test: np.ndarray,
    usable: list[str],
    kinds: dict[str, str],
    baselines: dict[str, Any],
    fit_idx: np.ndarray,
    eng_idx: np.ndarray,
    policy: ScoringPolicy,
) -> _HeldOut:
    """Held-out log-odds, grades and each feature's share of the lift (leak check).

    Contributions on the held-out rows come first (one pass); only the
    ``leak_check_features`` features with the largest mean |contribution| are permuted: a
    feature that moves the log-odds little cannot carry the model's lift.
    """
    n = len(X_test)
    explainer = explainer_for(pipe, usable, kinds, baselines)
    screened = list(usable)
    mean_abs = pd.Series(np.nan, index=usable)
    if explainer is not None:
        logit, contrib = contributions_in_batches(explainer, X_test, policy.reason_batch_size)
        mean_abs = pd.Series(np.abs(contrib).mean(axis=0) if n else 0.0, index=usable)
        if policy.leak_check_features > 0:
            screened = list(
                mean_abs.sort_values(ascending=False).index[: policy.leak_check_features]
            )
        fit_ref, eng_ref = _part_references(explainer, X_train, fit_idx, eng_idx, policy)
        held_grades = _grades_from(logit, contrib, fit_idx, eng_idx, fit_ref, eng_ref, policy)
    else:
        logit = np.asarray(pipe.decision_function(X_test), dtype=np.float64)
        held_grades = np.full(n, None, dtype=object)
    groups = output_columns_by_feature(pipe[:-1][-1])
    if isinstance(pipe[-1], HistGradientBoostingClassifier) and groups is not None:
        # encode once; permuting a feature's encoded columns is permuting the feature
        encoded = np.asarray(pipe[:-1].transform(X_test), dtype=np.float64)
        auc, lift = permutation_lift(
            lambda d: np.asarray(pipe[-1].decision_function(d)),
            encoded,
            y_test,
            screened,
            rows=policy.leak_check_rows,
            seed=policy.random_seed,
            columns=groups,
        )
    else:
        auc, lift = permutation_lift(
            lambda d: np.asarray(pipe.decision_function(d)),
            X_test,
            y_test,
            screened,
            rows=policy.leak_check_rows,
            seed=policy.random_seed,
        )
    lift = pd.DataFrame({"feature": usable, "mean_abs_contribution": mean_abs.to_numpy()}).merge(
        lift, on="feature", how="left"
    )
    return _HeldOut(auc, lift, held_grades, logit)


def library_versions() -> dict[str, str]:
    return {
        "python": platform.python_version(),
        "scikit-learn": sklearn.__version__,
        "skops": skops.__version__,
        "numpy": np.__version__,
        "pandas": pd.__version__,
    }


def has_enough_outcomes(
    examples: pd.DataFrame, policy: ScoringPolicy, *, label_col: str = "label"
) -> bool:
    """True when there are at least ``min_examples`` rows and ``min_positives`` positives."""
    y = pd.to_numeric(examples[label_col], errors="coerce").fillna(0)
    return len(y) >= policy.min_examples and int((y > 0).sum()) >= policy.min_positives


def _fingerprint(frame: pd.DataFrame, columns: Sequence[str]) -> str:
    hashed = pd.util.hash_pandas_object(frame[list(columns)], index=False).to_numpy()
    return hashlib.sha256(hashed.tobytes()).hexdigest()


def _iso(value: Any) -> str | None:
    return None if value is None or pd.isna(value) else pd.Timestamp(value).isoformat()


def thread_limit(policy: ScoringPolicy) -> AbstractContextManager[int]:
    """Native threads for one ML step (see :func:`leadscore.ml.runtime.ml_threads`)."""
    return native_threads(policy.max_threads)


def train_and_evaluate(
    examples: pd.DataFrame,
    spec: FeatureSpec,
    policy: ScoringPolicy,
    *,
    label_col: str = "label",
    time_col: str | None = "cutoff_at",
    lead_col: str | None = "lead_id",
    force_include: Sequence[str] = (),
    trained_at: pd.Timestamp | None = None,
    progress: Progress | None = None,
) -> TrainedModel:
    """Train on point-in-time examples and return a calibrated, evaluated model.

    ``examples``: one row per (lead_id, cutoff_at) with the catalog's feature columns and a
    0/1 ``label_col``. Pass ``time_col=None`` (or omit the column) for undated exports; the
    grouped stratified K-fold scheme (or the policy's ``order_column``) is then used and
    named in ``validation_scheme``.

    Raises InsufficientOutcomesError (caller falls back to rules) and LeakageError (the build
    must stop; the message names the fields and their figures).
    """
    progress = progress or Progress("training")
    with thread_limit(policy) as threads:
        progress(f"{len(examples):,} examples, {threads} native thread(s)")
        return _train_and_evaluate(
            examples,
            spec,
            policy,
            label_col=label_col,
            time_col=time_col,
            lead_col=lead_col,
            force_include=force_include,
            trained_at=trained_at,
            progress=progress,
        )


ORDER_TIME_COL = "_row_order_at"


def _order_as_time(frame: pd.DataFrame, order_col: str) -> pd.Series:
    """A stand-in timestamp from an order column: rank r becomes 2000-01-01 + r seconds."""
    values = frame[order_col]
    numeric = pd.to_numeric(values, errors="coerce")
    key = numeric if numeric.notna().all() else values.astype(str)
    rank = key.rank(method="dense").astype("int64")
    return pd.Timestamp("2000-01-01") + pd.to_timedelta(rank, unit="s")


def row_order_auc(y: np.ndarray) -> float:
    """How well row position alone separates the labels (direction-free ROC-AUC)."""
    auc = m.roc_auc(y, np.arange(len(y), dtype=np.float64))
    return max(auc, 1 - auc) if not np.isnan(auc) else float("nan")


def _lift_table(
    leak_table: pd.DataFrame, lift: pd.DataFrame, spec: FeatureSpec, usable: list[str]
) -> pd.DataFrame:
    table = leak_table.merge(lift, on="feature", how="outer")
    table["reviewed"] = [spec[f].reviewed for f in table["feature"]]
    table["review_reason"] = [spec[f].review_reason for f in table["feature"]]
    order = {f: i for i, f in enumerate(usable)}
    table["_order"] = table["feature"].map(order)
    table = table.sort_values(["lift_share", "_order"], ascending=[False, True], kind="stable")
    return table.drop(columns="_order").reset_index(drop=True)


def _train_and_evaluate(
    examples: pd.DataFrame,
    spec: FeatureSpec,
    policy: ScoringPolicy,
    *,
    label_col: str,
    time_col: str | None,
    lead_col: str | None,
    force_include: Sequence[str],
    trained_at: pd.Timestamp | None,
    progress: Progress,
) -> TrainedModel:
    """The body of :func:`train_and_evaluate`, run inside its thread limit."""
    if label_col not in examples.columns:
        raise KeyError(f"training examples have no label column {label_col!r}")
    if not has_enough_outcomes(examples, policy, label_col=label_col):
        y_all = pd.to_numeric(examples[label_col], errors="coerce").fillna(0)
        raise InsufficientOutcomesError(
            f"{len(y_all)} examples with {int((y_all > 0).sum())} positive outcomes; the policy "
            f"needs at least {policy.min_examples} examples and {policy.min_positives} positives"
        )
    frame = examples.reset_index(drop=True)
    dated = time_col is not None and time_col in frame.columns
    if dated:
        frame = frame.assign(**{time_col: pd.to_datetime(frame[time_col])})
        if frame[time_col].isna().all():
            dated = False
    ordered = not dated and bool(policy.order_column) and policy.order_column in frame.columns
    tcol = time_col if dated else None
    embargo = float(policy.horizon_days)
    if ordered:
        frame[ORDER_TIME_COL] = _order_as_time(frame, policy.order_column)
        tcol, embargo = ORDER_TIME_COL, 0.0
    lcol = lead_col if lead_col is not None and lead_col in frame.columns else None

    selection = select_features(frame.columns, spec, force_include)
    if not selection.usable:
        raise ValueError("no pre-contact catalog feature is present in the training examples")
    usable = list(selection.usable)
    kinds = spec.kinds(usable)
    y = (pd.to_numeric(frame[label_col], errors="coerce").fillna(0) > 0).to_numpy(dtype=np.int64)
    X = prepare_features(frame, kinds)
    seed = policy.random_seed
    groups = {f: spec[f].group for f in usable}
    fit_idx, eng_idx = part_indices(usable, groups, policy)
    baselines = _baselines(X, kinds)
    extra_metrics: dict[str, Any] = {}
    warnings: list[str] = []

    window: dict[str, str | None] = {}
    if tcol is not None:
        # Split by row, not by lead, with an embargo of one label horizon. Grouping leads
        # (dropping the older rows of every lead seen in the test period) keeps in training
        # only leads whose snapshots stopped early, i.e. mostly converters, which inflates the
        # base rate just before the split and ruins calibration. With the embargo, every
        # training label was fully observed before the test period starts, which is exactly
        # what a model trained in production has seen; a lead's later snapshots may be tested.
        outer = time_split(
            frame,
            time_col=tcol,
            lead_col=None,
            test_fraction=policy.test_fraction,
            embargo_days=embargo,
        )
        train_idx, test_idx = outer.train_idx, outer.test_idx
        progress(outer.description)
        leak_table = check_leakage(
            frame.iloc[train_idx],
            spec,
            policy.leak_auc_threshold,
            label_col=label_col,
            force_include=force_include,
            seed=seed,
        )
        ev = _evaluate_recipe(
            frame.iloc[train_idx].reset_index(drop=True),
            X.iloc[train_idx].reset_index(drop=True),
            y[train_idx],
            kinds,
            policy,
            tcol,
            lcol,
            progress,
        )
        X_test, y_test = X.iloc[test_idx], y[test_idx]
        held = _held_out(
            ev.pipeline,
            X.iloc[train_idx],
            X_test,
            y_test,
            usable,
            kinds,
            baselines,
            fit_idx,
            eng_idx,
            policy,
        )
        test_logit = held.logit
        p_test = apply_calibrator(ev.calibrator, ev.method, test_logit)
        leak_table = _lift_table(leak_table, held.lift, spec, usable)
        where = "the time holdout" if not ordered else f"the newest rows by {policy.order_column}"
        check_lift_shares(
            leak_table,
            held.auc,
            spec,
            policy.leak_max_lift_share,
            where=where,
            min_drop=policy.leak_min_auc_drop,
            min_model_auc=policy.leak_min_model_auc,
        )
        holdout_grade = held.grades
        if ordered:
            scheme = (
                f"ordered_split(by={policy.order_column}, test_fraction={policy.test_fraction}): "
                f"the newest {len(test_idx)} rows by {policy.order_column} are the holdout, the "
                f"older {len(train_idx)} train"
            )
        else:
            scheme = f"time_split(test_fraction={policy.test_fraction}); {outer.description}"
        times = frame[tcol]
        if not ordered:
            window = {
                "train_start": _iso(times.iloc[train_idx].min()),
                "train_end": _iso(times.iloc[train_idx].max()),
                "holdout_start": _iso(times.iloc[test_idx].min()),
                "holdout_end": _iso(times.iloc[test_idx].max()),
            }
        holdout = pd.DataFrame(
            {
                **({lcol: frame[lcol].iloc[test_idx].to_numpy()} if lcol else {}),
                **({time_col: times.iloc[test_idx].to_numpy()} if not ordered and time_col else {}),
                "label": y_test,
                "probability": p_test,
                "grade": holdout_grade,
            }
        )
        kind, n_trees = ev.kind, ev.n_trees
        calibrator, method = ev.calibrator, ev.method
        score_logits = np.concatenate([ev.val_logit, test_logit])
        candidates = ev.candidates
        evaluated_kind = ev.kind
        n_train = float(len(train_idx))
        eval_pipeline = ev.pipeline
    else:
        order_auc = row_order_auc(y)
        extra_metrics["row_order_auc"] = order_auc
        if order_auc > policy.row_order_auc_warn:
            text = (
                f"row position alone predicts the label with ROC-AUC {order_auc:.3f} (policy "
                f"row_order_auc_warn={policy.row_order_auc_warn}): the export looks ordered in "
                "time, so shuffled K-fold may flatter the model; name its order column in the "
                "dataset label policy (order_column) to validate on the newest rows instead"
            )
            warnings.append(text)
            progress(f"WARNING: {text}")
        leak_table = check_leakage(
            frame,
            spec,
            policy.leak_auc_threshold,
            label_col=label_col,
            force_include=force_include,
            seed=seed,
        )
        lead_groups = frame[lcol].to_numpy() if lcol else None
        folds = grouped_stratified_folds(y, lead_groups, n_splits=policy.kfold_splits, seed=seed)
        p_oof = np.empty(len(y))
        oof_logit = np.empty(len(y))
        holdout_grade = np.full(len(y), None, dtype=object)
        chosen: str | None = None
        trees: list[int] = []
        drops: list[pd.DataFrame] = []
        aucs: list[float] = []
        first: _Evaluated | None = None
        for k, (tr, te) in enumerate(folds, start=1):
            fold = _evaluate_recipe(
                frame.iloc[tr].reset_index(drop=True),
                X.iloc[tr].reset_index(drop=True),
                y[tr],
                kinds,
                policy,
                None,
                lcol,
                progress,
                only_kind=chosen,
                what=f"fold {k}/{len(folds)}",
                refit=policy.refit_after_calibration,
            )
            first = first or fold
            chosen = chosen or fold.kind
            if fold.n_trees is not None:
                trees.append(fold.n_trees)
            held = _held_out(
                fold.pipeline,
                X.iloc[tr],
                X.iloc[te],
                y[te],
                usable,
                kinds,
                baselines,
                fit_idx,
                eng_idx,
                policy,
            )
            oof_logit[te] = held.logit
            p_oof[te] = apply_calibrator(fold.calibrator, fold.method, oof_logit[te])
            aucs.append(held.auc)
            drops.append(held.lift.assign(weight=len(te)))
            holdout_grade[te] = held.grades
        pooled = pd.concat(drops)
        cols = ["permuted_auc", "auc_drop", "mean_abs_contribution"]
        weighted = pooled[cols].mul(pooled["weight"], axis=0)
        weighted["feature"] = pooled["feature"]
        weighted["weight"] = pooled["weight"].where(pooled["permuted_auc"].notna(), 0)
        weighted["weight_all"] = pooled["weight"]
        lift = weighted.groupby("feature", sort=False).sum(min_count=1)
        lift["permuted_auc"] /= lift["weight"].where(lift["weight"] > 0)
        lift["auc_drop"] /= lift["weight"].where(lift["weight"] > 0)
        lift["mean_abs_contribution"] /= lift["weight_all"]
        lift = lift.drop(columns="weight_all")
        model_auc = float(np.average(aucs, weights=[len(te) for _, te in folds]))
        lift["lift_share"] = lift["auc_drop"] / (model_auc - 0.5)
        leak_table = _lift_table(
            leak_table, lift.drop(columns="weight").reset_index(), spec, usable
        )
        check_lift_shares(
            leak_table,
            model_auc,
            spec,
            policy.leak_max_lift_share,
            where=f"the {len(folds)} grouped stratified folds' held-out rows",
            min_drop=policy.leak_min_auc_drop,
            min_model_auc=policy.leak_min_model_auc,
        )
        test_idx = np.arange(len(y))
        p_test, y_test = p_oof, y
        scheme = (
            f"grouped_stratified_kfold(n_splits={policy.kfold_splits}, seed={seed}); no dates, "
            "pooled out-of-fold predictions"
        )
        holdout = pd.DataFrame(
            {
                **({lcol: frame[lcol].to_numpy()} if lcol else {}),
                "label": y,
                "probability": p_oof,
                "grade": holdout_grade,
            }
        )
        assert first is not None and chosen is not None
        kind = chosen
        n_trees = int(np.median(trees)) if trees else None
        method, briers = choose_calibration(oof_logit, y, seed)
        calibrator = _fit_calibrator(method, oof_logit, y)
        score_logits = oof_logit
        candidates = first.candidates
        evaluated_kind = kind
        n_train = float(len(frame))
        eval_pipeline = first.pipeline
        candidates[kind].update({f"pooled_calibration_brier_{k}": v for k, v in briers.items()})

    metrics = m.summary(y_test, p_test)
    metrics.update(
        {
            "n_train": n_train,
            "n_holdout": float(len(test_idx)),
            "evaluated_model_kind": evaluated_kind,
            "shipped_model_kind": kind,
            "calibration_method": method,
            **extra_metrics,
        }
    )
    if n_trees is not None:
        metrics["trees"] = float(n_trees)
    if policy.refit_on_all:
        progress(f"holdout ROC-AUC {metrics['roc_auc']:.4f}, ECE {metrics['ece']:.4f}")
        final = _fit_shipped(kind, n_trees, X, y, kinds, policy, progress)
        scheme += "; shipped model = the chosen kind fitted once on all rows"
        if n_trees is not None:
            scheme += f" with the evaluation's {n_trees} trees"
    else:
        final = eval_pipeline
    if warnings:
        scheme += "; WARNING: " + "; ".join(warnings)
    explainer = explainer_for(final, usable, kinds, baselines)
    fit_ref, eng_ref = _part_references(explainer, X, fit_idx, eng_idx, policy)
    reference_logit = (
        explainer.reference_logit
        if explainer is not None
        else float(
            final.decision_function(
                prepare_features(pd.DataFrame([baselines], columns=usable), kinds)
            )[0]
        )
    )

    when = pd.Timestamp.now(tz="UTC").tz_localize(None) if trained_at is None else trained_at
    when = pd.Timestamp(when).floor("s")
    fingerprint = _fingerprint(frame, [*usable, label_col])
    spec_hash = training_spec_hash(spec, policy, force_include)
    version = f"{when:%Y%m%dT%H%M%S}-{kind[:3]}-{fingerprint[:8]}-{spec_hash[:6]}"
    progress(f"trained {version}")
    return TrainedModel(
        pipeline=final,
        calibrator=calibrator,
        calibration_method=method,
        model_kind=kind,
        features=usable,
        feature_kinds=kinds,
        baselines=baselines,
        # The 0-100 score ranks the base model's logit (full resolution); the calibrated
        # probability may be a step function (isotonic) and would tie many leads.
        score_reference=_reference(score_logits),
        reference_logit=float(reference_logit),
        fit_features=[usable[i] for i in fit_idx],
        fit_reference=fit_ref,
        engagement_features=[usable[i] for i in eng_idx],
        engagement_reference=eng_ref,
        positive_rate=float(y.mean()),
        spec_hash=spec_hash,
        metrics=metrics,
        calibration_table=m.calibration_by_decile(y_test, p_test),
        gains_table=m.cumulative_gains(y_test, p_test),
        candidate_metrics=candidates,
        leakage_table=leak_table,
        grade_table=conversion_by_grade(holdout["label"].to_numpy(), holdout["grade"].to_numpy()),
        data_window=window,
        validation_scheme=scheme,
        trained_at=when,
        version=version,
        library_versions=library_versions(),
        policy_version=policy.policy_version,
        data_fingerprint=fingerprint,
        holdout_predictions=holdout,
    )


def evaluate_model(
    model: TrainedModel, examples: pd.DataFrame, *, label_col: str = "label"
) -> dict[str, float]:
    """Metrics of an existing model on labelled rows (e.g. the champion on newer matured
    examples), to compare champion and challenger on the same rows before promotion."""
    y = (pd.to_numeric(examples[label_col], errors="coerce").fillna(0) > 0).to_numpy()
    return m.summary(y, model.predict_proba(examples))
