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
    assert f.phrase(1, 3.0) == "+ Visited pricing page 3x in last 30 days"
    assert f.phrase(-1, 0.0) == "- No pricing page visits in 30 days"
    assert format_value(float("nan"), "numeric") == "unknown"
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
    assert spec["x"].phrase(1, 2) == "+ X is 2"
    assert spec["x"].phrase(-1, 2.5) == "- X is 2.5"
