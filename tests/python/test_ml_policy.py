"""Policy and catalog parsing from seed-shaped DataFrames."""

from __future__ import annotations

import pandas as pd
import pytest

from leadscore.ml.policy import FeatureSpec, PolicyError, ScoringPolicy, format_value
from leadscore.ml.synthetic import synthetic_catalog


def test_policy_from_key_value_frame_with_effective_dates() -> None:
    frame = pd.DataFrame(
        {
            "key": ["horizon_days", "min_positives", "grade_fit_a", "grade_fit_a", "mql_score"],
            "value": ["90", "50", "80", "70", "60"],
            "effective_from": ["2020-01-01", "2020-01-01", "2020-01-01", "2099-01-01", None],
        }
    )
    policy = ScoringPolicy.from_frame(frame, as_of=pd.Timestamp("2024-06-01"))
    assert policy.horizon_days == 90
    assert policy.min_positives == 50
    assert policy.grade_fit_a == 80.0  # the 2099 row is not effective yet
    assert policy.extra["mql_score"] == "60"


def test_policy_rejects_bad_values_with_the_key_named() -> None:
    with pytest.raises(PolicyError, match="min_positives"):
        ScoringPolicy.from_mapping({"min_positives": "many"})
    with pytest.raises(PolicyError, match="A >= B >= C"):
        ScoringPolicy.from_mapping({"grade_fit_a": 10, "grade_fit_b": 50})


def test_catalog_parsing_and_phrases() -> None:
    spec = FeatureSpec.from_frame(synthetic_catalog())
    assert "sales_qualified" in spec.post_contact()
    assert "sales_qualified" not in spec.pre_contact()
    f = spec["pricing_page_visits_30d"]
    assert f.phrase(1, 3.0) == "Visited pricing page 3x in last 30 days"
    assert f.phrase(-1, 0.0) == "No pricing page visits in 30 days"
    assert format_value(float("nan"), "numeric") == "not on record"
    bad = synthetic_catalog().assign(kind="text")
    with pytest.raises(PolicyError, match="kind must be one of"):
        FeatureSpec.from_frame(bad)


def test_catalog_single_template_column() -> None:
    spec = FeatureSpec.from_records(
        [
            {
                "feature": "x",
                "kind": "numeric",
                "group": "fit",
                "availability": "pre_contact",
                "reason_template": "X is {value}",
            }
        ]
    )
    assert spec["x"].phrase(1, 2) == "X is 2"
    assert spec["x"].phrase(-1, 2.5) == "X is 2.5"


def test_reason_words_follow_the_data_not_the_sign() -> None:
    """Absences, missing values, booleans and category labels are worded from the lead's
    value; zero and missing are never reasons that raise a score."""
    catalog = pd.DataFrame(
        [
            {
                "feature": "page_views_90d",
                "kind": "numeric",
                "group": "engagement",
                "availability": "pre_contact",
                "reason_phrase_positive": "Viewed {value} web pages",
                "reason_phrase_negative": "Viewed only {value} web pages",
                "reason_phrase_zero": "No web visits in the last 90 days",
                "value_format": "count",
            },
            {
                "feature": "has_demo_request",
                "kind": "boolean",
                "group": "engagement",
                "availability": "pre_contact",
                "reason_phrase_positive": "Requested a demo",
                "reason_phrase_negative": "No demo request",
                "reason_phrase_zero": "No demo request",
            },
            {
                "feature": "channel",
                "kind": "categorical",
                "group": "channel",
                "availability": "pre_contact",
                "reason_phrase_positive": "came in through {value}",
                "reason_phrase_negative": "came in through {value}",
                "reason_phrase_missing": "Lead source not on record",
            },
            {
                "feature": "share",
                "kind": "numeric",
                "group": "engagement",
                "availability": "pre_contact",
                "reason_phrase_positive": "Engaged with {value} of touches",
                "value_format": "percent",
            },
        ]
    )
    labels = pd.DataFrame(
        {
            "feature": ["channel", "channel"],
            "value": ["purchased_list", "unknown"],
            "label": ["a purchased list", None],
            "is_unknown": [False, True],
        }
    )
    spec = FeatureSpec.from_frame(catalog, labels)
    assert list(spec.names) == ["channel", "has_demo_request", "page_views_90d", "share"]
    views, demo, channel, share = (
        spec[n] for n in ("page_views_90d", "has_demo_request", "channel", "share")
    )
    assert views.phrase(1, 0.0) == "No web visits in the last 90 days"
    assert not views.can_raise(0.0) and views.can_raise(3.0)
    assert views.phrase(-1, 1234.0) == "Viewed only 1,234 web pages"
    assert demo.phrase(1, 1.0) == "Requested a demo"  # by value, whatever the sign
    assert demo.phrase(1, 0.0) == "No demo request" and not demo.can_raise(0.0)
    assert channel.phrase(1, "purchased_list") == "Came in through a purchased list"
    assert channel.phrase(-1, "unknown") == "Lead source not on record"
    assert channel.is_missing("unknown") and not channel.can_raise("unknown")
    assert channel.phrase(1, "partner_portal") == "Came in through Partner portal"  # fallback
    assert share.phrase(1, 0.4) == "Engaged with 40% of touches"
    assert not share.can_explain(float("nan"))  # no missing phrase: never a reason


def test_reviewed_needs_a_reason_and_spec_hash_tracks_training_inputs() -> None:
    from leadscore.ml.policy import training_spec_hash

    catalog = synthetic_catalog()
    with pytest.raises(PolicyError, match="review_reason"):
        FeatureSpec.from_frame(catalog.assign(reviewed=True))
    spec = FeatureSpec.from_frame(catalog)
    policy = ScoringPolicy()
    base = training_spec_hash(spec, policy)
    assert base == training_spec_hash(FeatureSpec.from_frame(catalog.copy()), ScoringPolicy())
    moved = catalog.copy()
    moved.loc[moved["feature"] == "sales_qualified", "availability"] = "pre_contact"
    assert training_spec_hash(FeatureSpec.from_frame(moved), policy) != base
    assert training_spec_hash(spec, ScoringPolicy(hgb_learning_rate=0.2)) != base
    # wording and grading do not change what is trained
    reworded = catalog.assign(reason_phrase_positive="Something else")
    assert training_spec_hash(FeatureSpec.from_frame(reworded), policy) == base
    assert training_spec_hash(spec, ScoringPolicy(grade_fit_a=90)) == base


def test_ml_threads_share_the_cores_with_dbts_other_nodes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from leadscore.ml import runtime

    monkeypatch.setattr(runtime, "available_cores", lambda: 8)
    monkeypatch.setenv("LEADSCORE_THREADS", "2")
    assert runtime.ml_threads() == 4
    monkeypatch.setenv("LEADSCORE_THREADS", "16")
    assert runtime.ml_threads() == 1
    assert runtime.ml_threads(policy_max_threads=3) == 3
    monkeypatch.setenv("LEADSCORE_THREADS", "not a number")
    assert runtime.ml_threads() == 4
