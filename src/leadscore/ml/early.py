"""The early-label rule: what a challenger trained after a monitor's breach learns from.

With a 90-day label a model trained at clock T learns only from cutoffs before T - 90 days,
so a retrain right after a shift has seen no outcome of it. A challenger whose retrain a
monitor triggered (``drift:...``, ``segment_shift:...``; scoring_policy
``early_label_triggers``) also learns from **partly matured** examples:

- every training cutoff at least ``early_label_min_age_days`` old at the clock, its label the
  conversion so far (an opportunity within min(horizon, clock - cutoff) days);
- a converted-so-far example of label age a (days observed) and snapshot age s weighs
  1 / G(a | s), G the share of a horizon's conversions made by day a
  (:func:`leadscore.ml.monitoring.conversion_timing`, estimated from the matured examples),
  floored at ``early_label_min_share``: the expected weight of the positives is then the
  90-day rate (inverse-probability weighting); a not-yet-converted example weighs 1;
- every example is weighted by recency, 0.5 ** (days before the clock / half-life)
  (``early_label_half_life_days``), so the newest months count most.

Calibration stays on matured outcomes: the calibrator maps the weighted model's log-odds to
the 90-day probability on the newest ``calibration_fraction`` of the matured examples
(unweighted, full labels). The published metrics are honest in the same way as today's:
the same recipe run at the start of the matured holdout (labels cut at that clock, weights
and G computed there) scores the matured holdout it never saw. The features, the leak checks
(on today's recipe, the same features) and the time split are those of
:func:`leadscore.ml.train.train_and_evaluate`, which runs first on the matured examples and
chooses the model kind, the trees and the calibration method.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from leadscore.ml import metrics as m
from leadscore.ml.features import prepare_features
from leadscore.ml.grades import part_indices
from leadscore.ml.monitoring import ConversionTiming, conversion_timing
from leadscore.ml.policy import FeatureSpec, ScoringPolicy
from leadscore.ml.runtime import Progress
from leadscore.ml.train import (
    TrainedModel,
    _fingerprint,
    _fit_calibrator,
    _fit_shipped,
    _part_references,
    _reference,
    apply_calibrator,
    explainer_for,
    thread_limit,
    train_and_evaluate,
)

#: registry label_rule of a model trained on matured examples only (today's way)
MATURED = "matured"
#: registry label_rule of a model trained by this module's rule
EARLY = "early_ipw"


@dataclass(frozen=True)
class EarlyLabelRule:
    """scoring_policy's early-label values (see the module docstring)."""

    min_age_days: int
    half_life_days: float
    min_share: float

    @classmethod
    def from_policy(cls, policy: ScoringPolicy) -> EarlyLabelRule:
        return cls(
            int(policy.early_label_min_age_days),
            float(policy.early_label_half_life_days),
            float(policy.early_label_min_share),
        )

    def describe(self, horizon_days: int) -> str:
        return (
            f"{EARLY}: cutoffs at least {self.min_age_days} days old, label = converted so far "
            f"(of {horizon_days} days), converted-so-far rows weighted 1/G (G >= "
            f"{self.min_share}), all rows x 0.5^(age/{self.half_life_days:g} days)"
        )


def applies(policy: ScoringPolicy, retrain_reason: str) -> bool:
    """True when a retrain for ``retrain_reason`` trains by the early-label rule."""
    if policy.early_label_min_age_days <= 0:
        return False
    if policy.early_label_min_age_days >= policy.horizon_days:
        return False
    kind = str(retrain_reason).split(":", 1)[0]
    return kind in set(policy.early_label_triggers)


def days_to_conversion(examples: pd.DataFrame) -> pd.Series:
    """Days from each example's cutoff to its opportunity (``opportunity_at``), NaN without."""
    if "days_to_conversion" in examples:
        return pd.to_numeric(examples["days_to_conversion"], errors="coerce")
    if "opportunity_at" not in examples:
        raise KeyError("early labels need an opportunity_at or days_to_conversion column")
    delta = pd.to_datetime(examples["opportunity_at"]) - pd.to_datetime(examples["cutoff_at"])
    return delta / pd.Timedelta(days=1)


