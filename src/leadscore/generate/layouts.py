"""The demo exports in a connector's layout: Fivetran or Airbyte tables, as a connector lands them.

`leadscore generate` writes hand exports (the `export` layout); this module rewrites them the
way a connector would land the same records, using the public schemas of the connectors as the
contracts declare them (macros/systems/<system>.sql):

- **fivetran**: table names from the contract (`lead`, `contact`, `company`, ...), snake_case
  API names, HubSpot properties as `property_<name>`, timestamps as UTC `TIMESTAMP`, Salesforce
  date fields as midnight timestamps, booleans and numbers typed (HubSpot `id` BIGINT,
  `property_associatedcompanyid` DOUBLE), `_fivetran_synced` on every row, `_fivetran_deleted`
  where Fivetran adds it, Marketo activities split into one `activity_<type>` table per
  activity type with the REST attributes as columns, HubSpot owners as an `owner` table that
  contacts reference by `property_hubspot_owner_id`.
- **airbyte**: stream names (`Lead`, `contacts`, ...) with API names as columns, HubSpot
  properties as `properties_<name>`, ISO-8601 UTC strings with an offset, `_airbyte_raw_id`,
  `_airbyte_extracted_at`, `_airbyte_meta`; HubSpot `archived`.

Values are converted with explicit formats of each export (not with the staging parser), so a
staging bug cannot make both layouts agree by accident.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from leadscore import contract
from leadscore.contract import Column, System, Table
from leadscore.generate.vocab import owner_email

LAYOUTS = ("export", "fivetran", "airbyte")
_PAIRS = '[{"name": "VARCHAR", "value": "VARCHAR"}]'  # a REST attributes array
#: Marketo's standard activity types -> Fivetran's per-type table (docs/contract.md).
MARKETO_ACTIVITY_TABLES: dict[int, str] = {
    1: "activity_visit_webpage",
    2: "activity_fill_out_form",
    3: "activity_click_link",
    6: "activity_send_email",
    7: "activity_email_delivered",
    8: "activity_email_bounced",
    9: "activity_unsubscribe_email",
    10: "activity_open_email",
    11: "activity_click_email",
    12: "activity_new_lead",
    13: "activity_change_data_value",
    22: "activity_change_score",
    24: "activity_add_to_list",
    27: "activity_email_bounced_soft",
    46: "activity_interesting_moment",
    104: "activity_change_status_in_progression",
}
#: How each system's hand export writes times: a strptime format and its zone, or None for
#: ISO 8601 with an offset or Z.
EXPORT_TIME_FORMATS: dict[str, tuple[str, str] | None] = {
    "salesforce": None,
    "marketo": None,
    "web": None,
    "intent": ("%m/%d/%Y", "UTC"),
    "hubspot": ("%Y-%m-%d %H:%M", "portal"),
}


def snake_case(name: str) -> str:
    """Fivetran's column naming: CamelCase split, non-alphanumerics as `_`, lower case."""
    return contract.snake_case(name)


def target_name(system: System, column: Column, layout: str) -> str:
    """The column's name in a connector's table."""
    return system.column_name(column, layout)


@dataclass(frozen=True)
class Converted:
    system: str
    table: str
    rows: int


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _utc(system: System, column: Column, expr: str, portal_tz: str) -> str:
    """Export text -> UTC timestamp, with the export's own format."""
    if column.type == "date" or "us_date" in column.formats:
        fmt = EXPORT_TIME_FORMATS[system.name]
        if "us_date" in column.formats and fmt:
            return f"cast(strptime({expr}, {_lit(fmt[0])}) as timestamp)"
        return f"cast(cast({expr} as date) as timestamp)"
    fmt = EXPORT_TIME_FORMATS[system.name]
    if fmt is None:
        return f"timezone('UTC', cast({expr} as timestamptz))"
    zone = portal_tz if fmt[1] == "portal" else fmt[1]
    return f"timezone('UTC', timezone({_lit(zone)}, strptime({expr}, {_lit(fmt[0])})))"


def _typed(system: System, table: Table, column: Column, layout: str, portal_tz: str) -> str:
    """A select item: the export column converted to the connector's type and name."""
    src = f"nullif(trim(cast({_q(column.export_header)} as varchar)), '')"
    name = _q(target_name(system, column, layout))
    kind = column.type
    if kind in ("timestamp", "date"):
        utc = _utc(system, column, src, portal_tz)
        if layout == "fivetran":
            return f"{utc} as {name}"
        if kind == "date":
            return f"strftime({utc}, '%Y-%m-%d') as {name}"
        return f"strftime({utc}, '%Y-%m-%dT%H:%M:%S.%g000+00:00') as {name}"
    if kind == "boolean":
        return f"cast(lower({src}) in ('true', '1', 'yes') as boolean) as {name}"
    if kind == "integer" and layout == "fivetran":
        return f"cast(cast({src} as double) as bigint) as {name}"
    if kind == "number" and layout == "fivetran":
        return f"cast({src} as double) as {name}"
    if kind == "id" and layout == "fivetran" and system.name == "hubspot":
        # Fivetran types HubSpot record ids BIGINT and associatedcompanyid DOUBLE
        kind_sql = "double" if column.name == "associatedcompanyid" else "bigint"
        return f"cast({src} as {kind_sql}) as {name}"
    if (
        kind == "id"
        and layout == "fivetran"
        and system.name == "marketo"
        and column.name
        in (
            "id",
            "leadId",
        )
    ):
        return f"cast({src} as bigint) as {name}"
    return f"{src} as {name}"


