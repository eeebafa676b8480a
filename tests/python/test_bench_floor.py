"""The feature floor (one DuckDB query) and the pandas peer that `leadscore bench` times the
feature layer against must compute the project's point-in-time feature table: on the 2k test
workspace both equal `int_lead_features_point_in_time` row for row, and the check that says
so fails on a changed value and names a column a candidate does not compute."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import Workspace

from leadscore.bench import FEATURE_TABLE
from leadscore.bench_floor import (
    CANDIDATE_TABLE,
    check_line,
    compare_with_project,
    connect,
    measure,
    run_floor,
)


@pytest.mark.parametrize("engine", ["duckdb", "pandas"])
def test_floor_and_pandas_peer_reproduce_the_feature_table(
    engine: str, built_workspace: Workspace, tmp_path: Path
) -> None:
    figures = measure(engine, built_workspace.db_path, tmp_path / "scratch.duckdb")
    check = figures["check"]
    assert check["equal"], check_line(engine, check)
    assert check["only_in_project"] == check["only_in_candidate"] == 0
    assert check["candidate_rows"] == check["project_rows"] > 5_000
    # every feature is compared; only the incremental build's bookkeeping is not computed
    assert {"cutoff_id", "label", "lead_age_days", "engagement_decay_30d"} <= set(check["compared"])
    assert {"intent_avg_surge_12w", "days_since_last_engagement"} <= set(check["compared"])
    # a feature added to the project and not to the floor and the peer fails here
    assert check["not_computed"] == ["inputs_fingerprint"]
    assert len(check["compared"]) >= 40 and check["extra"] == []
    assert figures["seconds"] > 0 and figures["cpu_seconds"] > 0 and figures["duckdb_threads"] >= 1
    assert not (tmp_path / "scratch.duckdb").exists()  # the scratch file is removed
    line = check_line(engine, check)
    assert f"equal to {FEATURE_TABLE}" in line and "inputs_fingerprint" in line


def test_the_check_fails_on_one_changed_value_and_names_columns_not_computed(
    built_workspace: Workspace, tmp_path: Path
) -> None:
    con, schema = connect(tmp_path / "scratch.duckdb", built_workspace.db_path)
    try:
        run_floor(con, schema)
        assert compare_with_project(con, schema).equal
        # one training row's decay moves in the 6th decimal: both directions see that row
        con.sql(
            f"update {CANDIDATE_TABLE} set engagement_decay_7d = engagement_decay_7d + 0.000002 "
            f"where cutoff_id = (select min(cutoff_id) from {CANDIDATE_TABLE})"
        )
        check = compare_with_project(con, schema)
        assert not check.equal
        assert (check.only_in_project, check.only_in_candidate) == (1, 1)
        assert "NOT EQUAL (1 project rows missing, 1 rows not in the project" in check_line(
            "floor", {**check.__dict__, "equal": check.equal}
        )
        # a feature the candidate lacks is named, not silently skipped
        con.sql(f"alter table {CANDIDATE_TABLE} drop column channel")
        check = compare_with_project(con, schema)
        assert "channel" in check.not_computed and "channel" not in check.compared
        # a column the project does not have makes it unequal
        con.sql(f"alter table {CANDIDATE_TABLE} add column made_up integer")
        assert compare_with_project(con, schema).extra == ["made_up"]
        assert not compare_with_project(con, schema).equal
    finally:
        con.close()


def test_the_feature_layers_own_sql_runs_in_the_same_harness(
    built_workspace: Workspace, tmp_path: Path
) -> None:
    """`--engine project`: the two models' compiled full-refresh SQL, timed like the floor,
    rebuilds the whole table (every column, the bookkeeping too)."""
    target = tmp_path / "target"
    models = ["int_lead_cutoffs", FEATURE_TABLE]
    built_workspace.dbt(
        ["compile", "--full-refresh", "--select", *models, "--target-path", str(target)]
    )
    figures = measure(
        "project", built_workspace.db_path, tmp_path / "scratch.duckdb", compiled_dir=target
    )
    check = figures["check"]
    assert check["equal"], check_line("project", check)
    assert check["not_computed"] == [] and "inputs_fingerprint" in check["compared"]
    assert figures["cpu_seconds"] > 0
    with pytest.raises(FileNotFoundError, match="dbt compile --full-refresh"):
        empty = tmp_path / "empty"
        empty.mkdir()
        measure("project", built_workspace.db_path, tmp_path / "s.duckdb", compiled_dir=empty)
