"""Score open leads with a trained model (or the rules fallback) into lead_scores columns."""

from __future__ import annotations

import numpy as np
import pandas as pd

from leadscore.ml.grades import grades, part_sums, percentile_among, to_0_100, to_int_score
from leadscore.ml.metrics import population_stability_index
from leadscore.ml.output import finalize_frame, usable_mask
from leadscore.ml.policy import FeatureSpec, ScoringPolicy
from leadscore.ml.reasons import empty_reasons, occlusion_contributions, select_reasons
from leadscore.ml.rules import score_with_rules
from leadscore.ml.runtime import Progress
from leadscore.ml.train import (
    TrainedModel,
    contributions_in_batches,
    explainer_for,
    thread_limit,
)


def _positions(model: TrainedModel, names: list[str]) -> np.ndarray:
    where = {f: i for i, f in enumerate(model.features)}
    return np.asarray([where[f] for f in names if f in where], dtype=np.intp)


def _explain(
    model: TrainedModel,
    prepared: pd.DataFrame,
    spec: FeatureSpec,
    policy: ScoringPolicy,
    with_reasons: bool,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, pd.DataFrame | None]:
    """Log-odds, fit part, engagement part and (optionally) reasons, batch by batch.

    One pass per batch: the contributions that word the reasons are the ones the fit and
    engagement parts (and so the grade) add up.
    """
    n = len(prepared)
    batch = max(1, policy.reason_batch_size)
    explainer = explainer_for(model.pipeline, model.features, model.feature_kinds, model.baselines)
    fit_idx = _positions(model, model.fit_features)
    eng_idx = _positions(model, model.engagement_features)
    defs = [spec[f] for f in model.features]
    words = (policy.reason_word_raises, policy.reason_word_lowers)
    logit = np.empty(n)
    fit = np.empty(n)
    eng = np.empty(n)
    parts: list[pd.DataFrame] = []
    progress = Progress("scoring", enabled=n > 5 * batch)
    for start in range(0, n, batch):
        chunk = prepared.iloc[start : start + batch]
        stop = start + len(chunk)
        if explainer is not None:
            logit[start:stop], contrib = contributions_in_batches(explainer, chunk, batch)
        else:  # unknown pipeline layout: slower occlusion (does not sum to the log-odds)
            logit[start:stop] = model.logit(chunk)
            contrib = occlusion_contributions(
                model.logit, chunk, model.features, model.baselines, batch_size=batch
            )
        fit[start:stop], eng[start:stop] = part_sums(contrib, fit_idx, eng_idx)
        if with_reasons:
            parts.append(select_reasons(contrib, chunk[model.features], defs, words=words))
        progress(f"{stop:,}/{n:,} leads")
    reasons = None
    if with_reasons:
        reasons = pd.concat(parts) if parts else empty_reasons(0)
    return logit, fit, eng, reasons


