"""The next day of a generated export: the same files with a day's new activity appended.

A daily export of a real CRM is yesterday's export plus what happened since: new activity
rows, a few rows that arrive late (dated in the past), and a few records soft-deleted or
gone. `append_day` turns a generated export folder into that next day, in place:

- Marketo activities and web events each get `share` x their row count new rows (1% by
  default): copies of randomly chosen existing rows (not Marketo's "New Lead") with new ids,
  dated in the day after the newest activity, so the scoring clock moves one day later.
  Marketo's rows are appended to activities.csv, the web's land as one more file of the
  split table (web/events-<day>.parquet);
- `late_share` of those new rows are dated at a random earlier time instead (late arrivals:
  they change point-in-time features of old cutoffs);
- `deleted_members` Salesforce campaign members that responded are soft-deleted
  (IsDeleted = true) and as many are removed from the file (a hard delete).

Same folder, seed and options give the same rows. Used by `leadscore bench` (a 1% incremental
day against a full build) and the incremental-build test.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb

from leadscore.landing import EXPORTS_BY_PATH

MARKETO_ACTIVITIES = EXPORTS_BY_PATH["marketo/activities.csv"]
WEB_EVENTS = EXPORTS_BY_PATH["web/events*.parquet"]  # a glob: split files are one table
CAMPAIGN_MEMBERS = EXPORTS_BY_PATH["salesforce/CampaignMember.csv"]
NEW_LEAD_TYPE_ID = "12"  # Marketo's "New Lead": a lead's creation, not a day's activity
DAY_SECONDS = 86_400


@dataclass(frozen=True)
class DayAppended:
    """What `append_day` added: rows per file and the new newest activity time."""

    marketo_rows: int
    web_rows: int
    late_rows: int
    soft_deleted: int
    removed: int
    newest_activity_at: str


def _sql_path(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def append_day(
    raw_dir: Path,
    *,
    share: float = 0.01,
    late_share: float = 0.0,
    deleted_members: int = 0,
    seed: int = 1,
) -> DayAppended:
    """Append one day of activity to the export folder `raw_dir` (see the module doc)."""
    if not 0 < share <= 1 or not 0 <= late_share <= 1:
        raise ValueError(f"share must be in (0, 1] and late_share in [0, 1]: {share}, {late_share}")
    activities = MARKETO_ACTIVITIES.path(raw_dir)
    events = WEB_EVENTS.path(raw_dir)  # a glob
    members = CAMPAIGN_MEMBERS.path(raw_dir)
    con = duckdb.connect()
    con.sql("set threads = 1")  # same rows on every machine: sampling below is seeded
    con.sql("set enable_progress_bar = false")
    con.sql(
        f"create table act as select * from read_csv({_sql_path(activities)}, all_varchar = true)"
    )
    con.sql(f"create table web as select * from read_parquet({_sql_path(events)})")
    newest = con.sql(
        "select greatest("
        "(select max(cast(activityDate as timestamptz)) from act), "
        "(select max(cast(timestamp as timestamptz)) from web))"
    ).fetchall()[0][0]
    oldest = con.sql("select min(cast(activityDate as timestamptz)) from act").fetchall()[0][0]
    span = int((newest - oldest).total_seconds())
    n_act = round(share * con.sql("select count(*) from act").fetchall()[0][0])
    n_web = round(share * con.sql("select count(*) from web").fetchall()[0][0])
    newest_sql = f"cast('{newest.isoformat()}' as timestamptz)"
    # a new row's time: in the day after the newest activity, or (late) anywhere earlier
    when = (
        f"case when hash(k, {seed}, 'late') % 1000000 < {round(late_share * 1_000_000)} "
        f"then {newest_sql} - to_seconds(1 + hash(k, {seed}, 'at') % {span}) "
        f"else {newest_sql} + to_seconds(1 + hash(k, {seed}, 'at') % {DAY_SECONDS - 1}) end"
    )
    con.sql(
        f"""
        create table new_act as
        with picked as (
            select *, row_number() over (order by hash(marketoGUID, {seed})) as k
            from act
            where activityTypeId <> '{NEW_LEAD_TYPE_ID}'
            order by hash(marketoGUID, {seed})
            limit {n_act}
        )
        select
            * exclude (marketoGUID, activityDate, k),
            cast((select max(cast(marketoGUID as bigint)) from act) + k as varchar)
                as marketoGUID,
            strftime(({when}) at time zone 'UTC', '%Y-%m-%dT%H:%M:%SZ') as activityDate,
            ({when}) < {newest_sql} as is_late
        from picked
        """
    )
    con.sql(
        f"""
        create table new_web as
        with picked as (
            select *, row_number() over (order by hash(messageId, {seed})) + 1000000 as k
            from web
            order by hash(messageId, {seed})
            limit {n_web}
        )
        select
            * exclude (messageId, timestamp, k),
            'ajs-day-' || md5(messageId || '{seed}') as messageId,
            strftime(({when}) at time zone 'UTC', '%Y-%m-%dT%H:%M:%SZ') as timestamp,
            ({when}) < {newest_sql} as is_late
        from picked
        """
    )
    late = con.sql(
        "select (select count(*) from new_act where is_late) "
        "+ (select count(*) from new_web where is_late)"
    ).fetchall()[0][0]
    newest_after = con.sql(
        "select greatest(max(cast(activityDate as timestamptz)), "
        "(select max(cast(timestamp as timestamptz)) from new_web)) from new_act"
    ).fetchall()[0][0]

    with tempfile.TemporaryDirectory(dir=raw_dir) as tmp:
        rows = Path(tmp) / "rows.csv"
        header = con.sql("select * from act limit 0").columns
        con.sql(
            f"copy (select {', '.join(_q(c) for c in header)} from new_act) "
            f"to {_sql_path(rows)} (header false)"
        )
        with activities.open("ab") as out, rows.open("rb") as new:
            shutil.copyfileobj(new, out)
        # the day's events as one more file of the split table (web/events*.parquet)
        day_file = events.parent / f"events-{newest_after:%Y%m%d}.parquet"
        web_columns = con.sql("select * from web limit 0").columns
        con.sql(
            f"copy (select {', '.join(_q(c) for c in web_columns)} from new_web) "
            f"to {_sql_path(day_file)} (format parquet)"
        )
        soft, removed = (
            _delete_members(con, members, Path(tmp), deleted_members, seed)
            if deleted_members
            else (0, 0)
        )
    return DayAppended(
        marketo_rows=n_act,
        web_rows=n_web,
        late_rows=int(late),
        soft_deleted=soft,
        removed=removed,
        newest_activity_at=newest_after.isoformat(),
    )


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _delete_members(
    con: duckdb.DuckDBPyConnection, members: Path, tmp: Path, count: int, seed: int
) -> tuple[int, int]:
    """Soft-delete `count` responded campaign members and remove `count` others."""
    con.sql(
        f"""
        create table cm as
        select *, row_number() over () as landed_row
        from read_csv({_sql_path(members)}, all_varchar = true)
        """
    )
    con.sql(
        f"""
        create table cm_picked as
        select Id, row_number() over (order by hash(Id, {seed})) as k
        from cm
        where HasResponded = 'true' and IsDeleted = 'false'
        order by hash(Id, {seed})
        limit {2 * count}
        """
    )
    columns = [c for c in con.sql("select * from cm limit 0").columns if c != "landed_row"]
    cols = ", ".join(
        "case when cm_picked.k is not null then 'true' else cm.IsDeleted end as IsDeleted"
        if c == "IsDeleted"
        else "cm." + _q(c)
        for c in columns
    )
    out = tmp / "members.csv"
    con.sql(
        f"""
        copy (
            select {cols}
            from cm
            left join cm_picked on cm.Id = cm_picked.Id and cm_picked.k <= {count}
            where cm.Id not in (select Id from cm_picked where k > {count})
            order by cm.landed_row
        ) to {_sql_path(out)} (header true)
        """
    )
    shutil.move(out, members)
    picked = con.sql("select count(*) from cm_picked").fetchall()[0][0]
    soft = min(count, picked)
    return soft, picked - soft


def main(argv: list[str] | None = None) -> None:
    """`python -m leadscore.generate.nextday RAW_DIR [SHARE]`: append a day (used by bench)."""
    import sys

    args = sys.argv[1:] if argv is None else argv
    if not 1 <= len(args) <= 2:
        raise SystemExit("usage: python -m leadscore.generate.nextday RAW_DIR [SHARE]")
    share = float(args[1]) if len(args) == 2 else 0.01
    print(append_day(Path(args[0]), share=share))


if __name__ == "__main__":
    main()
