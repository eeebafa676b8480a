"""Score open leads with a trained model (or the rules fallback) into lead_scores columns."""

from __future__ import annotations

import numpy as np
import pandas as pd

from leadscore.ml.grades import grades, percentile_among, to_0_100, to_int_score
from leadscore.ml.metrics import population_stability_index
from leadscore.ml.policy import FeatureSpec, ScoringPolicy
from leadscore.ml.reasons import EncodedExplainer, occlusion_contributions, top_reasons
from leadscore.ml.train import TrainedModel, thread_limit

SCORE_COLUMNS = [
    "conversion_probability",
    "score",
    "percentile",
    "fit_score",
    "engagement_score",
    "grade",
    "reason_1",
    "reason_2",
    "reason_3",
    "score_status",
    "model_version",
    "scored_at",
]


def usable_mask(prepared: pd.DataFrame) -> np.ndarray:
    """True for leads with at least one non-missing usable feature."""
    if prepared.shape[1] == 0:
        return np.zeros(len(prepared), dtype=bool)
    return prepared.notna().any(axis=1).to_numpy()


def _now() -> pd.Timestamp:
    return pd.Timestamp.now(tz="UTC").tz_localize(None).floor("s")


def finalize_frame(
    out: pd.DataFrame,
    version: str,
    scored_at: pd.Timestamp | None,
    lead_col: str,
    has_data: np.ndarray,
) -> pd.DataFrame:
    """Blank the rows with no usable data, add version/timestamp, fix column order."""
    out.loc[~has_data, ["reason_1", "reason_2", "reason_3"]] = None
    out.loc[~has_data, "score_status"] = "insufficient_data"
    out["model_version"] = version
    out["scored_at"] = pd.Timestamp(scored_at) if scored_at is not None else _now()
    # pandas' string dtype: missing values are real NA, which DuckDB reads as NULL varchar
    for col in ("grade", "reason_1", "reason_2", "reason_3", "score_status", "model_version"):
        out[col] = out[col].astype("str")
    return out[[lead_col, *SCORE_COLUMNS]].reset_index(drop=True)


def _sub_score(model: TrainedModel, prepared: pd.DataFrame, which: str) -> np.ndarray:
    pipe = model.fit_model if which == "fit" else model.engagement_model
    ref = model.fit_reference if which == "fit" else model.engagement_reference
    cols = model.fit_features if which == "fit" else model.engagement_features
    if pipe is None or ref is None:
        return np.full(len(prepared), np.nan)
    return to_0_100(pipe.predict_proba(prepared[cols])[:, 1], ref)


def _logit_and_reasons(
    model: TrainedModel, prepared: pd.DataFrame, spec: FeatureSpec, batch: int, with_reasons: bool
) -> tuple[np.ndarray, pd.DataFrame | None]:
    """Logit per lead and, if wanted, reason_1..3, batch by batch (bounded memory)."""
    n = len(prepared)
    logit = np.empty(n)
    if not with_reasons:
        for start in range(0, n, batch):
            logit[start : start + batch] = model.logit(prepared.iloc[start : start + batch])
        return logit, None
    defs = [spec[f] for f in model.features]
    baseline = model.prepare(pd.DataFrame([model.baselines], columns=model.features))
    explainer = EncodedExplainer.create(model.pipeline, baseline, model.features)
    parts: list[pd.DataFrame] = []
    for start in range(0, n, batch):
        chunk = prepared.iloc[start : start + batch]
        if explainer is not None:
            logit[start : start + batch], contrib = explainer.explain(chunk)
        else:  # unknown pipeline layout: slower raw-feature occlusion
            logit[start : start + batch] = model.logit(chunk)
            contrib = occlusion_contributions(
                model.logit, chunk, model.features, model.baselines, batch_size=batch
            )
        parts.append(top_reasons(contrib, chunk[model.features], defs))
    reasons = pd.concat(parts) if parts else top_reasons(np.zeros((0, 0)), prepared, [])
    return logit, reasons


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

    Returns ``lead_col`` + SCORE_COLUMNS. ``score`` and the sub-scores are the lead's position
    (0-100) in the training-time distribution of the same output; ``percentile`` is the rank
    among this run's scored leads. When a model has no fit (or engagement) features, that part
    of the grade uses ``score`` instead. Leads with no usable feature at all get
    ``insufficient_data`` and nulls.
    """
    missing = [f for f in model.features if f not in features.columns]
    if missing:
        raise KeyError(
            f"model {model.version} needs feature columns missing from the scoring input: {missing}"
        )
    prepared = model.prepare(features)
    has_data = usable_mask(prepared)
    batch = max(1, policy.reason_batch_size)
    with thread_limit(policy):
        logit, reasons = _logit_and_reasons(model, prepared, spec, batch, with_reasons)
        fit = _sub_score(model, prepared, "fit")
        eng = _sub_score(model, prepared, "engagement")
    prob = model.calibrate(logit)
    score = to_0_100(logit, model.score_reference)
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
    else:
        for col in ("reason_1", "reason_2", "reason_3"):
            out[col] = None
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
        from leadscore.ml.rules import score_with_rules

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
    """Mean |change in logit| when each feature is set to its baseline, over a sample of rows.

    The same occlusion the per-lead reasons use, averaged: what moves scores most in this
    population. ``mean_signed`` tells the usual direction.
    """
    frame = features if len(features) <= sample else features.sample(sample, random_state=seed)
    prepared = model.prepare(frame)
    baseline = model.prepare(pd.DataFrame([model.baselines], columns=model.features))
    explainer = EncodedExplainer.create(model.pipeline, baseline, model.features)
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
