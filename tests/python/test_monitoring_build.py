"""Monitoring end to end on the 2k-lead workspace: a replayed run whose outcomes mature, the
outcome backtest and monitors of the next run, and a breach that trains a challenger.

One module-scoped workspace, four builds of the scoring layer on pinned clocks:
FIRST (train, score, history), EARLY (35 days later: the early-outcome monitors judge the
first run on its conversions so far; a replay cadence var of 365 days keeps the champion),
SECOND (the first run's 90-day horizon has matured: backtest and outcome monitors), THIRD
(after a breach recorded in model_monitoring).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from conftest import Workspace, make_workspace

FIRST = "2026-01-15 00:00:00"
EARLY = "2026-02-19 00:00:00"  # FIRST + 35 days: at least min_age_days (28), not matured
SECOND = "2026-05-01 00:00:00"  # FIRST + 106 days: FIRST's horizon has matured
BREACH_AT = "2026-05-02 00:00:00"
THIRD = "2026-05-05 00:00:00"  # 4 days later: no cadence retrain due (30 days)
SCORING = ["int_scoring_clock+"]

pytestmark = pytest.mark.xdist_group("monitoring_build")


def _query(db: Path, sql: str) -> pd.DataFrame:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.sql(sql).df()
    finally:
        con.close()


def _build(ws: Workspace, as_of: str, **dbt_vars: object) -> None:
    ws.build(SCORING, "--vars", json.dumps({"as_of": as_of, **dbt_vars}))


@pytest.fixture(scope="module")
def runs(built_workspace: Workspace, tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    root = tmp_path_factory.mktemp("monitoring")
    ws = make_workspace(root / "ws", built_workspace.raw_dir, built_workspace.truth_dir)
    shutil.copy2(built_workspace.db_path, ws.db_path)
    _build(ws, FIRST)
    _build(ws, EARLY, retrain_cadence_days=365)
    _build(ws, SECOND)
    return ws


def test_a_replayed_run_scores_the_leads_open_at_its_clock(runs: Workspace) -> None:
    """Leads open at FIRST that converted later are in FIRST's scores (point in time)."""
    later = _query(
        runs.db_path,
        f"""
        select count(*) as n
        from lead_score_history as h
        inner join fct_lead_funnel as f on h.lead_id = f.lead_id
        where h.as_of = '{FIRST}' and f.opportunity_at > h.as_of
        """,
    )["n"].iloc[0]
    assert later > 0
    early = _query(
        runs.db_path,
        f"""
        select count(*) as n
        from lead_score_history as h
        inner join fct_lead_funnel as f on h.lead_id = f.lead_id
        where h.as_of = '{FIRST}'
            and (f.opportunity_at <= h.as_of or f.disqualified_at <= h.as_of
                 or f.created_at > h.as_of)
        """,
    )["n"].iloc[0]
    assert early == 0


def test_backtest_joins_the_first_run_to_its_matured_outcomes(runs: Workspace) -> None:
    bt = _query(runs.db_path, "select * from model_backtest")
    # SECOND's horizon has not matured
    assert set(pd.to_datetime(bt["as_of"])) == {pd.Timestamp(FIRST)}
    run = bt[bt["bucket"].isna()].set_index("metric")["value"]
    # the label, counted independently from the funnel
    expected = _query(
        runs.db_path,
        f"""
        select count(*) as n, sum(case when f.opportunity_at > h.as_of
            and f.opportunity_at <= h.as_of + interval 90 day then 1 else 0 end) as conv
        from lead_score_history as h
        left join fct_lead_funnel as f on h.lead_id = f.lead_id
        where h.as_of = '{FIRST}' and h.score_status = 'scored'
        """,
    ).iloc[0]
    assert run["n_rows"] == expected["n"]
    assert run["conversions"] == expected["conv"] > 0
    assert 0.5 < run["realised_roc_auc"] <= 1.0
    assert run["calibration_in_the_large"] == pytest.approx(
        run["actual_rate"] - run["mean_predicted"]
    )
    grades = bt[bt["metric"] == "grade_conversion_rate"]
    assert (grades["n_rows"].sum()) == expected["n"]
    print(
        f"\nbacktest of the run at {FIRST} on 2k leads: {int(run['n_rows'])} leads, "
        f"realised ROC-AUC {run['realised_roc_auc']:.3f}, mean predicted "
        f"{run['mean_predicted']:.4f} vs actual {run['actual_rate']:.4f}, "
        f"lift@10% {run['lift_top_decile']:.2f}"
    )