def score_leads(
    model: TrainedModel,
    features: pd.DataFrame,
    spec: FeatureSpec,
    policy: ScoringPolicy,
    scored_at: pd.Timestamp | None = None,
    *,
    lead_col: str = "lead_id",
    with_reasons: bool = True,
) -> pd.DataFrame:
    """Score every row of ``features`` (one per open lead, current feature values).

    Returns ``lead_col`` + SCORE_COLUMNS. ``score`` is the lead's position (0-100) in the
    training-time distribution of the model's log-odds; ``fit_score`` and
    ``engagement_score`` are the positions of the fit and engagement *parts* of those
    log-odds (the sums of the lead's contributions from each feature group) in their
    training distributions, and the grade applies the policy cut-offs to them, so grade and
    score come from the same model. ``percentile`` is the rank among this run's leads.
    Leads with no usable feature at all get ``insufficient_data`` and nulls.
    """
    missing = [f for f in model.features if f not in features.columns]
    if missing:
        raise KeyError(
            f"model {model.version} needs feature columns missing from the scoring input: {missing}"
        )
    prepared = model.prepare(features)
    has_data = usable_mask(prepared)
    with thread_limit(policy):
        logit, fit_part, eng_part, reasons = _explain(model, prepared, spec, policy, with_reasons)
    prob = model.calibrate(logit)
    score = to_0_100(logit, model.score_reference)
    fit = (
        to_0_100(fit_part, model.fit_reference)
        if model.fit_reference is not None
        else np.full(len(prepared), np.nan)
    )
    eng = (
        to_0_100(eng_part, model.engagement_reference)
        if model.engagement_reference is not None
        else np.full(len(prepared), np.nan)
    )
    nan = np.nan
    out = pd.DataFrame(
        {
            lead_col: features[lead_col].to_numpy() if lead_col in features else features.index,
            "conversion_probability": np.where(has_data, prob, nan),
            "score": to_int_score(np.where(has_data, score, nan)),
            "percentile": percentile_among(np.where(has_data, prob, nan)),
            "fit_score": to_int_score(np.where(has_data, fit, nan)),
            "engagement_score": to_int_score(np.where(has_data, eng, nan)),
            "grade": grades(
                np.where(has_data, np.where(np.isnan(fit), score, fit).round(), nan),
                np.where(has_data, np.where(np.isnan(eng), score, eng).round(), nan),
                policy,
            ),
        }
    )
    if reasons is not None:
        for col in reasons.columns:
            out[col] = reasons[col].to_numpy()
    out["score_status"] = "scored"
    return finalize_frame(out, model.version, scored_at, lead_col, has_data)


def score_open_leads(
    features: pd.DataFrame,
    spec: FeatureSpec,
    policy: ScoringPolicy,
    model: TrainedModel | None = None,
    scored_at: pd.Timestamp | None = None,
    *,
    lead_col: str = "lead_id",
    prior: float | None = None,
) -> pd.DataFrame:
    """One entry point for the dbt model: the champion when there is one, else the rules."""
    if model is None:
        return score_with_rules(features, spec, policy, scored_at, lead_col=lead_col, prior=prior)
    return score_leads(model, features, spec, policy, scored_at, lead_col=lead_col)


def score_drift(scores: pd.DataFrame) -> float:
    """PSI of this run's scores against the training-time distribution.

    ``score`` is each lead's position (0-100) in the training-time distribution of the model's
    output, so a population like the training one gives uniform scores; PSI measures how far
    this run is from uniform (> 0.25: the population has moved, investigate or retrain).
    ``scores`` is the output of :func:`score_leads`; only ``scored`` rows count.
    """
    scored = scores.loc[scores["score_status"] == "scored", "score"].astype(float)
    expected = np.linspace(0.0, 100.0, num=1001)
    return population_stability_index(expected, scored.to_numpy(dtype=float))


def feature_importance(
    model: TrainedModel, features: pd.DataFrame, *, sample: int = 5000, seed: int = 0
) -> pd.DataFrame:
    """Mean |contribution| per feature over a sample of rows (the reasons' contributions,
    averaged): what moves scores most in this population. ``mean_signed`` tells the usual
    direction."""
    frame = features if len(features) <= sample else features.sample(sample, random_state=seed)
    prepared = model.prepare(frame)
    explainer = explainer_for(model.pipeline, model.features, model.feature_kinds, model.baselines)
    if explainer is not None:
        _, contrib = explainer.explain(prepared)
    else:
        contrib = occlusion_contributions(model.logit, prepared, model.features, model.baselines)
    contrib = np.asarray(contrib, dtype=np.float64)
    out = pd.DataFrame(
        {
            "feature": model.features,
            "importance": np.abs(contrib).mean(axis=0) if len(contrib) else 0.0,
            "mean_signed": contrib.mean(axis=0) if len(contrib) else 0.0,
        }
    )
    return out.sort_values(["importance", "feature"], ascending=[False, True]).reset_index(
        drop=True
    )
