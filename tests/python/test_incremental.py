"""A daily run does the day's work, and a full refresh gives the same tables.

Day 0 is the session's small built workspace with the scoring layer built. Day 1 is the same
exports with a day appended (`leadscore.generate.nextday`): 1% new activity, a fifth of it
arriving late (dated in the past, so it changes stored training cutoffs), campaign members
soft-deleted and removed. From two copies of day 0's warehouse, one builds day 1
incrementally and the other with `--full-refresh`: the activities, the point-in-time features
and lead_scores must be equal, and the incremental build must have kept most stored training
rows instead of recomputing them.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from conftest import Workspace, make_workspace

from leadscore.generate.nextday import DayAppended, append_day

DAY_SELECT = ["+lead_scores"]  # everything the scores read, staging to the ML layer
# (table, key): compared whole between the incremental and the full-refresh build
COMPARED = (
    ("fct_lead_activities", "activity_id"),
    ("int_lead_features_point_in_time", "cutoff_id"),
    ("lead_scores", "lead_id"),
)
FEATURES = "int_lead_features_point_in_time"


def _frame(db: Path, sql: str) -> pd.DataFrame:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.sql(sql).df()


@dataclass(frozen=True)
class Day:
    incremental: Workspace
    full_refresh: Workspace
    appended: DayAppended
    day0_features: pd.DataFrame  # with each row's rowid in day 0's table


@pytest.fixture(scope="module")
def next_day(built_workspace: Workspace, tmp_path_factory: pytest.TempPathFactory) -> Day:
    root = tmp_path_factory.mktemp("incremental")
    raw = root / "raw"
    shutil.copytree(built_workspace.raw_dir, raw)
    inc = make_workspace(root / "inc", raw, built_workspace.truth_dir)
    shutil.copy2(built_workspace.db_path, inc.db_path)
    inc.build(["int_scoring_clock+"])  # day 0, complete
    day0 = _frame(inc.db_path, f"select rowid as day0_rowid, * from {FEATURES}")

    appended = append_day(raw, share=0.01, late_share=0.2, deleted_members=3, seed=3)
    full = make_workspace(root / "full", raw, built_workspace.truth_dir)
    shutil.copy2(inc.db_path, full.db_path)
    inc.build(DAY_SELECT)
    full.build(DAY_SELECT, "--full-refresh")
    return Day(inc, full, appended, day0)


@pytest.mark.parametrize(("table", "key"), COMPARED)
def test_incremental_day_equals_a_full_refresh(next_day: Day, table: str, key: str) -> None:
    inc = _frame(next_day.incremental.db_path, f"select * from {table}")
    full = _frame(next_day.full_refresh.db_path, f"select * from {table}")
    assert len(inc) == len(full) > 0
    assert inc[key].is_unique
    inc = inc.sort_values(key, ignore_index=True)
    full = full.sort_values(key, ignore_index=True)[list(inc.columns)]
    # floats to 1e-9: DuckDB's parallel sums (the decayed engagement) add in any order
    pd.testing.assert_frame_equal(inc, full, check_exact=False, rtol=1e-9, atol=1e-12)


def test_the_day_changed_stored_rows(next_day: Day) -> None:
    """The comparison above means something: the day's late and deleted rows changed matured
    training cutoffs' features, and soft-deleted / removed campaign responses are gone."""
    appended = next_day.appended
    assert appended.late_rows > 0 and appended.soft_deleted == appended.removed == 3
    day1 = _frame(next_day.incremental.db_path, f"select * from {FEATURES}")
    both = next_day.day0_features.merge(day1, on="cutoff_id", suffixes=("_0", "_1"))
    train = both[both["purpose_0"] == "train"]
    assert len(train) > 0.9 * (next_day.day0_features["purpose"] == "train").sum()
    counts = [c for c in ("eng_events_180d", "touches_180d", "campaign_responses_90d")]
    changed = train[
        pd.concat([train[f"{c}_0"] != train[f"{c}_1"] for c in counts], axis=1).any(axis=1)
    ]
    assert len(changed) > 0, "no late activity reached a stored training cutoff"
    members = _frame(
        next_day.incremental.db_path,
        "select count(*) as n from fct_lead_activities where source_system = 'salesforce'"
        " and source_activity_id in (select sf_campaign_member_id"
        " from base_salesforce__campaign_members where is_deleted)",
    )
    assert members["n"].iloc[0] == 0


def test_incremental_day_recomputed_only_what_changed(next_day: Day) -> None:
    """Stored training rows of untouched leads stay where they were (same rowid: not deleted
    and re-inserted); every score row is new (the clock moved a day)."""
    day0 = next_day.day0_features
    day1 = _frame(
        next_day.incremental.db_path,
        f"select rowid as day1_rowid, cutoff_id, purpose from {FEATURES}",
    )
    both = day1.merge(day0[["cutoff_id", "day0_rowid"]], on="cutoff_id", how="left")
    train = both[both["purpose"] == "train"]
    kept = (train["day0_rowid"] == train["day1_rowid"]).sum()
    assert kept >= 0.8 * len(train), f"only {kept} of {len(train)} training rows kept"
    assert kept < len(train), "nothing recomputed: the late activity was ignored"
    score = both[both["purpose"] == "score"]
    assert len(score) > 0 and score["day0_rowid"].isna().all()
