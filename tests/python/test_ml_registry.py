"""skops round trip with an allow-list, registry rows, promotion and retrain rules."""

from __future__ import annotations

import os

import duckdb
import numpy as np
import pandas as pd
import pytest
import skops.io as sio

from leadscore import pipeline
from leadscore.ml import (
    FeatureSpec,
    ScoringPolicy,
    TrainedModel,
    UntrustedModelError,
    model_from_registry_row,
    needs_retrain,
    promotion_decision,
    registry_row,
    score_leads,
    train_and_evaluate,
)
from leadscore.ml.registry import model_from_bytes, untrusted_types
from leadscore.ml.synthetic import make_examples, synthetic_catalog


@pytest.fixture(scope="module")
def spec() -> FeatureSpec:
    return FeatureSpec.from_frame(synthetic_catalog())


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return make_examples(4000, seed=21)


@pytest.fixture(scope="module")
def model(data: pd.DataFrame, spec: FeatureSpec) -> TrainedModel:
    return train_and_evaluate(
        data, spec, ScoringPolicy(max_threads=1), trained_at=pd.Timestamp("2024-07-01")
    )


def test_round_trip_from_duckdb_bytearray_gives_identical_scores(
    model: TrainedModel, data: pd.DataFrame, spec: FeatureSpec
) -> None:
    row = registry_row(model, status="champion")
    assert isinstance(row["model_blob"], bytes)
    assert row["status"] == "champion"
    assert row["roc_auc"] == pytest.approx(model.metrics["roc_auc"])
    # DuckDB's .df() hands BLOBs back as bytearray
    loaded = model_from_registry_row({**row, "model_blob": bytearray(row["model_blob"])})
    assert loaded.version == model.version
    assert loaded.features == model.features
    assert loaded.metrics["roc_auc"] == pytest.approx(model.metrics["roc_auc"])
    leads = data.drop(columns=["label", "true_probability"])
    np.testing.assert_array_equal(loaded.predict_proba(leads), model.predict_proba(leads))
    policy = ScoringPolicy(max_threads=1)
    at = pd.Timestamp("2024-07-02")
    pd.testing.assert_frame_equal(
        score_leads(loaded, leads, spec, policy, at), score_leads(model, leads, spec, policy, at)
    )


def test_registry_row_works_as_a_dataframe_row(model: TrainedModel) -> None:
    frame = pd.DataFrame([registry_row(model)])
    loaded = model_from_registry_row(frame.iloc[0])
    assert (
        loaded.data_window["train_end"] == pd.Timestamp(model.data_window["train_end"]).isoformat()
    )


def test_untrusted_types_are_rejected(model: TrainedModel) -> None:
    evil = sio.dumps({"format_version": 1, "pipeline": os.system})
    assert untrusted_types(evil)  # e.g. ['posix.system']
    with pytest.raises(UntrustedModelError, match="allow-list"):
        model_from_bytes(evil)
    assert untrusted_types(registry_row(model)["model_blob"]) == []


def test_promotion_decision() -> None:
    champ = {"roc_auc": 0.80, "ece": 0.02}
    assert promotion_decision(None, champ, 0.01).promote
    assert promotion_decision(champ, {"roc_auc": 0.795, "ece": 0.02}, 0.01).promote
    worse = promotion_decision(champ, {"roc_auc": 0.78, "ece": 0.02}, 0.01)
    assert not worse.promote and "below champion" in worse.reason
    assert not promotion_decision(champ, {"roc_auc": 0.81, "ece": 0.05}, 0.01).promote
    assert not promotion_decision(champ, {"roc_auc": float("nan")}, 0.01).promote


def test_needs_retrain() -> None:
    now = pd.Timestamp("2024-07-31")
    assert needs_retrain(None, now, 30)[0]
    assert needs_retrain(pd.Timestamp("2024-06-01"), now, 30)[0]
    fresh, reason = needs_retrain(pd.Timestamp("2024-07-20"), now, 30)
    assert not fresh and "reusing" in reason
    assert needs_retrain(pd.Timestamp("2024-07-20"), now, 30, force=True)[0]


