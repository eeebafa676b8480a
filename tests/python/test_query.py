"""`leadscore query`: read-only SQL on the published copy; the commands publish and status print
work when pasted; exit codes 2 (nothing published, not a read-only query) and 1 (SQL error)."""

from __future__ import annotations

import csv
import hashlib
import io
import shlex
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from leadscore.cli import app
from leadscore.publish import publish
from leadscore.quality.fixtures import create_lead_scores
from leadscore.query import PUBLISH_EXAMPLE, STATUS_EXAMPLE, query_hint

runner = CliRunner()


def _warehouse(env: Path, n: int = 700) -> Path:
    """A working DB with what `publish` and `status` read (lead_scores, the sales queue with
    names that must not be published, an empty model registry)."""
    db = env / "warehouse" / "work.duckdb"
    db.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(db)) as con:
        create_lead_scores(con, n)
        con.execute(
            "create table sales_priority_queue as select lead_id, owner_id, "
            "'Owner ' || right(owner_id, 1) as owner_name, md5(owner_id) as owner_key, "
            "priority_rank, "
            "'Ann' as first_name, 'Lee' as last_name, 'Acme ' || (priority_rank % 9) as "
            "company_name, grade, score, conversion_probability, expected_value, is_mql, "
            "reason_1, reason_2, reason_3, score_status, sf_lead_id, hubspot_record_id "
            "from lead_scores"
        )
        con.execute(
            "insert into sensitive_columns values ('x1', 'sales_priority_queue', 'first_name', "
            "'name'), ('x2', 'sales_priority_queue', 'last_name', 'name')"
        )
        con.execute(
            "create table ml_model_registry (model_version varchar, model_kind varchar, "
            "roc_auc double, pr_auc double, lift_top_decile double, ece double, "
            "validation_scheme varchar, status varchar, trained_at timestamp)"
        )
    return db


def _published(env: Path) -> Path:
    publish(_warehouse(env), env / "published", gate=False)
    return env / "published" / "leadscore.duckdb"


