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


def test_product_line_feature_is_the_main_interest_before_each_cutoff(scored: Workspace) -> None:
    """The product_line feature counts only the signals dated before the cutoff, by
    dim_leads' rule (most signals, then the latest, then the name); recounted in pandas."""
    feats = _query(
        scored.db_path,
        "select cutoff_id, lead_id, cutoff_at, product_line from int_lead_features_point_in_time",
    )
    signals = _query(
        scored.db_path, "select lead_id, product_line, signal_at from int_lead_product_signals"
    )
    rows = feats[["cutoff_id", "lead_id", "cutoff_at"]].merge(signals, on="lead_id")
    rows = rows[rows["signal_at"] < rows["cutoff_at"]]
    counts = (
        rows.groupby(["cutoff_id", "product_line"])["signal_at"]
        .agg(["size", "max"])
        .reset_index()
        .sort_values(
            ["cutoff_id", "size", "max", "product_line"], ascending=[True, False, False, True]
        )
    )
    expected = counts.drop_duplicates("cutoff_id").set_index("cutoff_id")["product_line"]
    got = feats.set_index("cutoff_id")["product_line"]
    assert len(expected) > 0
    assert got.reindex(expected.index).tolist() == expected.tolist()
    assert got.drop(expected.index).isna().all()  # no signal before the cutoff: null
    # a lead's interest can appear after its first snapshots: point in time, not today's value
    train = feats.merge(
        _query(scored.db_path, "select lead_id, product_line as today from dim_leads"),
        on="lead_id",
    )
    assert (train["product_line"].isna() & train["today"].notna()).any()
    catalog = _query(scored.db_path, "select feature from int_feature_catalog")
    assert "product_line" in set(catalog["feature"])


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
    assert scores["reason_1"].str.match(r"^(Raises|Lowers): ").all()
    # one call list per person (owner_key), unassigned leads in one list
    ranks = scores.groupby(scores["owner_key"].fillna("unassigned"))["priority_rank"]
    assert (ranks.min() == 1).all()
    assert (ranks.max() == ranks.count()).all()


def _catalog(ws: Workspace) -> tuple[pd.DataFrame, pd.DataFrame]:
    catalog = _query(ws.db_path, "select * from feature_catalog where dataset = 'demo'")
    labels = _query(ws.db_path, "select * from feature_value_labels where dataset = 'demo'")
    return catalog, labels


