"""`leadscore query "SQL"`: read-only SQL against the published copy, from the shell.

No DuckDB command-line tool ships with the project (the Python package has none), so this is
the one way `publish` and `status` tell a reader to look at the published file. It opens
`published/leadscore.duckdb` (the stable symlink, always the newest complete version) read-only
with file system access switched off, accepts exactly one SELECT-type statement (select, with,
from, values, show, describe, summarize), and prints a table or, with `--csv`, CSV on stdout.

Exit codes: 0 ok; 1 the query failed in DuckDB (its message is shown, no traceback); 2 nothing
published yet, no such file, or not a single read-only query.
"""

from __future__ import annotations

import csv
import datetime as dt
import shlex
import shutil
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Annotated, Any

import duckdb
import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from leadscore.config import Settings
from leadscore.publish import published_db_path

DEFAULT_MAX_ROWS = 100
FETCH_CHUNK = 10_000
ALLOWED_TYPES: frozenset[str] = frozenset({"SELECT"})
# The first query a new user runs on the published copy (every column here is published).
PUBLISH_EXAMPLE = (
    "select grade, count(*) as leads, round(avg(conversion_probability), 3) as mean_probability "
    "from lead_scores group by grade order by grade"
)
STATUS_EXAMPLE = (
    "select owner_name, priority_rank, grade, score, reason_1 from sales_priority_queue "
    "where priority_rank <= 3 order by owner_name, owner_id, priority_rank"
)
_NUMERIC_PREFIXES = (
    "TINYINT",
    "SMALLINT",
    "INTEGER",
    "BIGINT",
    "HUGEINT",
    "UTINYINT",
    "USMALLINT",
    "UINTEGER",
    "UBIGINT",
    "UHUGEINT",
    "FLOAT",
    "DOUBLE",
    "DECIMAL",
)


class QueryError(RuntimeError):
    """The query could not run; `exit_code` is what the CLI returns (2 usage, 1 SQL error)."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def leadscore_program() -> str:
    """How to call this CLI in a pasted command: `leadscore` when that is on PATH and is this
    program, else the path it was started by (e.g. `.venv/bin/leadscore` from `make demo`)."""
    started = Path(sys.argv[0]) if sys.argv and sys.argv[0] else None
    if started is None or started.name != "leadscore":
        return "leadscore"
    on_path = shutil.which("leadscore")
    if on_path and Path(on_path).resolve() == started.resolve():
        return "leadscore"
    try:
        return str(started.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(started.resolve())


def query_hint(sql: str, db: Path | None = None) -> str:
    """A `leadscore query ...` command line that works when pasted into a POSIX shell.

    `--db` is added only when `db` is not where `leadscore query` looks by default (so a
    custom LEADSCORE_PUBLISHED_DIR still works from a fresh shell)."""
    parts = [leadscore_program(), "query", sql]
    if db is not None and Path(db).absolute() != default_db().absolute():
        parts += ["--db", str(Path(db).absolute())]
    return shlex.join(parts)


def default_db() -> Path:
    """The stable published path from the settings (LEADSCORE_PUBLISHED_DIR)."""
    return published_db_path(Settings.from_env().published_dir)


def _statement_type(con: duckdb.DuckDBPyConnection, sql: str) -> str:
    try:
        statements = con.extract_statements(sql)
    except duckdb.Error as exc:
        raise QueryError(str(exc), exit_code=1) from exc
    if not statements:
        raise QueryError("The query is empty: give one SELECT statement.", exit_code=2)
    if len(statements) > 1:
        raise QueryError(
            f"Give one statement at a time (got {len(statements)}); leadscore query runs a "
            "single read-only SELECT.",
            exit_code=2,
        )
    kind = str(statements[0].type).rsplit(".", 1)[-1].upper()
    if kind not in ALLOWED_TYPES:
        raise QueryError(
            f"Not a read-only query ({kind} statement): leadscore query runs SELECT statements "
            "only (select, with, from, values, show, describe, summarize). The published copy "
            "is rebuilt by `leadscore publish`; change data in the working warehouse through "
            "dbt.",
            exit_code=2,
        )
    return kind


def connect_published(db: Path) -> duckdb.DuckDBPyConnection:
    """Open the published file read-only, with no file system access from SQL."""
    if not db.exists():
        if db.absolute() == default_db().absolute():
            message = (
                f"Nothing published yet: no {db}. Run `leadscore run` and then `leadscore "
                "publish` (or point --db at a published DuckDB file)."
            )
        else:
            message = f"No DuckDB file at {db} (--db)."
        raise QueryError(message, exit_code=2)
    try:
        return duckdb.connect(
            str(db),
            read_only=True,
            config={"enable_external_access": False, "lock_configuration": True},
        )
    except duckdb.Error as exc:
        raise QueryError(f"Cannot open {db} read-only: {exc}", exit_code=2) from exc


def run_query(
    con: duckdb.DuckDBPyConnection, sql: str
) -> tuple[list[str], list[str], duckdb.DuckDBPyConnection]:
    """Check and execute one read-only statement: (column names, DuckDB types, cursor)."""
    _statement_type(con, sql)
    try:
        cursor = con.execute(sql)
    except duckdb.Error as exc:
        raise QueryError(str(exc), exit_code=1) from exc
    description = cursor.description or []
    return [d[0] for d in description], [str(d[1]) for d in description], cursor


def _fetch(cursor: duckdb.DuckDBPyConnection, n: int) -> list[tuple[Any, ...]]:
    try:
        return cursor.fetchmany(n)
    except duckdb.Error as exc:  # errors raised while the result streams
        raise QueryError(str(exc), exit_code=1) from exc


def _cell(value: Any) -> str:
    """A value as a reader sees it: floats to 6 significant digits, dates in ISO form."""
    if value is None:
        return "NULL"
    if isinstance(value, float):
        return format(value, ".6g")
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    return value


def write_csv(out: Any, columns: Sequence[str], first: Iterable[tuple[Any, ...]], more: Any) -> int:
    """Write the header, then every row (``first`` and then chunks from ``more()``)."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    n = 0
    chunk = list(first)
    while chunk:
        writer.writerows([_csv_cell(v) for v in row] for row in chunk)
        n += len(chunk)
        chunk = more()
    return n


