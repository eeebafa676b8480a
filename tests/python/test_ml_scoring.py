"""Scoring output: columns, grades from policy cut-offs, reasons as words and data,
insufficient data, and exact one-pass contributions."""

from __future__ import annotations

import math

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
from leadscore.ml.contributions import PipelineContributions
from leadscore.ml.features import (
    hgb_pipeline,
    logistic_pipeline,
    output_columns_by_feature,
    prepare_features,
)
from leadscore.ml.grades import grades, percentile_among
from leadscore.ml.reasons import occlusion_contributions

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
        # by construction the one strong driver of this synthetic label: reviewed, so the
        # leak guard's lift-share rule accepts it
        "reviewed": [True, False, False, False, False],
        "review_reason": ["the generator's main signal, known before contact", "", "", "", ""],
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


def test_reasons_are_words_with_their_data_and_name_the_top_contributor(
    scored: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    leads, out = scored
    high = leads["strong_signal"] > leads["strong_signal"].quantile(0.99)
    low = leads["strong_signal"] < leads["strong_signal"].quantile(0.01)
    assert out.loc[high, "reason_1"].str.startswith("Raises: Strong signal high").all()
    assert (out.loc[high, "reason_1_feature"] == "strong_signal").all()
    assert (out.loc[high, "reason_1_direction"] == "raises").all()
    assert (out.loc[high, "reason_1_contribution"] > 0).all()
    # the strongest raising reason comes first, so a low lead's strong negative is 1st only
    # when nothing raises its score; it is always among its reasons
    low_rows = out.loc[low]
    texts = low_rows[["reason_1", "reason_2", "reason_3"]].fillna("").agg(" | ".join, axis=1)
    assert texts.str.contains("Lowers: Strong signal low").all()
    sample = out.loc[high, "reason_1"].iloc[0]
    value = leads.loc[high, "strong_signal"].iloc[0]
    assert f"{value:.1f}" in sample
    for k in (1, 2, 3):
        filled = out[f"reason_{k}"].dropna()
        assert filled.str.match(r"^(Raises|Lowers): [A-Z]").all()
        assert not filled.str.match(r"^[+-]").any()
        has = out[f"reason_{k}"].notna()
        direction = out.loc[has, f"reason_{k}_direction"]
        contribution = out.loc[has, f"reason_{k}_contribution"]
        assert ((direction == "raises") == (contribution > 0)).all()
        assert (out.loc[has, f"reason_{k}"].str.startswith("Raises") == (contribution > 0)).all()
    # a raising reason is first whenever the lead has one among its three
    raising = out[[f"reason_{k}_direction" for k in (1, 2, 3)]].eq("raises")
    assert (out.loc[raising.any(axis=1), "reason_1_direction"] == "raises").all()


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


def _small_pipeline(kind: str, kinds: dict[str, str], **hgb: float) -> object:
    common = {"min_frequency": 5, "max_categories": 10, "seed": 0}
    if kind == "logistic":
        return logistic_pipeline(kinds, c=1.0, **common)
    return hgb_pipeline(
        kinds,
        learning_rate=float(hgb.get("learning_rate", 0.1)),
        max_iter=int(hgb.get("max_iter", 25)),
        max_leaf_nodes=int(hgb.get("max_leaf_nodes", 15)),
        min_samples_leaf=20,
        l2_regularization=0.0,
        **common,
    )


BASELINES = {"strong_signal": 0.0, "size": 50.0, "segment": "smb", "visits": 2.0, "noise": 0.0}
FEATURES = ["strong_signal", "size", "segment", "visits", "noise"]


def _fitted(kind: str, spec: FeatureSpec, **hgb: float) -> tuple[object, pd.DataFrame, dict]:
    frame = _data(1500, 4)
    kinds = spec.kinds(FEATURES)
    prepared = prepare_features(frame, kinds)
    prepared.loc[::7, "size"] = np.nan  # exercise missing values and indicators
    prepared.loc[::11, "segment"] = np.nan
    pipe = _small_pipeline(kind, kinds, **hgb)
    with threadpool_limits(1):
        pipe.fit(prepared, frame["label"])
    return pipe, prepared, kinds


@pytest.mark.parametrize("kind", ["logistic", "hgb"])
def test_contributions_sum_to_the_log_odds_minus_the_typical_lead(
    kind: str, spec: FeatureSpec
) -> None:
    pipe, prepared, kinds = _fitted(kind, spec)
    reference = prepare_features(pd.DataFrame([BASELINES]), kinds)
    explainer = PipelineContributions.create(pipe, reference, FEATURES)
    assert explainer is not None
    with threadpool_limits(1):
        logit, phi = explainer.explain(prepared)
        np.testing.assert_allclose(logit, pipe.decision_function(prepared), atol=1e-9)
        assert explainer.reference_logit == pytest.approx(pipe.decision_function(reference)[0])
    np.testing.assert_allclose(phi.sum(axis=1), logit - explainer.reference_logit, atol=1e-9)


def test_tree_contributions_are_the_exact_baseline_shapley_values(spec: FeatureSpec) -> None:
    """Against brute force over all 2^5 coalitions: v(S) = f(x on S, typical lead elsewhere)."""
    pipe, prepared, kinds = _fitted("hgb", spec, max_iter=15)
    reference = prepare_features(pd.DataFrame([BASELINES]), kinds)
    explainer = PipelineContributions.create(pipe, reference, FEATURES)
    assert explainer is not None
    rows = prepared.iloc[:12].reset_index(drop=True)
    _, phi = explainer.explain(rows)
    m = len(FEATURES)
    hybrids = []
    for i in range(len(rows)):
        for mask in range(1 << m):
            hybrid = reference.copy()
            for j, name in enumerate(FEATURES):
                if mask >> j & 1:
                    hybrid[name] = rows[name].iloc[i]
            hybrids.append(hybrid)
    with threadpool_limits(1):
        v = pipe.decision_function(pd.concat(hybrids, ignore_index=True)).reshape(len(rows), -1)
    expected = np.zeros_like(phi)
    for j in range(m):
        for mask in range(1 << m):
            if mask >> j & 1:
                continue
            size = bin(mask).count("1")
            weight = math.factorial(size) * math.factorial(m - size - 1) / math.factorial(m)
            expected[:, j] += weight * (v[:, mask | (1 << j)] - v[:, mask])
    np.testing.assert_allclose(phi, expected, atol=1e-9)


def test_packed_decision_codes_and_grouped_decision_rows_give_the_same_contributions(
    spec: FeatureSpec, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Trees up to 62 splits pack each row's split decisions into one integer (grouped by
    counting up to 20 splits, by sorting above); bigger ones group the rows x splits matrix
    with np.unique. All paths give the same figures; the code is the decision matrix's bits."""
    from leadscore.ml import contributions

    pipe, prepared, kinds = _fitted("hgb", spec, max_iter=15)
    reference = prepare_features(pd.DataFrame([BASELINES]), kinds)
    explainer = PipelineContributions.create(pipe, reference, FEATURES)
    assert explainer is not None
    hgb = explainer.explainer
    assert isinstance(hgb, contributions.HGBContributions)
    encoded = np.asarray(explainer.prep.transform(prepared), dtype=np.float64)
    X = np.asfortranarray(hgb._to_internal(encoded))
    batch = contributions._Batch(X)
    for tree, nodes, raw in hgb.trees:
        decisions = contributions._x_goes_left(
            nodes, tree, batch, raw, hgb.known_bitsets, hgb.f_idx_map
        )
        code = contributions._x_codes(tree, batch, raw, hgb.known_bitsets, hgb.f_idx_map)
        weights = 1 << np.arange(decisions.shape[1], dtype=np.int64)
        np.testing.assert_array_equal(code, decisions.astype(np.int64) @ weights)
    counted = hgb.explain_grouped(encoded)
    monkeypatch.setattr(contributions, "MAX_DENSE_SPLITS", 0)
    sorted_codes = hgb.explain_grouped(encoded)
    monkeypatch.setattr(contributions, "MAX_CODE_SPLITS", 0)
    grouped = hgb.explain_grouped(encoded)
    np.testing.assert_allclose(counted, grouped, atol=1e-12)
    np.testing.assert_allclose(sorted_codes, grouped, atol=1e-12)


@pytest.mark.parametrize("memo_splits", [16, 0])
def test_compiled_walk_equals_the_grouped_closed_form(
    spec: FeatureSpec, monkeypatch: pytest.MonkeyPatch, memo_splits: int
) -> None:
    """The compiled walk over pattern tables gives the closed form's figures bit for bit
    (so scores and percentile ties do not move) on a model with a categorical feature,
    missing numbers and categories, unseen and negative category codes, and a batch split in
    two (the second reuses and extends the first's tables); with trees above MEMO_SPLITS the
    model falls back to the closed form itself."""
    from leadscore.ml import contributions, treewalk

    monkeypatch.setattr(treewalk, "MEMO_SPLITS", memo_splits)
    pipe, prepared, kinds = _fitted("hgb", spec, max_iter=40, max_leaf_nodes=15)
    reference = prepare_features(pd.DataFrame([BASELINES]), kinds)
    explainer = PipelineContributions.create(pipe, reference, FEATURES)
    assert explainer is not None
    hgb = explainer.explainer
    assert isinstance(hgb, contributions.HGBContributions)
    assert hgb.forest.luts.shape[0] > 0, "the model should split on the category"
    assert hgb.memo.complete == (memo_splits > 0)
    encoded = np.asarray(explainer.prep.transform(prepared), dtype=np.float64)
    columns = output_columns_by_feature(explainer.prep[-1])
    assert columns is not None
    encoded[::13, columns["segment"][0]] = 7.0  # a code the trees never saw
    encoded[::17, columns["segment"][0]] = -1.0
    encoded[::5, columns["strong_signal"][0]] = np.nan
    expected = hgb.explain_grouped(encoded)
    half = len(encoded) // 2
    walked = np.vstack([hgb.explain(encoded[:half]), hgb.explain(encoded[half:])])
    np.testing.assert_allclose(walked, expected, rtol=0, atol=1e-9)
    # the tables add each tree's leaves in the closed form's order: bit for bit
    np.testing.assert_array_equal(walked, expected)
    with threadpool_limits(1):
        logit = pipe[-1].decision_function(encoded)
    np.testing.assert_allclose(walked.sum(axis=1), logit - hgb.reference_logit, atol=1e-9)


def test_contributions_equal_occlusion_for_an_additive_model(spec: FeatureSpec) -> None:
    """Stumps (one split per tree) make the model additive in its features: there the old
    occlusion figure logit(x) - logit(x with feature := baseline) and the Shapley value
    agree exactly, so the top reasons are the same."""
    pipe, prepared, kinds = _fitted("hgb", spec, max_leaf_nodes=2, max_iter=60)
    reference = prepare_features(pd.DataFrame([BASELINES]), kinds)
    explainer = PipelineContributions.create(pipe, reference, FEATURES)
    assert explainer is not None
    with threadpool_limits(1):
        _, phi = explainer.explain(prepared)
        occlusion = occlusion_contributions(
            pipe.decision_function, prepared, FEATURES, BASELINES, batch_size=500
        )
    np.testing.assert_allclose(phi, occlusion, atol=1e-9)


def test_top_reason_matches_occlusion_unless_an_interaction_decides_it() -> None:
    """On a 15-leaf boosted model of data with an interaction (title x pricing visits),
    occlusion credits a joint effect in full to *each* feature of the interaction; Shapley
    splits it. The top feature agrees on most leads; where the two differ, only the Shapley
    figures add up to the lead's log-odds."""
    from leadscore.ml.synthetic import make_examples, synthetic_catalog

    synthetic = FeatureSpec.from_frame(synthetic_catalog())
    features = synthetic.pre_contact()
    kinds = synthetic.kinds(features)
    frame = make_examples(6000, seed=21)
    prepared = prepare_features(frame, kinds)
    pipe = _small_pipeline("hgb", kinds, learning_rate=0.1, max_iter=80)
    baselines = {
        f: prepared[f].mode().iloc[0] if kinds[f] == "categorical" else prepared[f].median()
        for f in features
    }
    reference = prepare_features(pd.DataFrame([baselines]), kinds)
    with threadpool_limits(1):
        pipe.fit(prepared, frame["label"])
        explainer = PipelineContributions.create(pipe, reference, features)
        assert explainer is not None
        leads = prepared.iloc[:2000]
        logit, phi = explainer.explain(leads)
        occlusion = occlusion_contributions(pipe.decision_function, leads, features, baselines)
    top_shapley = np.abs(phi).argmax(axis=1)
    top_occlusion = np.abs(occlusion).argmax(axis=1)
    agreement = float((top_shapley == top_occlusion).mean())
    print(f"\ntop-1 reason agreement with occlusion on 2000 leads: {agreement:.3f}")
    assert agreement >= 0.75
    differ = top_shapley != top_occlusion
    gap = np.abs(occlusion.sum(axis=1) - (logit - explainer.reference_logit))
    assert gap[differ].mean() > 0.05  # occlusion double-counts shared effects there
    np.testing.assert_allclose(phi.sum(axis=1), logit - explainer.reference_logit, atol=1e-9)


def test_percentile_from_value_counts_is_the_mid_rank_over_the_whole_run() -> None:
    """percentile_among is pandas' average-rank percentile, and counting the values (what
    Spark does across its scoring partitions) gives the same figure for every value."""
    from leadscore.ml.grades import percentile_of_counts

    rng = np.random.default_rng(3)
    values = rng.choice(np.round(rng.random(40), 3), size=5000)  # many ties
    values[rng.random(5000) < 0.05] = np.nan
    got = percentile_among(values)
    expected = (pd.Series(values).rank(method="average", pct=True) * 100).round(2).to_numpy()
    np.testing.assert_array_equal(got, expected)
    distinct, counts = np.unique(values[~np.isnan(values)], return_counts=True)
    by_value = dict(zip(distinct, percentile_of_counts(counts), strict=True))
    assert all(by_value[v] == p for v, p in zip(values, got, strict=True) if not np.isnan(v))
    assert np.isnan(got[np.isnan(values)]).all()


def test_trees_input_without_the_encoders_equals_the_encoders_path(spec: FeatureSpec) -> None:
    """The HGB explainer builds the trees' input itself (numbers as they are, category codes
    looked up once per distinct value, unseen and missing categories included) and gets the
    figures of the path that runs the fitted encoders on every batch."""
    pipe, prepared, kinds = _fitted("hgb", spec, max_iter=30)
    prepared = prepared.copy()
    prepared.loc[::9, "segment"] = "never-seen"
    reference = prepare_features(pd.DataFrame([BASELINES]), kinds)
    direct = PipelineContributions.create(pipe, reference, FEATURES)
    encoders = PipelineContributions.create(pipe, reference, FEATURES)
    assert direct is not None and encoders is not None
    encoders._direct = False
    half = len(prepared) // 2
    logit_a, phi_a = direct.explain(prepared.iloc[:half])
    logit_b, phi_b = direct.explain(prepared.iloc[half:])
    assert direct._direct and direct._checked, "the shortcut should apply to this pipeline"
    logit, phi = encoders.explain(prepared)
    np.testing.assert_array_equal(np.vstack([phi_a, phi_b]), phi)
    np.testing.assert_array_equal(np.concatenate([logit_a, logit_b]), logit)


def test_per_distinct_value_helpers_equal_the_per_row_conversions() -> None:
    """Text columns, category cleaning and integer scores are worked out per distinct value
    now; each gives what the per-row conversion gave (values, missing values and dtype)."""
    from leadscore.ml.grades import to_int_score
    from leadscore.ml.output import as_str

    text = pd.Series(["Raises: a", None, "Lowers: b", np.nan, "Raises: a", 3], dtype=object)
    pd.testing.assert_series_equal(as_str(text), text.astype("str"))
    raw = pd.Series([" smb", "mid ", None, "", "  ", "smb", np.nan], dtype=object)
    prepared = prepare_features(pd.DataFrame({"segment": raw}), {"segment": "categorical"})
    stripped = raw.astype(str).str.strip().astype(object)
    expected = stripped.where(raw.notna().to_numpy() & (stripped != "").to_numpy(), np.nan)
    pd.testing.assert_series_equal(prepared["segment"], expected, check_names=False)
    values = np.array([1.4, np.nan, 101.0, -3.0, 50.5])
    v = np.clip(np.round(values), 0, 100)
    old = pd.array(np.where(np.isnan(v), None, v), dtype="Int64")
    pd.testing.assert_extension_array_equal(to_int_score(values), old)
