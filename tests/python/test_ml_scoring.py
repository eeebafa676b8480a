"""Scoring output: columns, grades from policy cut-offs, signed reasons, insufficient data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from threadpoolctl import threadpool_limits

from leadscore.ml import (
    SCORE_COLUMNS,
    FeatureSpec,
    ScoringPolicy,
    TrainedModel,
    evaluate_model,
    score_drift,
    score_leads,
    train_and_evaluate,
)
from leadscore.ml.features import hgb_pipeline, logistic_pipeline, prepare_features
from leadscore.ml.grades import grades
from leadscore.ml.reasons import EncodedExplainer, occlusion_contributions

CATALOG = pd.DataFrame(
    {
        "feature": ["strong_signal", "size", "segment", "visits", "noise"],
        "kind": ["numeric", "numeric", "categorical", "numeric", "numeric"],
        "group": ["engagement", "fit", "fit", "engagement", "other"],
        "availability": ["pre_contact"] * 5,
        "reason_phrase_positive": [
            "Strong signal high ({value})",
            "Large company ({value})",
            "Segment {value}",
            "Visited {value}x in last 30 days",
            "Noise {value}",
        ],
        "reason_phrase_negative": [
            "Strong signal low ({value})",
            "Small company ({value})",
            "Segment {value}",
            "Few visits ({value})",
            "Noise {value}",
        ],
    }
)


def _data(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    strong = rng.normal(0, 1, n)
    size = rng.lognormal(4, 1, n).round()
    segment = rng.choice(["smb", "mid", "ent"], n, p=[0.5, 0.3, 0.2])
    visits = rng.poisson(2, n).astype(float)
    noise = rng.normal(0, 1, n)
    logit = (
        -1.5
        + 1.6 * strong
        + 0.3 * (np.log(size) - 4)
        + np.select([segment == "ent", segment == "mid"], [0.5, 0.2], 0.0)
        + 0.15 * visits
    )
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    start = pd.Timestamp("2023-01-01")
    return pd.DataFrame(
        {
            "lead_id": [f"L{i}" for i in range(n)],
            "cutoff_at": start + pd.to_timedelta(rng.uniform(0, 500, n), unit="D"),
            "strong_signal": strong,
            "size": size,
            "segment": segment,
            "visits": visits,
            "noise": noise,
            "label": y,
        }
    )


@pytest.fixture(scope="module")
def spec() -> FeatureSpec:
    return FeatureSpec.from_frame(CATALOG)


@pytest.fixture(scope="module")
def policy() -> ScoringPolicy:
    return ScoringPolicy.from_mapping(
        {
            "grade_fit_a": 90,
            "grade_fit_b": 60,
            "grade_fit_c": 30,
            "grade_engagement_1": 80,
            "grade_engagement_2": 40,
            "grade_engagement_3": 10,
            "max_threads": 1,  # runs beside other suites; avoids OpenMP oversubscription
        }
    )


@pytest.fixture(scope="module")
def trained(spec: FeatureSpec, policy: ScoringPolicy) -> TrainedModel:
    return train_and_evaluate(_data(12_000, 0), spec, policy)


@pytest.fixture(scope="module")
def scored(
    trained: TrainedModel, spec: FeatureSpec, policy: ScoringPolicy
) -> tuple[pd.DataFrame, pd.DataFrame]:
    leads = _data(4000, 1).drop(columns=["label", "cutoff_at"])
    return leads, score_leads(trained, leads, spec, policy, pd.Timestamp("2024-07-01"))


def test_drift_and_evaluation_helpers(
    trained: TrainedModel, spec: FeatureSpec, policy: ScoringPolicy
) -> None:
    same = _data(4000, 5)
    assert score_drift(score_leads(trained, same, spec, policy, with_reasons=False)) < 0.1
    shifted = same.assign(strong_signal=same["strong_signal"] + 1.5)
    out = score_leads(trained, shifted, spec, policy, with_reasons=False)
    assert score_drift(out) > 0.25
    metrics = evaluate_model(trained, same)
    assert metrics["roc_auc"] > 0.75 and metrics["n"] == 4000


def test_output_columns_and_ranges(scored: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    leads, out = scored
    assert list(out.columns) == ["lead_id", *SCORE_COLUMNS]
    assert len(out) == len(leads)
    assert (out["score_status"] == "scored").all()
    assert out["conversion_probability"].between(0, 1).all()
    for col in ("score", "fit_score", "engagement_score"):
        assert out[col].between(0, 100).all()
        assert str(out[col].dtype) == "Int64"
    assert out["percentile"].between(0, 100).all()
    # score is rank-preserving in probability
    ordered = out.sort_values("conversion_probability")
    assert ordered["score"].is_monotonic_increasing
    assert out["score"].std() > 15  # spread over the scale, not bunched near zero


def test_grade_cut_offs_follow_policy(
    scored: tuple[pd.DataFrame, pd.DataFrame], policy: ScoringPolicy
) -> None:
    _, out = scored
    fit = out["fit_score"].to_numpy(dtype=float)
    eng = out["engagement_score"].to_numpy(dtype=float)
    letters = np.select([fit >= 90, fit >= 60, fit >= 30], ["A", "B", "C"], "D")
    digits = np.select([eng >= 80, eng >= 40, eng >= 10], ["1", "2", "3"], "4")
    assert list(out["grade"]) == [a + b for a, b in zip(letters, digits, strict=True)]
    assert list(
        grades(np.array([90, 89.9, 60, 30, 29]), np.array([80, 79, 40, 10, 9]), policy)
    ) == ["A1", "B2", "B2", "C3", "D4"]


def test_reasons_are_signed_and_name_the_top_contributor(
    scored: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    leads, out = scored
    high = leads["strong_signal"] > leads["strong_signal"].quantile(0.99)
    low = leads["strong_signal"] < leads["strong_signal"].quantile(0.01)
    assert out.loc[high, "reason_1"].str.startswith("+ Strong signal high").all()
    assert out.loc[low, "reason_1"].str.startswith("- Strong signal low").all()
    sample = out.loc[high, "reason_1"].iloc[0]
    value = leads.loc[high, "strong_signal"].iloc[0]
    assert f"{value:.1f}" in sample
    filled = out[["reason_1", "reason_2", "reason_3"]].stack().dropna()
    assert filled.str.match(r"^[+-] ").all()


def test_sub_scores_use_their_own_groups(scored: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    leads, out = scored
    fit_corr = np.corrcoef(np.log(leads["size"]), out["fit_score"].astype(float))[0, 1]
    eng_corr = np.corrcoef(leads["strong_signal"], out["engagement_score"].astype(float))[0, 1]
    assert fit_corr > 0.5
    assert eng_corr > 0.8
    assert abs(np.corrcoef(leads["strong_signal"], out["fit_score"].astype(float))[0, 1]) < 0.1


def test_leads_without_any_data_are_insufficient(
    trained: TrainedModel, spec: FeatureSpec, policy: ScoringPolicy
) -> None:
    model = trained
    leads = _data(5, 3).drop(columns=["label"])
    leads.loc[0, ["strong_signal", "size", "segment", "visits", "noise"]] = np.nan
    out = score_leads(model, leads, spec, policy)
    assert out.loc[0, "score_status"] == "insufficient_data"
    assert pd.isna(out.loc[0, "score"]) and pd.isna(out.loc[0, "reason_1"])
    assert (out.loc[1:, "score_status"] == "scored").all()


@pytest.mark.parametrize("kind", ["logistic", "hgb"])
def test_fast_explainer_equals_raw_occlusion(kind: str, spec: FeatureSpec) -> None:
    frame = _data(1500, 4)
    features = ["strong_signal", "size", "segment", "visits", "noise"]
    kinds = spec.kinds(features)
    prepared = prepare_features(frame, kinds)
    prepared.loc[::7, "size"] = np.nan  # exercise missing-indicators
    common = {"min_frequency": 5, "max_categories": 10, "seed": 0}
    if kind == "logistic":
        pipe = logistic_pipeline(kinds, c=1.0, **common)
    else:
        pipe = hgb_pipeline(
            kinds,
            learning_rate=0.1,
            max_iter=25,
            max_leaf_nodes=15,
            min_samples_leaf=20,
            l2_regularization=0.0,
            **common,
        )
    with threadpool_limits(1):
        pipe.fit(prepared, frame["label"])
    baselines = {"strong_signal": 0.0, "size": 50.0, "segment": "smb", "visits": 2.0, "noise": 0.0}
    base_frame = prepare_features(pd.DataFrame([baselines]), kinds)
    explainer = EncodedExplainer.create(pipe, base_frame, features)
    assert explainer is not None
    with threadpool_limits(1):
        logit, fast = explainer.explain(prepared)
        slow = occlusion_contributions(
            pipe.decision_function, prepared, features, baselines, batch_size=1000
        )
    np.testing.assert_allclose(logit, pipe.decision_function(prepared), rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(fast, slow, rtol=1e-7, atol=1e-7)
