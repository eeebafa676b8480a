"""Train, select, calibrate and honestly evaluate the lead-scoring model.

The recipe (applied identically for evaluation and for the final model):
1. an inner split of the given rows: older part to fit, newer slice to validate (time-based
   when dated, one grouped stratified fold otherwise);
2. candidates -- L2 logistic regression and HistGradientBoosting -- fit on the older part and
   chosen by ROC-AUC on the newer slice;
3. a calibrator (isotonic or Platt/sigmoid, chosen by cross-validated Brier on that slice)
   fitted on the slice the base model did not see, mapping the model's logit to a probability.

Evaluation applies the recipe to the rows older than the outer holdout and reports metrics on
the holdout only (newest ``test_fraction`` of the time range, or pooled out-of-fold
predictions of grouped stratified K-fold when there are no dates). With ``refit_on_all`` the
shipped model re-runs the same recipe on all rows, so it has seen the newest behaviour; its
published metrics are those of the recipe one slice earlier, which is stated in
``validation_scheme``.
"""

from __future__ import annotations

import hashlib
import platform
from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import sklearn
import skops
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline
from threadpoolctl import threadpool_limits

from leadscore.ml import metrics as m
from leadscore.ml.features import hgb_pipeline, logistic_pipeline, prepare_features
from leadscore.ml.leakage import check_leakage, select_features
from leadscore.ml.policy import FeatureSpec, ScoringPolicy
from leadscore.ml.split import grouped_stratified_folds, holdout_split, time_split

PROB_EPS = 1e-4
REFERENCE_POINTS = 1001


class InsufficientOutcomesError(RuntimeError):
    """Fewer examples or positive outcomes than the policy requires: use the rules fallback."""


@dataclass
class TrainedModel:
    """Everything needed to score, explain and register one trained model.

    ``pipeline`` is the uncalibrated base model (its ``decision_function`` is the logit used for
    reasons); ``calibrator`` maps that logit to ``conversion_probability``. The ``*_reference``
    arrays are quantiles of training-time outputs, used to map probabilities to stable 0-100
    scores (rank-preserving, and not re-scaled every run, so grades do not drift monthly).
    """

    pipeline: Pipeline
    calibrator: Any
    calibration_method: str
    model_kind: str
    features: list[str]
    feature_kinds: dict[str, str]
    baselines: dict[str, Any]
    score_reference: np.ndarray
    fit_model: Pipeline | None
    fit_features: list[str]
    fit_reference: np.ndarray | None
    engagement_model: Pipeline | None
    engagement_features: list[str]
    engagement_reference: np.ndarray | None
    positive_rate: float
    metrics: dict[str, Any] = field(default_factory=dict)
    calibration_table: pd.DataFrame = field(default_factory=pd.DataFrame)
    gains_table: pd.DataFrame = field(default_factory=pd.DataFrame)
    candidate_metrics: dict[str, dict[str, float]] = field(default_factory=dict)
    leakage_table: pd.DataFrame = field(default_factory=pd.DataFrame)
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
class _Fitted:
    pipeline: Pipeline
    calibrator: Any
    method: str
    kind: str
    candidates: dict[str, dict[str, float]]
    calibration_probs: np.ndarray
    calibration_logit: np.ndarray


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


def _fit_recipe(
    frame: pd.DataFrame,
    X: pd.DataFrame,
    y: np.ndarray,
    kinds: dict[str, str],
    policy: ScoringPolicy,
    time_col: str | None,
    lead_col: str | None,
) -> _Fitted:
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
    results: dict[str, dict[str, float]] = {}
    fitted: dict[str, tuple[Pipeline, np.ndarray]] = {}
    for name, pipe in _candidates(kinds, policy).items():
        pipe.fit(X.iloc[fit_idx], y[fit_idx])
        logit = np.asarray(pipe.decision_function(X.iloc[val_idx]), dtype=np.float64)
        results[name] = {"validation_roc_auc": m.roc_auc(y[val_idx], logit)}
        fitted[name] = (pipe, logit)
    # highest validation AUC; on an exact tie prefer the simpler logistic regression
    best = max(
        results, key=lambda k: (results[k]["validation_roc_auc"], k == "logistic_regression")
    )
    pipe, logit = fitted[best]
    method, briers = choose_calibration(logit, y[val_idx], policy.random_seed)
    results[best].update({f"calibration_brier_{k}": v for k, v in briers.items()})
    cal = _fit_calibrator(method, logit, y[val_idx])
    probs = apply_calibrator(cal, method, logit)
    if policy.refit_after_calibration:
        # Model choice and calibrator come from the inner split; the base model is then refit
        # on every row of this recipe (the inner slice is the newest, most relevant data).
        pipe = _candidates(kinds, policy)[best].fit(X, y)
    return _Fitted(pipe, cal, method, best, results, probs, logit)


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