def labels_at(
    examples: pd.DataFrame, at: pd.Timestamp, horizon_days: int, min_age_days: int
) -> pd.DataFrame:
    """The examples known at clock ``at``: cutoffs at least ``min_age_days`` old, with
    ``label`` = converted within min(horizon, at - cutoff) days, ``label_age_days`` (days of
    outcome observed, at most the horizon) and ``matured`` (a full horizon observed)."""
    cut = pd.to_datetime(examples["cutoff_at"])
    age = (pd.Timestamp(at) - cut) / pd.Timedelta(days=1)
    keep = (age >= min_age_days).to_numpy()
    frame = examples[keep].copy()
    observed = np.minimum(age[keep].to_numpy(float), float(horizon_days))
    days = days_to_conversion(frame).to_numpy(float)
    frame["label"] = ((days > 0) & (days <= observed)).astype("int64")
    frame["label_age_days"] = observed
    frame["matured"] = observed >= horizon_days
    return frame.reset_index(drop=True)


def timing_at(frame: pd.DataFrame, horizon_days: int) -> ConversionTiming:
    """G from the matured rows of :func:`labels_at`'s frame."""
    matured = frame[frame["matured"]]
    return conversion_timing(
        matured.assign(days_to_conversion=days_to_conversion(matured)), horizon_days
    )


def weights(
    frame: pd.DataFrame, at: pd.Timestamp, timing: ConversionTiming, rule: EarlyLabelRule
) -> np.ndarray:
    """Per row of :func:`labels_at`'s frame: (1 / G for a converted-so-far row that has not
    matured, else 1) x 0.5 ** (days from its cutoff to ``at`` / half-life)."""
    share = np.ones(len(frame))
    young = ~frame["matured"].to_numpy(bool)
    label_age = np.round(frame["label_age_days"].to_numpy(float))
    for a in np.unique(label_age[young]):
        rows = young & (label_age == a)
        share[rows] = timing.share(float(a), frame["lead_age_days"].to_numpy()[rows])
    share = np.clip(np.nan_to_num(share, nan=1.0), rule.min_share, 1.0)
    label = frame["label"].to_numpy(int)
    ipw = np.where((label == 1) & young, 1.0 / share, 1.0)
    days_back = (pd.Timestamp(at) - pd.to_datetime(frame["cutoff_at"])) / pd.Timedelta(days=1)
    recency = 0.5 ** (days_back.to_numpy(float) / rule.half_life_days)
    return ipw * recency


@dataclass
class _EarlyFit:
    pipeline: Any
    calibrator: Any
    rows: int
    young_rows: int
    young_positives: int