def test_reasons_read_as_words_a_rep_can_trust(scored: Workspace) -> None:
    """Issue 12's reasons, on the built demo scores: words not formulas, human labels for
    every category value, unknown never stated, absences never raise, a raising reason
    first, ratios bounded, and the structured columns agree with the words."""
    scores = _query(scored.db_path, "select * from lead_scores where score_status = 'scored'")
    features = _query(scored.db_path, "select * from int_scoring_features")
    catalog, labels = _catalog(scored)
    by_name = catalog.set_index("feature")
    merged = scores.merge(features, on="lead_id", suffixes=("", "_value"))
    long = []
    for k in (1, 2, 3):
        part = merged[merged[f"reason_{k}"].notna()]
        long.append(
            pd.DataFrame(
                {
                    "lead_id": part["lead_id"],
                    "slot": k,
                    "text": part[f"reason_{k}"],
                    "feature": part[f"reason_{k}_feature"],
                    "direction": part[f"reason_{k}_direction"],
                    "contribution": part[f"reason_{k}_contribution"],
                    "value": [row[row[f"reason_{k}_feature"]] for _, row in part.iterrows()],
                }
            )
        )
    reasons = pd.concat(long, ignore_index=True)
    assert len(reasons) > 2 * len(scores)
    # words, not signed formulas; direction and sign agree with the words
    assert reasons["text"].str.match(r"^(Raises|Lowers): [A-Z0-9]").all()
    assert ((reasons["direction"] == "raises") == (reasons["contribution"] > 0)).all()
    assert (reasons["text"].str.startswith("Raises") == (reasons["direction"] == "raises")).all()
    assert reasons["feature"].isin(by_name.index).all()
    # "unknown" is never stated as a fact; no raw category codes reach the rep
    assert not reasons["text"].str.contains("unknown", case=False).any()
    categorical = reasons[reasons["feature"].map(by_name["kind"]) == "categorical"]
    known = labels[~labels["is_unknown"].astype(bool)].set_index(["feature", "value"])["label"]
    for row in categorical.itertuples():
        if pd.isna(row.value) or (row.feature, row.value) not in known.index:
            assert "not" in row.text or "No " in row.text, row.text  # a missing phrase
            continue
        assert known[(row.feature, row.value)].lower() in row.text.lower(), row.text
        if "_" in str(row.value) or str(row.value).isupper():
            assert str(row.value) not in row.text, row.text
    # every category value the demo scores hold has a label (or is marked unknown)
    for name in by_name.index[by_name["kind"] == "categorical"]:
        values = set(features[name].dropna().astype(str))
        covered = set(labels.loc[labels["feature"] == name, "value"])
        assert values <= covered, (name, values - covered)
    # a zero count (or false flag) with an absence phrase, or a missing value, never raises
    absence = by_name["reason_phrase_zero"].notna()
    raising = reasons[reasons["direction"] == "raises"]
    zero = raising["feature"].map(absence).fillna(False).astype(bool) & (
        pd.to_numeric(raising["value"], errors="coerce") == 0
    )
    assert not zero.any(), raising[zero].head()
    assert not raising["value"].isna().any()
    # absences are phrased as absences ("No web visits in the last 90 days")
    views = reasons[(reasons["feature"] == "page_views_90d") & (reasons["value"] == 0)]
    assert views["text"].str.endswith("No web visits in the last 90 days").all()
    # a raising reason comes first whenever a lead has one among its reasons
    any_raise = scores[[f"reason_{k}_direction" for k in (1, 2, 3)]].eq("raises").any(axis=1)
    assert (scores.loc[any_raise, "reason_1_direction"] == "raises").all()
    assert any_raise.mean() > 0.5
    # ratios are bounded by construction
    share = _query(
        scored.db_path,
        "select max(engaged_share_180d) as top, min(engaged_share_180d) as low "
        "from int_lead_features_point_in_time",
    )
    assert share["top"].iloc[0] <= 1.0 and share["low"].iloc[0] >= 0.0
    print(
        "\n"
        + reasons["text"]
        .str.replace(r"\d[\d,.]*", "N", regex=True)
        .value_counts()
        .head(12)
        .to_string()
    )


def test_grades_agree_with_conversion_and_the_legend_says_so(scored: Workspace) -> None:
    """On the holdout (graded by the evaluation model), conversion rises with the letter
    within each digit and with the digit within each letter, within the policy tolerance
    plus two standard errors (2k leads: small cells); open leads are not piled on one digit;
    the legend table carries the same figures."""
    from leadscore.ml.grades import conversion_by_grade, monotonicity_violations

    holdout = _query(scored.db_path, "select label, grade from ml_holdout_predictions")
    assert holdout["grade"].notna().all()
    table = conversion_by_grade(holdout["label"].to_numpy(), holdout["grade"].to_numpy())
    print(
        "\n"
        + table.pivot(index="letter", columns="digit", values="conversion_rate")
        .round(3)
        .to_string()
    )
    print(table.pivot(index="letter", columns="digit", values="n").to_string())
    policy = _examples_and_policy(scored)[2]
    bad = monotonicity_violations(
        table, policy.grade_monotonic_tolerance, policy.grade_min_cell, z=2.0
    )
    assert bad.empty, bad.to_string()
    scores = _query(scored.db_path, "select grade, score from lead_scores")
    digits = scores["grade"].str[1].value_counts(normalize=True)
    print("open-lead digit mix:", digits.round(3).sort_index().to_dict())
    assert digits.max() <= 0.7
    # within a digit, a better letter means a higher median score (grade agrees with score)
    median = scores.assign(letter=scores["grade"].str[0], digit=scores["grade"].str[1])
    median = median.groupby(["digit", "letter"])["score"].median().unstack()
    assert (median.diff(axis=1).iloc[:, 1:].fillna(-1) <= 0).all().all(), median
    legend = _query(scored.db_path, "select * from grade_legend order by grade")
    assert list(legend["grade"]) == [a + d for a in "ABCD" for d in "1234"]
    assert legend["fit_meaning"].notna().all() and legend["engagement_meaning"].notna().all()
    merged = legend.merge(table, on="grade")
    assert (merged["holdout_rows"] == merged["n"]).all()
    assert legend["open_leads"].sum() == len(scores)


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