def _aux_model(
    X: pd.DataFrame,
    y: np.ndarray,
    features: list[str],
    kinds: dict[str, str],
    policy: ScoringPolicy,
) -> tuple[Pipeline | None, np.ndarray | None]:
    """Small logistic model on one feature group (fit or engagement) for the sub-scores."""
    if not features:
        return None, None
    sub = {f: kinds[f] for f in features}
    pipe = logistic_pipeline(
        sub,
        c=policy.lr_c,
        min_frequency=policy.min_category_frequency,
        max_categories=policy.max_categories,
        seed=policy.random_seed,
    )
    pipe.fit(X[features], y)
    return pipe, _reference(pipe.predict_proba(X[features])[:, 1])


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


def thread_limit(policy: ScoringPolicy) -> AbstractContextManager[object]:
    """Cap native threads when the policy says so (see ``ScoringPolicy.max_threads``)."""
    return threadpool_limits(policy.max_threads) if policy.max_threads > 0 else nullcontext()


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
) -> TrainedModel:
    """Train on point-in-time examples and return a calibrated, evaluated model.

    ``examples``: one row per (lead_id, cutoff_at) with the catalog's feature columns and a
    0/1 ``label_col``. Pass ``time_col=None`` (or omit the column) for undated exports; the
    grouped stratified K-fold scheme is then used and named in ``validation_scheme``.

    Raises InsufficientOutcomesError (caller falls back to rules) and LeakageError (the build
    must stop; the message names the fields).
    """
    with thread_limit(policy):
        return _train_and_evaluate(
            examples,
            spec,
            policy,
            label_col=label_col,
            time_col=time_col,
            lead_col=lead_col,
            force_include=force_include,
            trained_at=trained_at,
        )