def fit_at(
    examples: pd.DataFrame,
    at: pd.Timestamp,
    base: TrainedModel,
    n_trees: int | None,
    policy: ScoringPolicy,
    rule: EarlyLabelRule,
    progress: Progress,
    what: str,
) -> _EarlyFit:
    """The early recipe at clock ``at``: the base model's kind and trees fitted on the
    weighted examples known at ``at``. The calibrator (the base model's method) is fitted
    out of sample: a first fit leaves out the newest ``calibration_fraction`` of the rows
    matured by ``at`` and the calibrator maps its log-odds there to their 90-day labels
    (unweighted); the returned model is fitted on all rows and keeps that calibrator (as
    today's recipe reuses its evaluation's calibrator)."""
    frame = labels_at(examples, at, policy.horizon_days, rule.min_age_days)
    timing = timing_at(frame, policy.horizon_days)
    w = weights(frame, at, timing, rule)
    X = prepare_features(frame, base.feature_kinds)
    y = frame["label"].to_numpy(np.int64)
    matured = frame["matured"].to_numpy(bool)
    cut = pd.to_datetime(frame["cutoff_at"])
    first, last = cut[matured].min(), cut[matured].max()
    start = first + (last - first) * (1 - policy.calibration_fraction)
    in_slice = matured & (cut >= start).to_numpy()
    if len(np.unique(y[in_slice])) < 2:
        raise ValueError(f"{what}: the matured calibration slice has only one class")
    kinds = base.feature_kinds
    before = _fit_shipped(
        base.model_kind,
        n_trees,
        X[~in_slice],
        y[~in_slice],
        kinds,
        policy,
        progress,
        what=f"{what} (calibration slice left out)",
        sample_weight=w[~in_slice],
    )
    logit = np.asarray(before.decision_function(X[in_slice]), dtype=np.float64)
    calibrator = _fit_calibrator(base.calibration_method, logit, y[in_slice])
    pipe = _fit_shipped(
        base.model_kind, n_trees, X, y, kinds, policy, progress, what=what, sample_weight=w
    )
    young = ~matured
    progress(
        f"{what}: {len(frame):,} rows known at {pd.Timestamp(at):%Y-%m-%d} "
        f"({int(young.sum()):,} not matured, {int(y[young].sum())} of them converted so far); "
        f"calibrated on {int(in_slice.sum()):,} matured rows from {start:%Y-%m-%d}"
    )
    return _EarlyFit(pipe, calibrator, len(frame), int(young.sum()), int(y[young].sum()))