def _metadata(layout: str, synced_at: str, table: Table, system: System) -> list[str]:
    if layout == "fivetran":
        items = [f"timestamp {_lit(synced_at)} as _fivetran_synced"]
        if "_fivetran_deleted" in system.layouts[layout].deleted and system.name != "salesforce":
            items.append("false as _fivetran_deleted")
        return items
    items = [
        "cast(uuid() as varchar) as _airbyte_raw_id",
        f"timestamptz {_lit(synced_at + '+00')} as _airbyte_extracted_at",
        "'{\"changes\": []}' as _airbyte_meta",
    ]
    if "archived" in system.layouts[layout].deleted:
        items.append("false as archived")
    return items


def _read(path: Path) -> str:
    if path.suffix == ".parquet" or "*" in path.name:
        return f"read_parquet({_lit(str(path))}, union_by_name = true)"
    return f"read_csv({_lit(str(path))}, header = true, all_varchar = true)"


class _Sink:
    """Tables into a DuckDB file (schema per system) or Parquet files per table."""

    def __init__(self, con: duckdb.DuckDBPyConnection, out_dir: Path | None, into_db: bool):
        self.con, self.out_dir, self.into_db = con, out_dir, into_db

    def write(self, system: str, table: str, select_sql: str) -> int:
        if self.into_db:
            self.con.sql(f"create schema if not exists {_q(system)}")
            self.con.sql(f"create or replace table {_q(system)}.{_q(table)} as {select_sql}")
            return int(
                self.con.sql(f"select count(*) from {_q(system)}.{_q(table)}").fetchall()[0][0]
            )
        assert self.out_dir is not None
        folder = self.out_dir / system
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{table}.parquet"
        self.con.sql(f"copy ({select_sql}) to {_lit(str(path))} (format parquet)")
        return int(
            self.con.sql(f"select count(*) from read_parquet({_lit(str(path))})").fetchall()[0][0]
        )


def convert(
    export_dir: Path,
    layout: str,
    *,
    systems: Iterable[str] | None = None,
    out_dir: Path | None = None,
    into_db: Path | None = None,
    synced_at: str = "2026-07-01 00:00:00",
    portal_tz: str = "America/New_York",
) -> list[Converted]:
    """Rewrite the export-layout files under `export_dir` in a connector `layout`.

    Writes tables into `into_db` (one schema per system, as a connector's destination) or
    Parquet files `<out_dir>/<system>/<table>.parquet` (the connector's tables as files).
    """
    if layout not in ("fivetran", "airbyte"):
        raise ValueError(f"layout must be fivetran or airbyte, not {layout!r}")
    if (out_dir is None) == (into_db is None):
        raise ValueError("give exactly one of out_dir and into_db")
    wanted = set(systems) if systems is not None else None
    done: list[Converted] = []
    con = duckdb.connect(str(into_db) if into_db else ":memory:")
    con.sql("set timezone = 'UTC'")
    sink = _Sink(con, out_dir, into_db is not None)
    try:
        for system in contract.systems():
            if wanted is not None and system.name not in wanted:
                continue
            if layout not in system.layouts:
                continue
            for table in system.tables:
                path = export_dir / system.name / (table.file("export") or "")
                if not table.file("export") or not list(path.parent.glob(path.name)):
                    continue
                done += _convert_table(sink, system, table, layout, path, synced_at, portal_tz)
    finally:
        con.close()
    return done


def _convert_table(
    sink: _Sink,
    system: System,
    table: Table,
    layout: str,
    path: Path,
    synced_at: str,
    portal_tz: str,
) -> list[Converted]:
    con = sink.con
    source = _read(path)
    present = [r[0] for r in con.sql(f"describe select * from {source}").fetchall()]
    columns = [c for c in table.columns if c.export_header in present]
    meta = _metadata(layout, synced_at, table, system)
    if system.name == "hubspot" and table.name == "contacts" and layout == "fivetran":
        return _hubspot_contacts_fivetran(sink, system, table, columns, source, meta, portal_tz)
    if table.union_tables.get(layout):
        return _split_by_type(sink, system, table, columns, source, meta, portal_tz)
    items = [_typed(system, table, c, layout, portal_tz) for c in columns] + meta
    rows = sink.write(
        system.name, table.identifier(layout), f"select {', '.join(items)} from {source}"
    )
    return [Converted(system.name, table.identifier(layout), rows)]