def _train_and_evaluate(
    examples: pd.DataFrame,
    spec: FeatureSpec,
    policy: ScoringPolicy,
    *,
    label_col: str = "label",
    time_col: str | None = "cutoff_at",
    lead_col: str | None = "lead_id",
    force_include: Sequence[str] = (),
    trained_at: pd.Timestamp | None = None,
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
    tcol = time_col if dated else None
    lcol = lead_col if lead_col is not None and lead_col in frame.columns else None

    selection = select_features(frame.columns, spec, force_include)
    if not selection.usable:
        raise ValueError("no pre-contact catalog feature is present in the training examples")
    kinds = spec.kinds(selection.usable)
    y = (pd.to_numeric(frame[label_col], errors="coerce").fillna(0) > 0).to_numpy(dtype=np.int64)
    X = prepare_features(frame, kinds)
    seed = policy.random_seed

    holdout = None
    window: dict[str, str | None] = {}
    if dated:
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
            embargo_days=policy.horizon_days,
        )
        train_idx, test_idx = outer.train_idx, outer.test_idx
        leak_table = check_leakage(
            frame.iloc[train_idx],
            spec,
            policy.leak_auc_threshold,
            label_col=label_col,
            force_include=force_include,
            seed=seed,
        )
        evaluated = _fit_recipe(
            frame.iloc[train_idx].reset_index(drop=True),
            X.iloc[train_idx].reset_index(drop=True),
            y[train_idx],
            kinds,
            policy,
            tcol,
            lcol,
        )
        logit = np.asarray(evaluated.pipeline.decision_function(X.iloc[test_idx]))
        p_test = apply_calibrator(evaluated.calibrator, evaluated.method, logit)
        y_test = y[test_idx]
        scheme = f"time_split(test_fraction={policy.test_fraction}); {outer.description}"
        times = frame[tcol]
        window = {
            "train_start": _iso(times.iloc[train_idx].min()),
            "train_end": _iso(times.iloc[train_idx].max()),
            "holdout_start": _iso(times.iloc[test_idx].min()),
            "holdout_end": _iso(times.iloc[test_idx].max()),
        }
        holdout = pd.DataFrame(
            {
                **({lcol: frame[lcol].iloc[test_idx].to_numpy()} if lcol else {}),
                tcol: times.iloc[test_idx].to_numpy(),
                "label": y_test,
                "probability": p_test,
            }
        )
        final_rows = np.arange(len(frame)) if policy.refit_on_all else train_idx
        if policy.refit_on_all:
            scheme += "; shipped model = same recipe refit on all rows"
        final = (
            _fit_recipe(frame, X, y, kinds, policy, tcol, lcol)
            if policy.refit_on_all
            else evaluated
        )
        evaluated_kind = evaluated.kind
        candidates = evaluated.candidates
    else:
        leak_table = check_leakage(
            frame,
            spec,
            policy.leak_auc_threshold,
            label_col=label_col,
            force_include=force_include,
            seed=seed,
        )
        groups = frame[lcol].to_numpy() if lcol else None
        folds = grouped_stratified_folds(y, groups, n_splits=policy.kfold_splits, seed=seed)
        p_oof = np.empty(len(y))
        kinds_chosen: list[str] = []
        for tr, te in folds:
            fold = _fit_recipe(
                frame.iloc[tr].reset_index(drop=True),
                X.iloc[tr].reset_index(drop=True),
                y[tr],
                kinds,
                policy,
                None,
                lcol,
            )
            p_oof[te] = apply_calibrator(
                fold.calibrator,
                fold.method,
                np.asarray(fold.pipeline.decision_function(X.iloc[te])),
            )
            kinds_chosen.append(fold.kind)
        test_idx = np.arange(len(y))
        p_test, y_test = p_oof, y
        scheme = (
            f"grouped_stratified_kfold(n_splits={policy.kfold_splits}, seed={seed}); no dates, "
            "pooled out-of-fold predictions; shipped model = same recipe fit on all rows"
        )
        holdout = pd.DataFrame(
            {**({lcol: frame[lcol].to_numpy()} if lcol else {}), "label": y, "probability": p_oof}
        )
        final_rows = np.arange(len(frame))
        final = _fit_recipe(frame, X, y, kinds, policy, None, lcol)
        evaluated_kind = ",".join(sorted(set(kinds_chosen)))
        candidates = final.candidates

    metrics = m.summary(y_test, p_test)
    metrics.update(
        {
            "n_train": float(len(frame) - len(test_idx)) if dated else float(len(frame)),
            "n_holdout": float(len(test_idx)),
            "evaluated_model_kind": evaluated_kind,
            "shipped_model_kind": final.kind,
            "calibration_method": final.method,
        }
    )
    Xf, yf = X.iloc[final_rows], y[final_rows]
    fit_features = spec.in_groups(policy.fit_groups, selection.usable)
    eng_features = spec.in_groups(policy.engagement_groups, selection.usable)
    fit_model, fit_ref = _aux_model(Xf, yf, fit_features, kinds, policy)
    eng_model, eng_ref = _aux_model(Xf, yf, eng_features, kinds, policy)

    when = pd.Timestamp.now(tz="UTC").tz_localize(None) if trained_at is None else trained_at
    when = pd.Timestamp(when).floor("s")
    fingerprint = _fingerprint(frame, [*selection.usable, label_col])
    version = f"{when:%Y%m%dT%H%M%S}-{final.kind[:3]}-{fingerprint[:8]}"
    return TrainedModel(
        pipeline=final.pipeline,
        calibrator=final.calibrator,
        calibration_method=final.method,
        model_kind=final.kind,
        features=list(selection.usable),
        feature_kinds=kinds,
        baselines=_baselines(Xf, kinds),
        # The 0-100 score ranks the base model's logit (full resolution); the calibrated
        # probability may be a step function (isotonic) and would tie many leads.
        score_reference=_reference(final.calibration_logit),
        fit_model=fit_model,
        fit_features=fit_features,
        fit_reference=fit_ref,
        engagement_model=eng_model,
        engagement_features=eng_features,
        engagement_reference=eng_ref,
        positive_rate=float(y.mean()),
        metrics=metrics,
        calibration_table=m.calibration_by_decile(y_test, p_test),
        gains_table=m.cumulative_gains(y_test, p_test),
        candidate_metrics=candidates,
        leakage_table=leak_table,
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
