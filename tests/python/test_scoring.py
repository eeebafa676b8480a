"""End-to-end scoring: point-in-time honesty, leak guard, rules fallback, history, truth.

Builds the scoring layer on the session's small generated workspace (tests/python/conftest.py)
with the scoring clock pinned, then checks what the issue asks of the product's heart.
"""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from conftest import Workspace, generate_exports, make_workspace
from query_plans import model_plans, unbounded_joins

from leadscore import pipeline
from leadscore.dbt import DbtError
from leadscore.evaluate.scoring import compare_with_truth
from leadscore.ml import LeakageError

SCORING = ["int_scoring_clock+"]


def _query(db: Path, sql: str) -> pd.DataFrame:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.sql(sql).df()
    finally:
        con.close()


@pytest.fixture(scope="module")
def scored(built_workspace: Workspace, tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """A private copy of the built workspace with the scoring layer built on a pinned clock."""
    root = tmp_path_factory.mktemp("scored")
    raw = root / "raw"
    shutil.copytree(built_workspace.raw_dir, raw)
    ws = make_workspace(root / "ws", raw, built_workspace.truth_dir)
    shutil.copy2(built_workspace.db_path, ws.db_path)
    ws.build(SCORING)
    as_of = _query(ws.db_path, "select as_of from int_scoring_clock")["as_of"].iloc[0]
    (root / "as_of.txt").write_text(str(pd.Timestamp(as_of)))
    return ws


def _as_of(ws: Workspace) -> str:
    return (ws.root.parent / "as_of.txt").read_text()


def test_no_model_plan_has_an_unbounded_non_hash_join(
    built_workspace: Workspace, scored: Workspace
) -> None:
    """Every built model (canonical schema + scoring layer): see tests/python/query_plans.py."""
    plans = {**model_plans(built_workspace), **model_plans(scored)}
    for model in (
        "fct_lead_activities",
        "int_lead_identities_resolved",
        "int_lead_features_point_in_time",
        "int_training_sample",
        "lead_scores",
    ):
        assert model in plans, model
    unexpected = unbounded_joins(plans)
    assert not unexpected, (
        "joins that DuckDB cannot hash (quadratic between lead-sized inputs); rewrite them as "
        "equi-joins, or add them to BOUNDED with the reason one side is small: "
        + "; ".join(unexpected)
    )


def test_lead_scores_cover_every_open_lead_with_valid_values(scored: Workspace) -> None:
    scores = _query(scored.db_path, "select * from lead_scores")
    open_leads = _query(scored.db_path, "select lead_id from int_scoring_features")
    assert set(scores["lead_id"]) == set(open_leads["lead_id"])
    assert scores["lead_id"].is_unique
    assert (scores["score_status"] == "scored").all()
    assert scores["conversion_probability"].between(0, 1).all()
    assert scores["score"].between(0, 100).all()
    assert scores["score"].nunique() > 20  # not collapsed
    assert scores["grade"].str.fullmatch(r"[A-D][1-4]").all()
    assert scores["reason_1"].str.match(r"^[+-] ").all()
    ranks = scores.groupby(scores["owner_id"].fillna("unassigned"))["priority_rank"]
    assert (ranks.min() == 1).all()
    assert (ranks.max() == ranks.count()).all()


def test_holdout_lift_calibration_and_auc(scored: Workspace) -> None:
    """On honest (time-based) holdout rows: top-decile lift, calibration error, ROC-AUC."""
    holdout = _query(scored.db_path, "select label, probability from ml_holdout_predictions")
    assert len(holdout) > 1000
    top = holdout["probability"] >= holdout["probability"].quantile(0.9)
    assert holdout.loc[top, "label"].mean() > 1.5 * holdout["label"].mean()  # lift@10%, 2k leads
    metrics = _query(scored.db_path, "select metric, value from model_metrics")
    values = dict(zip(metrics["metric"], metrics["value"], strict=False))
    assert values["ece"] <= 0.06
    assert values["roc_auc"] >= 0.60  # 2k leads; 100k figures are in the README


def test_champion_against_the_generators_truth(scored: Workspace) -> None:
    """A sanity bound on 2k leads, whose holdout is small. The acceptance figure (>= 0.97 of
    the truth's AUC) is measured at 100k leads with `leadscore evaluate`, see the README."""
    result = compare_with_truth(scored.db_path, scored.truth_dir)
    print(result.summary())
    assert result.matched_rows >= 0.95 * result.rows
    assert result.ratio >= 0.65
    assert result.ece <= 0.06


def _append_future_activity(raw: Path, as_of: pd.Timestamp, n_leads: int = 25) -> int:
    """Append high-intent Marketo activities dated after the scoring clock."""
    path = raw / "marketo" / "activities.csv"
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        fields = reader.fieldnames or []
        rows = list(reader)
    lead_ids = sorted({r["leadId"] for r in rows})[:n_leads]
    when = (as_of + pd.Timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    extra = [
        {
            **{f: "" for f in fields},
            "marketoGUID": f"future-{i}-{k}",
            "leadId": lead,
            "activityDate": when,
            "activityTypeId": "2",
            "activityTypeName": "Fill Out Form",
            "primaryAttributeValue": "Request a Demo",
            "attributes": "[]",
        }
        for i, lead in enumerate(lead_ids)
        for k in range(5)
    ]
    with path.open("a", newline="", encoding="utf-8") as handle:
        csv.DictWriter(handle, fieldnames=fields, lineterminator="\n").writerows(extra)
    return len(extra)


def test_activities_after_the_cutoff_change_no_feature_and_no_score(
    scored: Workspace, tmp_path: Path
) -> None:
    as_of = pd.Timestamp(_as_of(scored))
    raw = tmp_path / "raw"
    shutil.copytree(scored.raw_dir, raw)
    added = _append_future_activity(raw, as_of)
    ws = make_workspace(tmp_path / "ws", raw, scored.truth_dir)
    shutil.copy2(scored.db_path, ws.db_path)
    ws.build(["+lead_scores"], "--vars", json.dumps({"as_of": str(as_of)}))

    activities = _query(ws.db_path, "select count(*) as n from fct_lead_activities")["n"][0]
    before_acts = _query(scored.db_path, "select count(*) as n from fct_lead_activities")["n"][0]
    assert activities == before_acts + added  # the future rows did land

    key = ["cutoff_id"]
    old = _query(scored.db_path, "select * from int_lead_features_point_in_time").sort_values(key)
    new = _query(ws.db_path, "select * from int_lead_features_point_in_time").sort_values(key)
    pd.testing.assert_frame_equal(old.reset_index(drop=True), new.reset_index(drop=True))
    cols = "lead_id, conversion_probability, score, grade, reason_1, reason_2, reason_3"
    old_s = _query(scored.db_path, f"select {cols} from lead_scores order by lead_id")
    new_s = _query(ws.db_path, f"select {cols} from lead_scores order by lead_id")
    pd.testing.assert_frame_equal(old_s, new_s)


def _examples_and_policy(ws: Workspace) -> tuple[pd.DataFrame, object, object, pd.Timestamp]:
    db = ws.db_path
    as_of = pd.Timestamp(_query(db, "select as_of from int_scoring_clock")["as_of"].iloc[0])
    policy = pipeline.build_policy(
        _query(db, "select * from scoring_policy"),
        _query(db, "select * from policy_label"),
        _query(db, "select * from policy_grades"),
        as_of,
    )
    catalog = _query(db, "select * from feature_catalog")
    return _query(db, "select * from int_training_examples"), catalog, policy, as_of


def test_post_contact_field_never_reaches_the_model_and_the_leak_check_names_it(
    scored: Workspace,
) -> None:
    examples, catalog, policy, as_of = _examples_and_policy(scored)
    examples["sales_rating_hot"] = examples["label"]  # filled in by sales after contact
    leaky = pd.DataFrame(
        [
            {
                "dataset": "demo",
                "feature": "sales_rating_hot",
                "kind": "numeric",
                "feature_group": "other",
                "availability": "post_contact",
                "label": "Sales rating",
            }
        ]
    )
    spec = pipeline.build_spec(pd.concat([catalog, leaky], ignore_index=True), "demo")
    rows = pipeline.update_registry(None, examples, spec, policy, as_of)
    features = [f["feature"] for f in json.loads(rows["features_json"].iloc[0])]
    assert "sales_rating_hot" not in features
    assert "eng_events_30d" in features

    with pytest.raises(LeakageError, match="sales_rating_hot"):
        pipeline.update_registry(
            None, examples, spec, policy, as_of, force_include=["sales_rating_hot"]
        )


def test_history_is_idempotent_on_rebuild(scored: Workspace) -> None:
    before = _query(scored.db_path, "select count(*) as n from lead_score_history")["n"][0]
    scored.build(["lead_score_history"], "--vars", json.dumps({"as_of": _as_of(scored)}))
    after = _query(scored.db_path, "select count(*) as n from lead_score_history")["n"][0]
    scores = _query(scored.db_path, "select count(*) as n from lead_scores")["n"][0]
    assert before == after == scores


def test_too_few_outcomes_score_by_rules_never_zero(tmp_path: Path) -> None:
    """A young CRM (80 leads) has too few matured outcomes: rules, not zeros, not errors."""
    ws = make_workspace(tmp_path / "ws")
    generate_exports(ws.raw_dir, ws.truth_dir, leads=80, seed=11)
    ws.dbt(["seed"])
    try:
        ws.dbt(["build"])
    except DbtError as exc:  # pragma: no cover - the message is the useful part
        pytest.fail(f"build failed on a small CRM: {exc}")
    assert _query(ws.db_path, "select count(*) as n from ml_model_registry")["n"][0] == 0
    scores = _query(ws.db_path, "select * from lead_scores")
    assert len(scores) > 0
    assert set(scores["score_status"]) <= {"rules_fallback", "insufficient_data"}
    rules = scores[scores["score_status"] == "rules_fallback"]
    assert len(rules) > 0
    assert rules["conversion_probability"].gt(0).all()
    assert rules["score"].max() > 0
    assert rules["model_version"].str.startswith("rules").all()