def test_select_columns_on_each_kind_of_relation() -> None:
    frame = pd.DataFrame({"label": [1, 0], "other": ["a", "b"]})
    con = duckdb.connect()
    relation = con.from_df(frame)
    assert list(pipeline.to_frame(pipeline.select_columns(relation, "label")).columns) == ["label"]
    assert list(pipeline.select_columns(frame, "label").columns) == ["label"]

    class SparkLike:  # Snowpark / PySpark DataFrames select by name
        def select(self, *names: str) -> tuple[str, ...]:
            return names

    assert pipeline.select_columns(SparkLike(), "label", "other") == ("label", "other")
    with pytest.raises(TypeError, match="cannot select columns of int"):
        pipeline.select_columns(3, "label")


def test_same_examples_in_any_row_order_give_the_same_model() -> None:
    examples = make_examples(1500, seed=3).reset_index(drop=True)
    examples["cutoff_id"] = [f"c{i}" for i in range(len(examples))]
    spec = FeatureSpec.from_frame(synthetic_catalog())
    policy = ScoringPolicy(min_examples=50, min_positives=10)
    as_of = pd.Timestamp("2026-06-30")
    shuffled = examples.sample(frac=1.0, random_state=1)
    versions = [
        pipeline.update_registry(None, frame, spec, policy, as_of)["model_version"].iloc[0]
        for frame in (examples, shuffled)
    ]
    assert versions[0] == versions[1]


def test_retrain_reasons() -> None:
    from leadscore.ml.registry import retrain_decision

    now = pd.Timestamp("2024-07-31")
    fresh = pd.Timestamp("2024-07-20")
    assert retrain_decision(None, now, 30, current_spec_hash="a").reason == "no_champion"
    assert retrain_decision(fresh, now, 30, force=True).reason == "forced"
    same = retrain_decision(fresh, now, 30, champion_spec_hash="a", current_spec_hash="a")
    assert not same.retrain and same.reason == "none"
    changed = retrain_decision(fresh, now, 30, champion_spec_hash="a", current_spec_hash="b")
    assert changed.retrain and changed.reason == "spec_changed"
    legacy = retrain_decision(fresh, now, 30, champion_spec_hash=None, current_spec_hash="b")
    assert legacy.reason == "spec_changed"  # a champion from before spec hashes
    old = retrain_decision(
        pd.Timestamp("2024-06-01"), now, 30, champion_spec_hash="a", current_spec_hash="a"
    )
    assert old.reason == "cadence"


def test_a_catalog_change_retrains_and_replaces_the_champion() -> None:
    """After a catalog change the next build trains a challenger, says why, and the new model
    replaces a champion that no longer matches the catalog."""
    examples = make_examples(1500, seed=3).reset_index(drop=True)
    catalog = synthetic_catalog()
    policy = ScoringPolicy(min_examples=50, min_positives=10, max_threads=1)
    as_of = pd.Timestamp("2026-06-30")
    first = pipeline.update_registry(None, examples, FeatureSpec.from_frame(catalog), policy, as_of)
    assert first["retrain_reason"].iloc[0] == "no_champion"
    registry = pipeline.registry_table(first, "demo").to_pandas()
    later = as_of + pd.Timedelta(days=1)
    # same catalog, champion one day old: nothing is trained, and the examples (given as a
    # loader, as the dbt model does) are never read
    loads: list[int] = []

    def load() -> pd.DataFrame:
        loads.append(1)
        return examples

    same = pipeline.update_registry(registry, load, FeatureSpec.from_frame(catalog), policy, later)
    assert same.empty and not loads
    # a field moves to post_contact: the spec hash changes
    changed = catalog.copy()
    changed.loc[changed["feature"] == "landing_page", "availability"] = "post_contact"
    rows = pipeline.update_registry(registry, load, FeatureSpec.from_frame(changed), policy, later)
    assert len(loads) == 1  # read once, for training and the promotion gate
    new = rows[rows["status"] == "champion"].iloc[0]
    assert new["retrain_reason"] == "spec_changed"
    assert new["spec_hash"] != registry["spec_hash"].iloc[0]
    assert new["model_version"].endswith(new["spec_hash"][:6])
    assert "landing_page" not in new["features_json"]
    assert (rows["status"] == "retired").sum() == 1
