"""Small DuckDB helpers shared by validate, publish and sync: clear errors, table lookup."""

from __future__ import annotations

from pathlib import Path

import duckdb


class WarehouseError(RuntimeError):
    """A precondition on the working database failed; `exit_code` is what the CLI returns."""

    def __init__(self, message: str, exit_code: int = 2) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def require_db(path: Path) -> Path:
    if not path.exists():
        raise WarehouseError(
            f"No working database at {path}. Run `leadscore run` first (or set LEADSCORE_DB).",
            exit_code=2,
        )
    return path


def _locked(exc: Exception) -> bool:
    text = str(exc).lower()
    return "lock" in text or "conflicting" in text


def connect(path: Path, *, read_only: bool) -> duckdb.DuckDBPyConnection:
    """Open `path`; a lock held by another process (a running build) becomes a clear error."""
    require_db(path)
    try:
        return duckdb.connect(str(path), read_only=read_only)
    except duckdb.IOException as exc:
        if _locked(exc):
            raise WarehouseError(
                f"{path} is locked by another process (is `leadscore run`/dbt still building?). "
                "Retry when it has finished.",
                exit_code=1,
            ) from exc
        raise


def find_table(con: duckdb.DuckDBPyConnection, name: str, catalog: str | None = None) -> str | None:
    """Qualified name of table/view `name` (schema `main` preferred), or None if absent."""
    params: list[object] = [name]
    where = "lower(table_name) = lower(?)"
    if catalog:
        where += " and table_catalog = ?"
        params.append(catalog)
    rows = con.execute(
        f"select table_catalog, table_schema, table_name from information_schema.tables "
        f"where {where} order by (table_schema = 'main') desc, table_schema limit 1",
        params,
    ).fetchall()
    if not rows:
        return None
    cat, schema, table = rows[0]
    return ".".join(quote_ident(p) for p in (cat, schema, table))


def quote_ident(name: str) -> str:
    return '"' + str(name).replace('"', '""') + '"'


def columns_of(con: duckdb.DuckDBPyConnection, relation: str) -> list[str]:
    return [row[0] for row in con.sql(f"describe select * from {relation}").fetchall()]