def test_model_monitoring_judges_every_monitor_by_policy(runs: Workspace) -> None:
    mon = _query(runs.db_path, f"select * from model_monitoring where measured_at = '{SECOND}'")
    assert {
        "score_psi",
        "feature_psi",
        "realised_auc_drop",
        "calibration_in_the_large",
        "segment_win_rate",
    } <= set(mon["monitor"])
    assert mon["status"].isin(["ok", "warn", "breach", "insufficient_data"]).all()
    ok = mon["status"] != "insufficient_data"
    judged = mon[ok]
    assert ((judged["value"] >= judged["breach_at"]) == (judged["status"] == "breach")).all()
    small = mon["compared_rows"] < mon["min_rows"]
    assert (mon.loc[small, "status"] == "insufficient_data").all()
    drift = mon[mon["monitor"] == "score_psi"].iloc[0]
    assert "training examples at snapshot ages" in drift["reference_population"]
    assert "open leads at the scoring clock within 7 days" in drift["compared_population"]
    segments = mon[mon["monitor"] == "segment_win_rate"]["segment"]
    assert segments.str.match(r"^(industry|size_tier|channel|product_line)=").all()
    assert segments.str.startswith("product_line=").any()
    # every build kept its rows (incremental per clock)
    clocks = _query(runs.db_path, "select distinct measured_at from model_monitoring")
    assert len(clocks) == 3
    print(
        "\n"
        + mon[["monitor", "subject", "segment", "value", "status"]]
        .sort_values("value", ascending=False)
        .head(8)
        .to_string()
    )


def test_early_monitors_judge_the_first_run_on_its_conversions_so_far(runs: Workspace) -> None:
    import re

    registry = _query(runs.db_path, "select trained_at, retrain_reason from ml_model_registry")
    # the replay cadence var (365 days) kept FIRST's champion at EARLY (35 days later)
    assert not (pd.to_datetime(registry["trained_at"]) == pd.Timestamp(EARLY)).any()
    mon = _query(
        runs.db_path,
        f"select * from model_monitoring where measured_at = '{EARLY}' "
        "and monitor in ('calibration_early', 'segment_win_rate_early')",
    )
    run = mon[mon["monitor"] == "calibration_early"]
    assert len(run) == 1
    run = run.iloc[0]
    counted = _query(
        runs.db_path,
        f"""
        select count(*) as n, sum(case when f.opportunity_at > h.as_of
            and f.opportunity_at <= timestamp '{EARLY}' then 1 else 0 end) as conv,
            -- segments judge leads at training ages: oldest snapshot (91) + tolerance (7)
            count(case when floor(date_diff('minute', f.created_at, h.as_of) / 1440.0) <= 98
                then 1 end)
                as young
        from lead_score_history as h
        left join fct_lead_funnel as f on h.lead_id = f.lead_id
        where h.as_of = '{FIRST}' and h.score_status = 'scored'
        """,
    ).iloc[0]
    assert run["compared_rows"] == counted["n"]
    so_far = re.search(r"leads: (\d+)$", run["compared_population"])
    assert so_far is not None and int(so_far.group(1)) == counted["conv"] > 0
    assert f"the run at {FIRST}, 35 of 90 days after it" in run["reference_population"]
    assert run["reference_rows"] > 0  # matured training conversions G is estimated from
    assert run["status"] in {"ok", "warn", "breach"}
    segments = mon[mon["monitor"] == "segment_win_rate_early"]
    assert segments["segment"].str.match(r"^(industry|size_tier|channel|product_line)=").all()
    assert (
        segments.groupby(segments["segment"].str.split("=").str[0])["compared_rows"]
        .sum()
        .eq(counted["young"])
        .all()
    )
    assert 0 < counted["young"] < counted["n"]
    print(
        f"\nearly outcomes of the run at {FIRST}, judged at {EARLY} on 2k leads: "
        f"{run['reference_population']}; {run['compared_population']}; "
        f"calibration_early {run['value']:.3f} ({run['status']}); largest segment |z| "
        f"{segments['value'].max():.2f}"
    )


