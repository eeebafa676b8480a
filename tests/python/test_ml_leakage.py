"""Leakage guards: post-contact exclusion and the single-feature ROC-AUC check."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from leadscore.ml import FeatureSpec, LeakageError, check_leakage, drop_post_contact
from leadscore.ml.leakage import select_features, single_feature_aucs
from leadscore.ml.synthetic import make_examples, synthetic_catalog


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return make_examples(3000, seed=5)


@pytest.fixture(scope="module")
def spec() -> FeatureSpec:
    return FeatureSpec.from_frame(synthetic_catalog())


def test_post_contact_is_dropped_unless_forced(frame: pd.DataFrame, spec: FeatureSpec) -> None:
    assert "sales_qualified" not in drop_post_contact(frame, spec).columns
    assert "sales_qualified" not in select_features(frame.columns, spec).usable
    forced = select_features(frame.columns, spec, ["sales_qualified"])
    assert "sales_qualified" in forced.usable
    assert forced.forced == ["sales_qualified"]


def test_clean_features_pass(frame: pd.DataFrame, spec: FeatureSpec) -> None:
    table = check_leakage(frame, spec, 0.95)
    assert (table["auc"] < 0.95).all()
    assert "sales_qualified" not in set(table["feature"])


def test_forced_post_contact_field_is_flagged_by_name(
    frame: pd.DataFrame, spec: FeatureSpec
) -> None:
    with pytest.raises(LeakageError) as info:
        check_leakage(frame, spec, 0.95, force_include=["sales_qualified"])
    assert "'sales_qualified'" in str(info.value)
    assert info.value.fields == ["sales_qualified"]
    assert info.value.findings["auc"].iloc[0] == pytest.approx(1.0)


def test_mislabelled_leak_is_caught_even_if_marked_pre_contact(frame: pd.DataFrame) -> None:
    catalog = synthetic_catalog()
    catalog.loc[catalog["feature"] == "sales_qualified", "availability"] = "pre_contact"
    with pytest.raises(LeakageError, match="sales_qualified"):
        check_leakage(frame, FeatureSpec.from_frame(catalog), 0.95)


def test_categorical_and_missingness_leaks(frame: pd.DataFrame) -> None:
    rng = np.random.default_rng(0)
    y = frame["label"].to_numpy()
    leaky = frame.assign(
        # a sales-entered status: each value almost always means one outcome
        lead_quality=np.where(y == 1, rng.choice(["high", "mid"], len(y)), "low"),
        # a close date that exists only for won deals (missingness is the leak)
        won_days=np.where(y == 1, rng.integers(1, 90, len(y)), np.nan),
        # a high-cardinality id: in-sample encoding would look perfect, out-of-fold must not
        row_token=[f"t{i}" for i in range(len(y))],
    )
    catalog = pd.concat(
        [
            synthetic_catalog(),
            pd.DataFrame(
                {
                    "feature": ["lead_quality", "won_days", "row_token"],
                    "kind": ["categorical", "numeric", "categorical"],
                    "group": ["other"] * 3,
                    "availability": ["pre_contact"] * 3,
                }
            ),
        ]
    )
    spec = FeatureSpec.from_frame(catalog)
    aucs = single_feature_aucs(leaky, spec, ["lead_quality", "won_days", "row_token"])
    by_name = dict(zip(aucs["feature"], aucs["auc"], strict=True))
    assert by_name["lead_quality"] > 0.99
    assert by_name["won_days"] > 0.99
    assert by_name["row_token"] < 0.6
    with pytest.raises(LeakageError) as info:
        check_leakage(leaky, spec, 0.95)
    assert set(info.value.fields) == {"lead_quality", "won_days"}