def render_table(
    columns: Sequence[str], types: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> Table:
    """A rich table whose cells wrap (fold) instead of being cut with an ellipsis."""
    table = Table(show_lines=False, header_style="bold")
    for name, kind in zip(columns, types, strict=True):
        numeric = kind.upper().startswith(_NUMERIC_PREFIXES)
        table.add_column(name, justify="right" if numeric else "left", overflow="fold")
    for row in rows:
        table.add_row(*[("[dim]NULL[/dim]" if v is None else escape(_cell(v))) for v in row])
    return table


# ------------------------------------------------------------------ CLI (registered in cli.py)


def query_command(
    sql: Annotated[
        str,
        typer.Argument(
            metavar="SQL",
            help='One read-only SQL statement, e.g. "select grade, count(*) from lead_scores '
            'group by 1 order by 1". Quote it for the shell.',
            show_default=False,
        ),
    ],
    db: Annotated[
        Path | None,
        typer.Option(
            "--db",
            help="DuckDB file to query (default: the published copy, "
            "LEADSCORE_PUBLISHED_DIR/leadscore.duckdb).",
            show_default=False,
        ),
    ] = None,
    as_csv: Annotated[
        bool, typer.Option("--csv", help="Print CSV (header + every row) instead of a table.")
    ] = False,
    max_rows: Annotated[
        int,
        typer.Option("--max-rows", min=1, help="Rows shown in the table (--csv prints all)."),
    ] = DEFAULT_MAX_ROWS,
) -> None:
    """Run a read-only SQL query on the published copy for BI and print the result.

    Reads `published/leadscore.duckdb` (the stable path `leadscore publish` swaps to each new
    version) read-only, with no file access from SQL. Tables: lead_scores,
    sales_priority_queue, model_metrics, ... (`leadscore query "show tables"`).
    Exit 2 when nothing is published yet or the SQL is not a single SELECT-type statement,
    1 when DuckDB rejects the query.
    """
    err = Console(stderr=True)
    path = db or default_db()
    try:
        con = connect_published(path)
        try:
            columns, types, cursor = run_query(con, sql)
            if as_csv:
                write_csv(
                    sys.stdout,
                    columns,
                    _fetch(cursor, FETCH_CHUNK),
                    lambda: _fetch(cursor, FETCH_CHUNK),
                )
                sys.stdout.flush()
                return
            rows = _fetch(cursor, max_rows + 1)
        finally:
            con.close()
    except QueryError as exc:
        err.print(str(exc), style="red", markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(exc.exit_code) from exc
    shown = rows[:max_rows]
    Console().print(render_table(columns, types, shown))
    if len(rows) > max_rows:
        err.print(
            f"First {max_rows:,} rows shown; add a limit, raise --max-rows, or use --csv for all.",
            highlight=False,
        )
    else:
        err.print(f"{len(shown):,} row{'s' if len(shown) != 1 else ''}", highlight=False)