def train_early(
    examples: pd.DataFrame,
    spec: FeatureSpec,
    policy: ScoringPolicy,
    as_of: pd.Timestamp,
    *,
    force_include: tuple[str, ...] | list[str] = (),
    trained_at: pd.Timestamp | None = None,
    progress: Progress | None = None,
) -> TrainedModel:
    """A challenger trained by the early-label rule (module docstring).

    ``examples``: training rows known at ``as_of``, matured or not (cutoff_at,
    lead_age_days, the features and ``opportunity_at`` or ``days_to_conversion``); a
    ``label`` column is recomputed from them.
    """
    progress = progress or Progress("training")
    rule = EarlyLabelRule.from_policy(policy)
    if not 0 < rule.min_age_days < policy.horizon_days:
        raise ValueError(
            f"early_label_min_age_days must be between 0 and the horizon ({policy.horizon_days}"
            f" days), not {rule.min_age_days}"
        )
    as_of = pd.Timestamp(as_of)
    known = labels_at(examples, as_of, policy.horizon_days, rule.min_age_days)
    matured = known[known["matured"]].drop(columns=["label_age_days", "matured"])
    progress(
        f"early labels: {len(matured):,} matured examples, {int((~known['matured']).sum()):,} "
        f"partly matured (at least {rule.min_age_days} days old)"
    )
    # today's recipe on the matured examples: kind, trees, calibration method, leak checks,
    # the time split and its holdout
    base = train_and_evaluate(
        matured.drop(columns=["opportunity_at", "days_to_conversion"], errors="ignore"),
        spec,
        policy,
        force_include=force_include,
        trained_at=trained_at if trained_at is not None else as_of,
        progress=progress,
    )
    if base.data_window.get("holdout_start") is None:
        raise ValueError("the early-label rule needs dated examples (a time holdout)")
    n_trees = int(base.metrics["trees"]) if "trees" in base.metrics else None
    holdout_start = pd.Timestamp(base.data_window["holdout_start"])
    with thread_limit(policy):
        # the evaluation: the same recipe at the start of the matured holdout, so it has seen
        # no outcome after that clock; the matured holdout rows are scored by it
        ev = fit_at(examples, holdout_start, base, n_trees, policy, rule, progress, "early eval")
        hold = matured[pd.to_datetime(matured["cutoff_at"]) >= holdout_start]
        X_hold = prepare_features(hold, base.feature_kinds)
        hold_logit = np.asarray(ev.pipeline.decision_function(X_hold), dtype=np.float64)
        p_hold = apply_calibrator(ev.calibrator, base.calibration_method, hold_logit)
        y_hold = hold["label"].to_numpy(np.int64)
        metrics = m.summary(y_hold, p_hold)
        progress(
            f"early eval: holdout ROC-AUC {metrics['roc_auc']:.4f} (today's recipe "
            f"{base.metrics['roc_auc']:.4f}), ECE {metrics['ece']:.4f} on {len(hold):,} "
            "matured rows"
        )
        shipped = fit_at(examples, as_of, base, n_trees, policy, rule, progress, "early shipped")
        X_all = prepare_features(known, base.feature_kinds)
        explainer = explainer_for(
            shipped.pipeline, base.features, base.feature_kinds, base.baselines
        )
        groups = {f: spec[f].group for f in base.features}
        fit_idx, eng_idx = part_indices(base.features, groups, policy)
        fit_ref, eng_ref = _part_references(explainer, X_all, fit_idx, eng_idx, policy)
        reference_logit = (
            explainer.reference_logit
            if explainer is not None
            else float(
                shipped.pipeline.decision_function(
                    prepare_features(
                        pd.DataFrame([base.baselines], columns=base.features), base.feature_kinds
                    )
                )[0]
            )
        )
    base_metrics = {f"matured_rule_{k}": v for k, v in base.metrics.items() if k in m_keys()}
    metrics.update(
        {
            **{k: v for k, v in base.metrics.items() if k not in metrics},
            **base_metrics,
            "label_rule": EARLY,
            "outcomes_known_until": holdout_start.isoformat(),
            "early_min_age_days": float(rule.min_age_days),
            "early_half_life_days": float(rule.half_life_days),
            "early_rows": float(shipped.rows),
            "early_partly_matured_rows": float(shipped.young_rows),
            "early_partly_matured_conversions": float(shipped.young_positives),
        }
    )
    holdout = pd.DataFrame(
        {
            "lead_id": hold["lead_id"].to_numpy() if "lead_id" in hold else None,
            "cutoff_at": pd.to_datetime(hold["cutoff_at"]).to_numpy(),
            "label": y_hold,
            "probability": p_hold,
            "grade": None,
        }
    )
    fingerprint = _fingerprint(
        known.assign(_rule=rule.describe(policy.horizon_days)),
        [*base.features, "label", "label_age_days", "_rule"],
    )
    when = base.trained_at
    version = f"{when:%Y%m%dT%H%M%S}-{base.model_kind[:3]}-{fingerprint[:8]}-{base.spec_hash[:6]}"
    progress(f"trained {version} ({EARLY})")
    return replace(
        base,
        pipeline=shipped.pipeline,
        calibrator=shipped.calibrator,
        score_reference=_reference(hold_logit),
        reference_logit=float(reference_logit),
        fit_reference=fit_ref,
        engagement_reference=eng_ref,
        positive_rate=float(matured["label"].mean()),
        metrics=metrics,
        calibration_table=m.calibration_by_decile(y_hold, p_hold),
        gains_table=m.cumulative_gains(y_hold, p_hold),
        validation_scheme=(
            f"{rule.describe(policy.horizon_days)}; evaluation = the same rule run at the "
            f"matured holdout's start {holdout_start:%Y-%m-%d} (labels cut there), scored on "
            f"the {len(hold):,} matured holdout rows; kind, trees, calibration method, leak "
            f"checks and grade table from today's recipe on the matured examples: "
            f"{base.validation_scheme}"
        ),
        version=version,
        data_fingerprint=fingerprint,
        holdout_predictions=holdout,
    )


def m_keys() -> tuple[str, ...]:
    """The headline metrics also kept for today's recipe (matured_rule_<key>)."""
    return ("roc_auc", "pr_auc", "brier", "ece", "lift_top_decile")