def test_status_shows_the_grade_legend(
    scored: Workspace, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from typer.testing import CliRunner

    from leadscore.cli import app

    monkeypatch.setenv("LEADSCORE_DB", str(scored.db_path))
    monkeypatch.setenv("LEADSCORE_PUBLISHED_DIR", str(tmp_path / "published"))
    monkeypatch.setenv("LEADSCORE_OUTBOX_DIR", str(tmp_path / "outbox"))
    result = CliRunner().invoke(app, ["status"])
    assert result.exit_code == 0, result.output
    assert "Grades: holdout conversion" in result.output
    legend = _query(scored.db_path, "select * from grade_legend where grade = 'A1'")
    assert legend["fit_meaning"].iloc[0] in " ".join(result.output.split())
    assert f"{legend['holdout_conversion_rate'].iloc[0]:.1%}" in result.output


def test_a_year_2999_row_moves_no_clock_label_or_score(scored: Workspace, tmp_path: Path) -> None:
    """A lead created in 2999 and an activity dated 2999 are quarantined as out of bounds; the
    scoring clock (the newest event, never later than the load time), the labels and every
    score stay as they were."""
    raw = tmp_path / "raw"
    shutil.copytree(scored.raw_dir, raw)
    lead_csv = raw / "salesforce" / "Lead.csv"
    with lead_csv.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        fields, rows = reader.fieldnames or [], list(reader)
    future = {
        **rows[-1],
        "Id": "00Q9999999999999ZZ",
        "Email": "future@example.com",
        "CreatedDate": "2999-01-01T00:00:00.000Z",
        "LastModifiedDate": "",
    }
    with lead_csv.open("a", newline="", encoding="utf-8") as handle:
        csv.DictWriter(handle, fieldnames=fields, lineterminator="\n").writerow(future)
    acts = raw / "marketo" / "activities.csv"
    with acts.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        a_fields, a_rows = reader.fieldnames or [], list(reader)
    late = {**a_rows[-1], "marketoGUID": "future-2999", "activityDate": "2999-01-01T00:00:00Z"}
    with acts.open("a", newline="", encoding="utf-8") as handle:
        csv.DictWriter(handle, fieldnames=a_fields, lineterminator="\n").writerow(late)
    ws = make_workspace(tmp_path / "ws", raw, scored.truth_dir)
    shutil.copy2(scored.db_path, ws.db_path)
    ws.build(["path:models/staging", "path:models/intermediate", "path:models/marts"])
    assert _query(ws.db_path, "select as_of from int_scoring_clock").equals(
        _query(scored.db_path, "select as_of from int_scoring_clock")
    )
    reasons = _query(
        ws.db_path,
        "select source_id, rejection_reason from rejected_rows "
        "where source_id in ('00Q9999999999999ZZ', 'future-2999') order by 1",
    )
    assert reasons.values.tolist() == [
        ["00Q9999999999999ZZ", "out_of_bounds_created_at"],
        ["future-2999", "out_of_bounds_activity_at"],
    ]
    cols = "lead_id, conversion_probability, score, grade, reason_1, reason_2, reason_3"
    old = _query(scored.db_path, f"select {cols} from lead_scores order by lead_id")
    new = _query(ws.db_path, f"select {cols} from lead_scores order by lead_id")
    pd.testing.assert_frame_equal(old, new)
    labels = "select cutoff_id, label from int_training_examples order by cutoff_id"
    pd.testing.assert_frame_equal(_query(scored.db_path, labels), _query(ws.db_path, labels))


def test_the_published_copy_carries_no_personal_data(scored: Workspace, tmp_path: Path) -> None:
    """Emails, names and titles stay in the warehouse unless policy opts a column in."""
    from leadscore.publish import publish

    result = publish(scored.db_path, tmp_path / "published", keep=2)
    with duckdb.connect(str(result.published_db), read_only=True) as con:
        columns = {
            (t, c)
            for t, c in con.sql(
                "select table_name, column_name from information_schema.columns"
            ).fetchall()
        }
    tagged = _query(scored.db_path, "select model_name, column_name from sensitive_columns")
    assert {("dim_leads", "email"), ("dim_leads", "first_name")} <= {
        tuple(r) for r in tagged.values.tolist()
    }
    leaked = {(t, c) for t, c in columns if c in {"email", "first_name", "last_name", "job_title"}}
    assert not leaked, leaked
    assert ("dim_leads", "lead_id") in columns and ("lead_scores", "score") in columns
    with duckdb.connect(str(result.published_db), read_only=True) as con:
        # readers see rounded figures, and the contract's NOT NULL columns stay NOT NULL
        worst = con.sql(
            "select max(abs(conversion_probability - round(conversion_probability, 4))), "
            "max(abs(expected_value - round(expected_value, 2))) from lead_scores"
        ).fetchall()[0]
        nullable = dict(
            con.sql(
                "select column_name, is_nullable from information_schema.columns "
                "where table_name = 'lead_scores'"
            ).fetchall()
        )
    assert worst == (0.0, 0.0), worst
    assert nullable["lead_id"] == "NO" and nullable["owner_name"] == "NO"


def test_each_owner_has_one_named_capped_call_list(scored: Workspace) -> None:
    """Owners by name, one call list per person across CRMs, unassigned one way, capped."""
    owners = _query(scored.db_path, "select * from dim_owners")
    # the demo's reps are Salesforce Users and HubSpot owners at once (the HubSpot export names
    # them): one key per person, so one list
    per_name = owners.groupby("owner_name")["owner_key"].nunique()
    assert (per_name == 1).all(), per_name[per_name > 1]
    assert (owners.groupby("owner_key")["source_system"].nunique() == 2).any()
    scores = _query(
        scored.db_path,
        "select owner_id, owner_name, owner_key, priority_rank, score_status from lead_scores",
    )
    unassigned = scores["owner_id"].isna()
    assert (scores.loc[unassigned, "owner_name"] == "Unassigned").all()
    assert (scores.loc[~unassigned, "owner_name"] != "Unassigned").all()
    assert scores["owner_key"].isna().equals(unassigned)
    # every owner the exports name is shown by name, never by a CRM id
    assert not scores["owner_name"].str.match(r"^(005|hubspot:)").any()
    queue = _query(
        scored.db_path, "select owner_key, owner_name, priority_rank from sales_priority_queue"
    )
    cap = int(
        _query(
            scored.db_path, "select value from scoring_policy where key = 'max_queue_per_owner'"
        )["value"].iloc[0]
    )
    for key, ranks in queue.groupby("owner_key", dropna=False)["priority_rank"]:
        assert sorted(ranks) == list(range(1, len(ranks) + 1)), key
        assert len(ranks) <= cap
    assert queue.groupby("owner_key", dropna=False)["owner_name"].nunique().max() == 1
    scored_per_owner = (
        scores.dropna(subset=["priority_rank"]).groupby("owner_key", dropna=False).size()
    )
    assert (scored_per_owner > cap).any(), "the demo should fill at least one list past the cap"
    assert len(queue) == int(scored_per_owner.clip(upper=cap).sum())
