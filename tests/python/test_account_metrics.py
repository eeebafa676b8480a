"""Account conversion by grade, point in time: account_score_history keeps each run's account
grades; fct_account_score_outcomes says whether an opportunity was created on the account
within the label horizon after the run; the MetricFlow metric `account_conversion_rate`
counts matured runs only.

One workspace, copied from the session's canonical build (2,000 leads), scores accounts at two
clocks 121 days apart (the grades are rules; only the account model, trained on each clock's
matured account snapshots, is ML), so the first run's 90-day horizon has matured by the second
and the second's has not.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import pytest
from conftest import Workspace, make_workspace

from leadscore.config import PROJECT_DIR

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("account_metrics")]

FIRST, SECOND = "2026-03-01 00:00:00", "2026-06-30 00:00:00"
# account_scores reads the account model's probability: it is trained on each clock's snapshots
ACCOUNT_MODEL = ("int_account_snapshots", "ml_account_model", "ml_account_scores")
RUN = ("int_scoring_clock", "int_label_policy", "score_overrides", *ACCOUNT_MODEL, "account_scores")
HISTORY = "account_score_history"
OUTCOMES = "fct_account_score_outcomes"


def _rows(db: Path, query: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(query, params or []).fetchall()


def _score_at(ws: Workspace, as_of: str, *extra: str) -> None:
    # cautious: not the tests that also read models this workspace does not build (lead_scores)
    ws.dbt(["build", "--select", *RUN, HISTORY, *extra, "--indirect-selection", "cautious",
            "--vars", json.dumps({"as_of": as_of})])  # fmt: skip


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory: pytest.TempPathFactory, built_workspace: Workspace) -> Workspace:
    root = tmp_path_factory.mktemp("account_metrics")
    ws = make_workspace(root / "ws", built_workspace.raw_dir, built_workspace.truth_dir)
    shutil.copy2(built_workspace.db_path, ws.db_path)
    _score_at(ws, FIRST)
    _score_at(ws, SECOND)
    _score_at(ws, SECOND, OUTCOMES)  # the same run again: replaced, not duplicated
    return ws


def test_account_history_keeps_one_row_per_account_and_run(two_runs: Workspace) -> None:
    db = two_runs.db_path
    per_run = dict(_rows(db, f"select cast(as_of as varchar), count(*) from {HISTORY} group by 1"))
    now = _rows(db, "select count(*) from account_scores")[0][0]
    assert set(per_run) == {FIRST, SECOND} and per_run[SECOND] == now > 0
    grades = _rows(
        db,
        f"select count(*) from {HISTORY} h join account_scores s using (account_id) "
        "where h.as_of = ? and h.account_grade is distinct from s.account_grade",
        [SECOND],
    )[0][0]
    assert grades == 0, "the second run keeps the grades account_scores shows now"


def test_account_outcomes_count_new_opportunities_after_the_run(two_runs: Workspace) -> None:
    db = two_runs.db_path
    outcomes = _rows(
        db,
        f"select account_id, cast(scored_at as varchar), horizon_days, is_horizon_matured, "
        f"had_opportunity_before, has_opportunity_within_horizon from {OUTCOMES}",
    )
    opportunities: dict[str, list[datetime]] = {}
    for account_id, created_at in _rows(
        db, "select account_id, created_at from fct_opportunities where account_id is not null"
    ):
        opportunities.setdefault(account_id, []).append(created_at)
    assert {r[3] for r in outcomes if r[1] == FIRST} == {True}
    assert {r[3] for r in outcomes if r[1] == SECOND} == {False}
    for account_id, scored_at, horizon, _, before, within in outcomes:
        start = datetime.fromisoformat(scored_at)
        end = start + timedelta(days=horizon)
        created = opportunities.get(account_id, [])
        assert within == any(start < c <= end for c in created), account_id
        assert before == any(c <= start for c in created), account_id
    first = [r for r in outcomes if r[1] == FIRST]
    converted = sum(r[5] for r in first)
    assert 0 < converted < len(first), "some accounts open an opportunity, not all"


def test_account_conversion_rate_by_grade_through_metricflow(two_runs: Workspace) -> None:
    """The semantic model as BI queries it (`mf query`), against the same count in SQL."""
    ws, db = two_runs, two_runs.db_path
    expected = {
        grade: (converted, matured)
        for grade, converted, matured in _rows(
            db,
            f"select account_grade, count(*) filter (where has_opportunity_within_horizon), "
            f"count(*) from {OUTCOMES} where is_horizon_matured group by 1",
        )
    }
    # MetricFlow reads <project root>/target/semantic_manifest.json: a root of the workspace's
    # own (the project file and this workspace's parse), so the checkout's target/ is untouched.
    ws.dbt(["parse"])
    mf_root = ws.root / "mf"
    (mf_root / "target").mkdir(parents=True)
    shutil.copy2(PROJECT_DIR / "dbt_project.yml", mf_root)
    shutil.copy2(ws.root / "target" / "semantic_manifest.json", mf_root / "target")
    out = ws.root / "mf.csv"
    metrics = "account_conversion_rate,converted_account_scores,matured_account_scores"
    proc = subprocess.run(
        [str(Path(sys.executable).with_name("mf")), "query", "--metrics", metrics,
         "--group-by", "account_score__account_grade", "--csv", str(out)],
        cwd=mf_root,
        env={**os.environ, "DBT_PROFILES_DIR": str(PROJECT_DIR), "LEADSCORE_DB": str(db)},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    with out.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    got = {
        r["account_score__account_grade"]: (
            int(float(r["converted_account_scores"])),
            int(float(r["matured_account_scores"])),
            r["account_conversion_rate"],
        )
        for r in rows
    }
    # A grade seen only in the unmatured run has no rate (0 / 0), not a rate of 0.
    assert {g: v[2] for g, v in got.items() if v[1] == 0} == {
        g: "" for g, v in got.items() if v[1] == 0
    }
    assert {g: v[:2] for g, v in got.items() if v[1]} == expected
    for grade, (converted, matured, rate) in got.items():
        if matured:
            assert float(rate) == pytest.approx(converted / matured), grade
    print(
        "account conversion by grade (first run, matured): "
        + ", ".join(f"{g} {c}/{m}" for g, (c, m, _) in sorted(got.items()) if m)
    )
