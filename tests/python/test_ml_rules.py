"""Cold start: too few outcomes give transparent rules_fallback scores, never all zeros."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from leadscore.ml import (
    FeatureSpec,
    ScoringPolicy,
    build_rules,
    has_enough_outcomes,
    score_open_leads,
)
from leadscore.ml.synthetic import make_examples, synthetic_catalog


@pytest.fixture(scope="module")
def spec() -> FeatureSpec:
    catalog = synthetic_catalog()
    extra = {
        "is_target_title": (15, None, None),
        "industry": (10, None, "software|finance"),
        "days_since_last_activity": (-10, 60, None),  # inactive 60+ days is a warning sign
        "company_size": (10, 200, None),
        "pricing_page_visits_30d": (20, None, None),
    }
    catalog["rule_points"] = np.nan
    catalog["rule_threshold"] = np.nan
    catalog["rule_values"] = None
    for name, (points, threshold, values) in extra.items():
        row = catalog["feature"] == name
        catalog.loc[row, "rule_points"] = points
        catalog.loc[row, "rule_threshold"] = threshold
        catalog.loc[row, "rule_values"] = values
    return FeatureSpec.from_frame(catalog)


def test_too_few_outcomes_fall_back_to_rules(spec: FeatureSpec) -> None:
    policy = ScoringPolicy(max_threads=1)
    history = make_examples(200, seed=3)
    assert not has_enough_outcomes(history, policy)
    leads = make_examples(2000, seed=4, max_snapshots=1).drop(columns=["label", "sales_qualified"])
    usable = [c for c in spec.pre_contact() if c in leads]
    leads[usable] = leads[usable].astype(object)
    leads.loc[0, usable] = None
    out = score_open_leads(
        leads,
        spec,
        policy,
        model=None,
        prior=float(history["label"].mean()),
        scored_at=pd.Timestamp("2024-07-01"),
    )
    assert out.loc[0, "score_status"] == "insufficient_data"
    rest = out.iloc[1:]
    assert (rest["score_status"] == "rules_fallback").all()
    assert (rest["model_version"] == "rules-v1").all()
    assert (rest["conversion_probability"] > 0).all()
    assert rest["score"].gt(0).mean() > 0.9
    assert rest["score"].nunique() > 10
    assert rest["grade"].notna().all()
    # sensible: more engagement and better fit score higher
    engaged = (leads["pricing_page_visits_30d"] > 0) & (leads["email_clicks_30d"] > 0)
    assert out.loc[engaged, "score"].mean() > out.loc[~engaged, "score"].mean() + 10
    target = leads["is_target_title"].astype(bool)
    assert out.loc[target, "fit_score"].mean() > out.loc[~target, "fit_score"].mean()
    # reasons name the rules that fired, in the catalog's words
    pricing_rows = leads["pricing_page_visits_30d"] >= 3
    texts = (
        out.loc[pricing_rows, ["reason_1", "reason_2", "reason_3"]].fillna("").agg(" ".join, axis=1)
    )
    assert texts.str.contains("Visited pricing page").mean() > 0.5
    inactive = out.loc[
        leads["days_since_last_activity"] >= 60, ["reason_1", "reason_2", "reason_3"]
    ]
    assert (
        inactive.fillna("")
        .astype(str)
        .agg(" ".join, axis=1)
        .str.contains("Lowers: Inactive for")
        .any()
    )


def test_rules_are_readable(spec: FeatureSpec) -> None:
    rules = build_rules(spec, ScoringPolicy(max_threads=1), spec.names)
    described = [r.description for r in rules]
    assert "industry in ['software', 'finance']: +10 points" in described
    assert "days_since_last_activity >= 60: -10 points" in described
    assert all(r.feature.availability == "pre_contact" for r in rules)
