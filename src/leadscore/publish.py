"""Publish the reader-facing marts as a separate, read-only DuckDB file plus Parquet files.

Readers (BI tools) never open the working database: a running build holds its write lock and
readers would block it. `publish` copies the marts in `PUBLISHED_MARTS` from the working DB
(attached READ_ONLY) into a brand-new version directory, then switches readers to it with one
atomic rename. Columns tagged as personal data (`meta: {sensitive: true}` in the yml, listed in
the `sensitive_columns` model) are left out unless `policy_published_columns` opts one in;
doubles are rounded as readers need them (money to 2 places, the rest to 4) and the NOT NULL
constraints of the dbt contracts are kept:

    published/
      versions/<version>/leadscore.duckdb        complete copy, written and closed before swap
      versions/<version>/parquet/<mart>.parquet
      versions/<version>/manifest.json
      current -> versions/<version>              relative symlink, replaced with os.replace()
      leadscore.duckdb -> current/leadscore.duckdb   stable path BI tools open
      parquet -> current/parquet                     stable path for Parquet readers

Why a symlink swap rather than replacing the file's bytes: a version file is never modified
after it is closed. A reader that opened `published/leadscore.duckdb` earlier keeps its open
file (its inode) and goes on seeing the old, complete version even after the swap, and even
after pruning unlinks it (POSIX keeps an unlinked file alive while it is open). A reader that
opens after the swap resolves the link to the new complete version. No reader can see a mix,
and no reader ever blocks a publish. Old versions beyond `keep` are deleted (never `current`).
On filesystems without symlinks (Windows without developer mode) this needs a different
swap; not handled here.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import duckdb
import typer

from leadscore.config import Settings
from leadscore.quality._duck import WarehouseError, find_table, quote_ident, require_db
from leadscore.quality.outbound import GateResult, OutboundPolicy, run_outbound_gate

PUBLISHED_MARTS: tuple[str, ...] = (
    "lead_scores",
    "lead_score_history",
    "model_metrics",
    "model_backtest",
    "model_monitoring",
    "sales_priority_queue",
    "dim_leads",
    "dim_accounts",
    "fct_lead_funnel",
    "score_overrides",
    "account_scores",
    "account_score_history",
)
REQUIRED_MARTS: tuple[str, ...] = ("lead_scores",)
DB_NAME = "leadscore.duckdb"
META_TABLE = "_publish_meta"
DEFAULT_KEEP = 5


class GateFailed(RuntimeError):
    """The outbound gate failed; nothing was published."""

    def __init__(self, gate: GateResult) -> None:
        super().__init__(gate.summary())
        self.gate = gate


@dataclass
class PublishResult:
    version: str
    version_dir: Path
    published_db: Path
    tables: dict[str, int] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    pruned: list[str] = field(default_factory=list)
    gate: GateResult | None = None


def published_db_path(published_dir: Path) -> Path:
    return published_dir / DB_NAME


def _version_id(versions: Path) -> str:
    base = datetime.now(UTC).strftime("%Y%m%dT%H%M%S_%fZ")
    version, n = base, 1
    while (versions / version).exists():
        version, n = f"{base}-{n}", n + 1
    return version


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _swap_symlink(link: Path, target: str) -> None:
    """Point `link` at `target` atomically (rename of a fresh symlink over the old one)."""
    if link.is_symlink() and os.readlink(link) == target:
        return
    if link.exists() and not link.is_symlink():
        # A real file/dir from an older layout: move aside first (one-time migration).
        aside = link.with_name(f".{link.name}.old-{os.getpid()}")
        os.replace(link, aside)
        if aside.is_dir():
            shutil.rmtree(aside, ignore_errors=True)
        else:
            aside.unlink(missing_ok=True)
    tmp = link.with_name(f".{link.name}.tmp-{os.getpid()}")
    tmp.unlink(missing_ok=True)
    os.symlink(target, tmp)
    os.replace(tmp, link)


def _copy_marts(
    work_db: Path, out_dir: Path, marts: tuple[str, ...], version: str, gate: GateResult | None
) -> tuple[dict[str, int], list[str]]:
    db_file = out_dir / DB_NAME
    parquet_dir = out_dir / "parquet"
    parquet_dir.mkdir(parents=True)
    tables: dict[str, int] = {}
    skipped: list[str] = []
    con = duckdb.connect(str(db_file))
    try:
        try:
            con.execute(f"attach {_lit(work_db)} as src (read_only)")
        except duckdb.IOException as exc:
            raise WarehouseError(
                f"Cannot read {work_db}: {exc}. Is a build still writing it? Retry when it is "
                "done.",
                exit_code=1,
            ) from exc
        withheld = _withheld_columns(con)
        for mart in marts:
            rel = find_table(con, mart, catalog="src")
            if rel is None:
                skipped.append(mart)
                continue
            columns = [
                c for c in _source_columns(con, mart) if c.name not in withheld.get(mart, set())
            ]
            con.execute(
                f"create table main.{quote_ident(mart)} (" + ", ".join(c.ddl for c in columns) + ")"
            )
            con.execute(
                f"insert into main.{quote_ident(mart)} select "
                + ", ".join(c.select for c in columns)
                + f" from {rel}"
            )
            tables[mart] = int(
                con.sql(f"select count(*) from main.{quote_ident(mart)}").fetchall()[0][0]
            )
            target = parquet_dir / f"{mart}.parquet"
            name = quote_ident(mart)
            con.execute(f"copy main.{name} to {_lit(target)} (format parquet, compression zstd)")
        missing = [m for m in REQUIRED_MARTS if m not in tables]
        if missing:
            raise WarehouseError(
                f"{work_db} has no {', '.join(missing)}. Run `leadscore run` first.", exit_code=2
            )
        con.execute("detach src")
        con.execute(
            f"create table {META_TABLE} as select ? as version, ? as published_at, "
            "? as source_db, ? as tables_json, ? as gate_passed, ? as score_psi",
            [
                version,
                datetime.now(UTC).replace(tzinfo=None),
                str(work_db),
                json.dumps(tables),
                None if gate is None else gate.passed,
                None if gate is None else gate.psi,
            ],
        )
        con.execute("checkpoint")
    finally:
        con.close()
    return tables, skipped


#: Decimals readers see: money to the cent, everything else fractional to 4 places.
MONEY_WORDS = ("value", "amount", "revenue", "deal")


@dataclass(frozen=True)
class _Column:
    name: str
    data_type: str
    nullable: bool

    @property
    def ddl(self) -> str:
        return f"{quote_ident(self.name)} {self.data_type}" + ("" if self.nullable else " not null")

    @property
    def select(self) -> str:
        """The value as readers get it: a double rounded (4 places, money 2)."""
        ident = quote_ident(self.name)
        if self.data_type.upper() in ("DOUBLE", "FLOAT", "REAL"):
            places = 2 if any(w in self.name for w in MONEY_WORDS) else 4
            return f"round({ident}, {places}) as {ident}"
        return ident


def _source_columns(con: duckdb.DuckDBPyConnection, mart: str) -> list[_Column]:
    """A working mart's columns with their types and NOT NULL constraints (from the dbt
    contract), so the published copy keeps them."""
    rows = con.sql(
        "select column_name, data_type, is_nullable from information_schema.columns "
        "where table_catalog = 'src' and table_name = ? order by ordinal_position",
        params=[mart],
    ).fetchall()
    return [_Column(name, dtype, nullable == "YES") for name, dtype, nullable in rows]


def _withheld_columns(con: duckdb.DuckDBPyConnection) -> dict[str, set[str]]:
    """Sensitive columns (sensitive_columns, from the yml tags) not opted in by
    policy_published_columns: mart -> columns the published copy leaves out."""
    tags = find_table(con, "sensitive_columns", catalog="src")
    if tags is None:
        raise WarehouseError(
            "The working DB has no sensitive_columns (which columns hold personal data), so "
            "nothing is published. Run `leadscore run` first.",
            exit_code=2,
        )
    withheld: dict[str, set[str]] = {}
    for model, column in con.sql(f"select model_name, column_name from {tags}").fetchall():
        withheld.setdefault(model, set()).add(column)
    opt_in = find_table(con, "policy_published_columns", catalog="src")
    if opt_in is not None:
        rows = con.sql(
            f"select model_name, column_name from {opt_in} where effective_from <= current_date "
            "and (effective_to is null or effective_to > current_date)"
        ).fetchall()
        for model, column in rows:
            withheld.get(model, set()).discard(column)
    return withheld


def _lit(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def prune_versions(published_dir: Path, keep: int) -> list[str]:
    """Delete all but the newest `keep` versions (never the one `current` points to)."""
    versions = published_dir / "versions"
    if not versions.is_dir():
        return []
    current_link = published_dir / "current"
    current = os.path.basename(os.readlink(current_link)) if current_link.is_symlink() else None
    names = sorted(p.name for p in versions.iterdir() if p.is_dir() and not p.name.startswith("."))
    doomed = [n for n in names[: max(len(names) - max(keep, 1), 0)] if n != current]
    for name in doomed:
        shutil.rmtree(versions / name, ignore_errors=True)
    # Temp dirs of crashed publishes older than the newest version are garbage as well.
    for stale in versions.glob(".tmp-*"):
        if names and stale.name.removeprefix(".tmp-") < names[-1]:
            shutil.rmtree(stale, ignore_errors=True)
    return doomed


def publish(
    work_db: Path,
    published_dir: Path,
    *,
    marts: tuple[str, ...] = PUBLISHED_MARTS,
    keep: int = DEFAULT_KEEP,
    gate: bool = True,
    policy: OutboundPolicy | None = None,
) -> PublishResult:
    """Gate, copy, swap, prune. Raises GateFailed (nothing published) or WarehouseError."""
    require_db(work_db)
    published_dir.mkdir(parents=True, exist_ok=True)
    gate_result: GateResult | None = None
    if gate:
        gate_result = run_outbound_gate(work_db, published_db_path(published_dir), policy)
        if not gate_result.passed:
            raise GateFailed(gate_result)
    versions = published_dir / "versions"
    versions.mkdir(exist_ok=True)
    version = _version_id(versions)
    staging = versions / f".tmp-{version}"
    try:
        tables, skipped = _copy_marts(work_db, staging, marts, version, gate_result)
        manifest = {
            "version": version,
            "published_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "source_db": str(work_db),
            "tables": tables,
            "skipped_missing": skipped,
            "gate": None if gate_result is None else gate_result.to_dict(),
        }
        (staging / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str) + "\n")
        final = versions / version
        os.rename(staging, final)
        _fsync_dir(versions)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _swap_symlink(published_dir / "current", f"versions/{version}")
    _swap_symlink(published_dir / DB_NAME, f"current/{DB_NAME}")
    _swap_symlink(published_dir / "parquet", "current/parquet")
    _fsync_dir(published_dir)
    pruned = prune_versions(published_dir, keep)
    return PublishResult(
        version=version,
        version_dir=final,
        published_db=published_db_path(published_dir),
        tables=tables,
        skipped=skipped,
        pruned=pruned,
        gate=gate_result,
    )


# ------------------------------------------------------------------ CLI (registered in cli.py)


def publish_command(
    keep: Annotated[
        int, typer.Option("--keep", min=1, help="Published versions to keep (older are pruned).")
    ] = DEFAULT_KEEP,
) -> None:
    """Gate `lead_scores`, then publish the reader-facing marts as a read-only copy.

    Writes a new DuckDB file + Parquet files under LEADSCORE_PUBLISHED_DIR (default
    `published/`) and swaps `published/leadscore.duckdb` to it atomically: BI tools open that
    path and never see a half-written file. Exit 1 when the outbound gate fails (nothing is
    published), 2 when there is nothing to publish yet.
    """
    from rich.console import Console

    from leadscore.locking import command_lock

    settings = Settings.from_env()
    err = Console(stderr=True)
    try:
        with command_lock(settings.db_path, "leadscore publish"):
            result = publish(settings.db_path, settings.published_dir, keep=keep)
    except GateFailed as exc:
        _save_gate(settings, exc.gate)
        err.print(f"[bold red]Not published:[/] {exc.gate.summary()}")
        raise typer.Exit(1) from exc
    except WarehouseError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(exc.exit_code) from exc
    if result.gate:
        _save_gate(settings, result.gate)
        err.print(f"[green]{result.gate.summary()}[/]")
    tables = ", ".join(f"{k} ({v:,} rows)" for k, v in result.tables.items())
    err.print(f"[green]Published[/] version {result.version}: {tables}")
    if result.skipped:
        err.print(f"Not in the working DB yet (skipped): {', '.join(result.skipped)}")
    print(result.published_db)
    from leadscore.query import PUBLISH_EXAMPLE, query_hint

    err.print(
        f"BI tools open {result.published_db} (read-only; always the newest version). "
        "Query it from the shell:",
        markup=False,
        highlight=False,
        soft_wrap=True,
    )
    err.print(
        f"  {query_hint(PUBLISH_EXAMPLE, result.published_db)}",
        markup=False,
        highlight=False,
        soft_wrap=True,
    )


def _save_gate(settings: Settings, gate: GateResult) -> None:
    path = settings.reports_dir / "outbound" / "last_gate.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(gate.to_dict(), indent=2, default=str) + "\n")