def test_a_breach_makes_the_next_build_train_a_challenger(runs: Workspace) -> None:
    registry = _query(runs.db_path, "select * from ml_model_registry")
    champion = registry[registry["status"] == "champion"].iloc[0]
    before = set(registry["model_version"])
    con = duckdb.connect(str(runs.db_path))
    try:
        con.execute(
            f"""
            insert into model_monitoring (model_monitoring_id, measured_at, model_version,
                monitor, subject, segment, value, status, warn_at, breach_at, min_rows,
                compared_rows, reference_rows, on_breach, publish_action,
                reference_population, compared_population)
            values ('planted', '{BREACH_AT}', '{champion["model_version"]}', 'score_psi',
                'score', 'all', 0.61, 'breach', 0.1, 0.25, 200, 900, 9000, 'retrain', 'warn',
                'planted for the test', 'planted for the test')
            """
        )
    finally:
        con.close()
    _build(runs, THIRD)
    after = _query(runs.db_path, "select * from ml_model_registry")
    new = after[~after["model_version"].isin(before)]
    assert len(new) == 1, after[["model_version", "status", "retrain_reason"]]
    row = new.iloc[0]
    assert row["retrain_reason"] == "drift:score_psi"
    # the gate says on which rows it compared the two models
    assert (
        "most recent matured outcomes" in row["decision_reason"]
        or "each on its own holdout" in row["decision_reason"]
    )
    print(f"\nretrain_reason {row['retrain_reason']}; promotion: {row['decision_reason']}")
    # answered: a rebuild at the same clock does not retrain again
    _build(runs, THIRD)
    again = _query(runs.db_path, "select count(*) as n from ml_model_registry")["n"].iloc[0]
    assert again == len(after)


def test_the_offline_replay_tool_reproduces_the_builds_early_segment_monitor(
    runs: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    """`python -m leadscore.ml.monitor_offline` replays the segment rules on a finished
    warehouse as a build at each clock saw it; on the build's own rule (pooled, training ages)
    it gives the |z| the EARLY build stored, segment by segment."""
    from leadscore.config import PROJECT_DIR
    from leadscore.ml import monitor_offline

    stored = _query(
        runs.db_path,
        f"select segment, value, compared_rows from model_monitoring "
        f"where measured_at = '{EARLY}' and monitor = 'segment_win_rate_early'",
    ).set_index("segment")
    policy = pd.read_csv(PROJECT_DIR / "seeds/policy/policy_monitoring.csv")
    tables = monitor_offline.load(runs.db_path)
    offline = monitor_offline.early_at(
        tables, policy, pd.Timestamp(EARLY), pool=True, ages=True, reference=False
    ).set_index("segment")
    assert len(stored) > 0
    assert set(offline.index) == set(stored.index)
    joined = stored.merge(offline, left_index=True, right_index=True, suffixes=("", "_offline"))
    assert (joined["compared_rows"] == joined["compared_rows_offline"]).all()
    assert joined["value"].to_numpy() == pytest.approx(joined["value_offline"].to_numpy(), abs=1e-6)
    monitor_offline.main(
        [
            str(runs.db_path),
            "--clock",
            EARLY,
            "--policy",
            str(PROJECT_DIR / "seeds/policy/policy_monitoring.csv"),
        ]
    )
    printed = capsys.readouterr().out
    assert "pooled, training ages" in printed and "product_line=attribution" in printed
    # product lines as each run saw them: a lead's line at FIRST counts only signals dated
    # before FIRST, so no more leads have one than by the warehouse's last values
    at_run = monitor_offline.load(runs.db_path, segments_at_run=True)["history"]
    first = at_run[at_run["as_of"] == pd.Timestamp(FIRST)]
    today = first[["lead_id"]].merge(tables["leads"].astype({"lead_id": str}), on="lead_id")
    assert first["product_line"].notna().all()
    assert 0 < (first["product_line"] != "unknown").sum() <= today["product_line"].notna().sum()
    # the cohort view: every lead FIRST scored, by line, against FIRST's promise
    table = monitor_offline.cohort(runs.db_path, FIRST, EARLY, "2000-01-01")
    scored = first[first["score_status"] == "scored"]
    assert table["leads"].sum() == len(scored)
    assert table["promised"].sum() == pytest.approx(scored["conversion_probability"].sum())
    weighted = (table["relative_ratio"] * table["promised"]).sum() / table["promised"].sum()
    assert weighted == pytest.approx(1.0)