def _direct(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.sql(sql).fetchall()


def _pasted(line: str) -> list[str]:
    """The arguments a shell gives `leadscore` for a pasted command line."""
    words = shlex.split(line.strip())
    assert words[0].endswith("leadscore"), line
    return words[1:]


def _digest(path: Path) -> str:
    return hashlib.sha256(path.resolve().read_bytes()).hexdigest()


def test_query_prints_the_rows_as_a_table_and_as_csv(env: Path) -> None:
    db = _published(env)
    sql = "select grade, count(*) as leads from lead_scores group by grade order by grade"
    expected = _direct(db, sql)
    table = runner.invoke(app, ["query", sql])
    assert table.exit_code == 0, table.output
    for grade, leads in expected:
        assert any(
            line.split("│")[1:3] and grade in line and f" {leads} " in line
            for line in table.stdout.splitlines()
        ), (grade, leads, table.stdout)
    assert f"{len(expected)} rows" in table.output

    as_csv = runner.invoke(app, ["query", sql, "--csv"])
    assert as_csv.exit_code == 0, as_csv.output
    rows = list(csv.reader(io.StringIO(as_csv.stdout)))
    assert rows[0] == ["grade", "leads"]
    assert [(g, int(n)) for g, n in rows[1:]] == expected


def test_query_table_caps_rows_and_csv_prints_all(env: Path) -> None:
    _published(env)
    shown = runner.invoke(app, ["query", "select lead_id from lead_scores", "--max-rows", "5"])
    assert shown.exit_code == 0, shown.output
    assert shown.stdout.count("L000000") == 5
    assert "First 5 rows shown" in shown.output
    every = runner.invoke(app, ["query", "select lead_id from lead_scores", "--csv"])
    assert len(every.stdout.strip().splitlines()) == 700 + 1


def test_query_never_cuts_a_value_at_80_columns(env: Path) -> None:
    db = _published(env)
    sql = "select lead_id, sf_lead_id, hubspot_record_id, owner_id, reason_1, reason_3 from "
    sql += "lead_scores order by lead_id limit 3"
    result = runner.invoke(app, ["query", sql], env={"COLUMNS": "80"}, terminal_width=80)
    assert result.exit_code == 0, result.output
    assert "…" not in result.stdout
    assert max(len(line) for line in result.stdout.splitlines()) <= 80
    # A folded cell continues on the next lines of its own column: join each column's pieces.
    columns: dict[int, str] = {}
    for line in result.stdout.splitlines():
        if line.startswith("│"):
            for i, piece in enumerate(line.strip("│").split("│")):
                columns[i] = columns.get(i, "") + "".join(piece.split())
    for row in _direct(db, sql):
        for i, value in enumerate(row):
            assert "".join(str(value).split()) in columns[i], (value, columns[i])


@pytest.mark.parametrize(
    "sql",
    [
        "drop table lead_scores",
        "delete from lead_scores",
        "create table t as select 1 as x",
        "copy lead_scores to 'out.csv'",
        "attach 'other.duckdb' as other",
        "set threads = 1",
        "select 1; drop table lead_scores",
        "   ",
    ],
)
def test_query_refuses_anything_but_one_select(env: Path, sql: str) -> None:
    db = _published(env)
    before = _digest(db)
    result = runner.invoke(app, ["query", sql])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert "read-only" in result.output or "empty" in result.output, result.output
    assert _digest(db) == before
    assert not (env / "out.csv").exists() and not (Path.cwd() / "out.csv").exists()


def test_query_sql_errors_exit_1_with_the_message(env: Path) -> None:
    _published(env)
    for sql, words in (
        ("select * from no_such_table", "no_such_table"),
        ("selec 1", "syntax error"),
        ("select cast('x' as integer)", "Conversion Error"),
        # No file access from SQL: the query reads the published copy only.
        (f"select * from read_csv('{env / 'warehouse' / 'work.duckdb'}')", "disabled"),
    ):
        result = runner.invoke(app, ["query", sql])
        assert result.exit_code == 1, (sql, result.output)
        assert words in result.output, (sql, result.output)
        assert result.exception is None or isinstance(result.exception, SystemExit)
        assert "Traceback" not in result.output


def test_query_before_publish_says_what_to_run(env: Path) -> None:
    result = runner.invoke(app, ["query", "select 1"])
    assert result.exit_code == 2
    assert "Nothing published yet" in result.output and "leadscore publish" in result.output
    other = runner.invoke(app, ["query", "select 1", "--db", str(env / "absent.duckdb")])
    assert other.exit_code == 2 and "absent.duckdb" in other.output


def test_query_db_option_reads_another_file(env: Path, tmp_path: Path) -> None:
    other = tmp_path / "elsewhere.duckdb"
    with duckdb.connect(str(other)) as con:
        con.execute("create table t as select 42 as answer")
    result = runner.invoke(app, ["query", "select answer from t", "--db", str(other), "--csv"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["answer", "42"]


def test_publish_prints_a_query_that_works_when_pasted(env: Path) -> None:
    _warehouse(env)
    result = runner.invoke(app, ["publish"])
    assert result.exit_code == 0, result.output
    assert "duckdb -readonly" not in result.output
    lines = [line for line in result.output.splitlines() if " query " in line]
    assert len(lines) == 1, result.output
    args = _pasted(lines[0])
    assert args == ["query", PUBLISH_EXAMPLE]
    pasted = runner.invoke(app, args)
    assert pasted.exit_code == 0, pasted.output
    grades = _direct(
        env / "published" / "leadscore.duckdb", "select distinct grade from lead_scores"
    )
    assert all(g in pasted.stdout for (g,) in grades)


def test_status_names_the_stable_path_and_a_query_that_works(env: Path) -> None:
    _warehouse(env)
    # Publish twice with keep=1: the first version folder is pruned; status must not name it.
    assert runner.invoke(app, ["publish", "--keep", "1"]).exit_code == 0
    assert runner.invoke(app, ["publish", "--keep", "1"]).exit_code == 0
    result = runner.invoke(app, ["status"], terminal_width=80)
    assert result.exit_code == 0, result.output
    text = result.output
    stable = env / "published" / "leadscore.duckdb"
    assert str(stable) in text
    assert "versions/" not in text
    lines = [line for line in text.splitlines() if " query " in line]
    assert len(lines) == 1, text
    args = _pasted(lines[0])
    assert args == ["query", STATUS_EXAMPLE]
    pasted = runner.invoke(app, args)
    assert pasted.exit_code == 0, pasted.output
    expected = _direct(stable, STATUS_EXAMPLE)
    assert len(expected) == 7 * 3  # seven owners, three leads each
    assert all(owner in pasted.stdout for owner, *_ in expected)
    # The published copy leaves the names out; the query does not ask for them.
    assert "first_name" not in [r[0] for r in _direct(stable, "describe sales_priority_queue")]


def test_query_hint_adds_db_only_off_the_default_path(env: Path, tmp_path: Path) -> None:
    sql = "select 'it''s' as quote, count(*) from lead_scores"
    default = query_hint(sql, env / "published" / "leadscore.duckdb")
    assert _pasted(default) == ["query", sql]
    elsewhere = tmp_path / "other dir" / "leadscore.duckdb"
    assert _pasted(query_hint(sql, elsewhere)) == ["query", sql, "--db", str(elsewhere)]