def _hubspot_contacts_fivetran(
    sink: _Sink,
    system: System,
    table: Table,
    columns: list[Column],
    source: str,
    meta: list[str],
    portal_tz: str,
) -> list[Converted]:
    """Fivetran has no owner name on contacts: an `owner` table and an owner id instead."""
    con = sink.con
    owner = next(c for c in columns if c.alias == "owner_name")
    names = [
        r[0]
        for r in con.sql(
            f"select distinct trim({_q(owner.export_header)}) from {source} "
            f"where nullif(trim({_q(owner.export_header)}), '') is not null order by 1"
        ).fetchall()
    ]
    owners = [
        (40_000_000 + i, n.split(" ", 1)[0], n.split(" ", 1)[1] if " " in n else "")
        for i, n in enumerate(names)
    ]
    values = ", ".join(
        f"({i}, {_lit(f)}, {_lit(last)}, {_lit(full)}, {_lit(owner_email(full))})"
        for i, f, last, full in ((i, f, last, f"{f} {last}".strip()) for i, f, last in owners)
    )
    table_sql = "(values " + (values or "(0, null, null, null, null)") + ")"
    columns_sql = " as t(owner_id, first_name, last_name, full_name, email)"
    rows = sink.write(
        "hubspot",
        "owner",
        "select owner_id, first_name, last_name, email, "
        "timestamp '2026-07-01 00:00:00' as updated_at, "
        "timestamp '2026-07-01 00:00:00' as _fivetran_synced "
        f"from {table_sql}{columns_sql}" + ("" if values else " where false"),
    )
    con.sql(
        "create or replace temp table _owner_ids as select owner_id, first_name || "
        "case when last_name <> '' then ' ' || last_name else '' end as full_name "
        f"from {table_sql}{columns_sql}"
    )
    items = [
        _typed(system, table, c, "fivetran", portal_tz)
        for c in columns
        if c.alias not in ("owner_name", "hubspot_owner_id")
    ]
    items.append("_owner_ids.owner_id as property_hubspot_owner_id")
    sql = (
        f"select {', '.join(items + meta)} from {source} as src left join _owner_ids "
        f"on trim(src.{_q(owner.export_header)}) = _owner_ids.full_name"
    )
    n = sink.write("hubspot", table.identifier("fivetran"), sql)
    return [
        Converted("hubspot", "owner", rows),
        Converted("hubspot", table.identifier("fivetran"), n),
    ]


def _split_by_type(
    sink: _Sink,
    system: System,
    table: Table,
    columns: list[Column],
    source: str,
    meta: list[str],
    portal_tz: str,
) -> list[Converted]:
    """Marketo's activity log -> one table per activity type, attributes as columns."""
    con = sink.con
    type_col = table.column("activityTypeId").export_header
    attrs_col = table.column(table.attributes_column or "attributes").export_header
    out: list[Converted] = []
    kept = [c for c in columns if c.name not in ("activityTypeName", table.attributes_column)]
    type_sql = f"cast({_q(type_col)} as integer)"
    type_ids = con.sql(f"select distinct {type_sql} from {source} order by 1").fetchall()
    for (type_id,) in type_ids:
        name = MARKETO_ACTIVITY_TABLES.get(int(type_id), f"activity_type_{type_id}")
        sample = con.sql(
            f"select {_q(attrs_col)} from {source} where {type_sql} = {int(type_id)} "
            f"and {_q(attrs_col)} is not null"
        ).fetchall()
        attr_names: list[str] = []
        for (text,) in sample:
            for pair in json.loads(text):
                if pair["name"] not in attr_names:
                    attr_names.append(pair["name"])
        items = [_typed(system, table, c, "fivetran", portal_tz) for c in kept]
        for attr in attr_names:
            items.append(
                "list_filter(from_json("
                + _q(attrs_col)
                + ', \'[{"name": "VARCHAR", "value": "VARCHAR"}]\'), '
                f"lambda x: x.name = {_lit(attr)})[1].value as {_q(snake_case(attr))}"
            )
        sql = f"select {', '.join(items + meta)} from {source} where {type_sql} = {int(type_id)}"
        out.append(Converted(system.name, name, sink.write(system.name, name, sql)))
    return out


def keep_systems(out: Path, systems: Iterable[str]) -> list[str]:
    """Remove the landing folders of systems not in `systems`; return the removed names."""
    wanted = set(systems)
    removed = []
    for system in contract.systems():
        folder = out / system.name
        if system.name not in wanted and folder.exists():
            shutil.rmtree(folder)
            removed.append(system.name)
    return removed
