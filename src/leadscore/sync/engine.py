"""Changed-rows sync: the ledger, batch planning, batch files and acknowledgements.

How a lead becomes due: for each CRM id the payload hash (md5 over the mapping's
`triggers_sync` columns: score, grade, reasons, MQL flag) is compared with the hash of the last
*acknowledged* ledger row for that id. Different (or never acknowledged) -> due.

Batches: due rows sorted by CRM id, cut into chunks of at most `batch_size` records. A batch
id is `<target>-<sha256(target, crm id, previous acked hash, new hash per row)[:20]>`, so the
same pending content always gets the same id: a second run before `--ack` re-offers the same
batch (same id, ledger rows not duplicated). Pending batches whose content is no longer due
(a newer run changed them) are marked `superseded_at` and their files removed.

Streams: one target's leads (`salesforce`, `hubspot`: Lead / contact rows from `lead_scores`)
and its accounts (`salesforce_account`, `hubspot_account`: Account / company rows from
`account_scores`, keyed by the CRM account object's id) are separate streams in the same ledger
(its `target` column holds the stream), each with its own batches and acknowledgements;
`sync_target` runs both for one CRM. Records without a CRM id are not synced and are counted.

Source (leads): the dbt model `crm_sync__lead_scores` (the pending changes per target as of the last
build, same rule and hash: macros/crm_sync.sql) when it exists, else `lead_scores`;
`--source` overrides. A source with a `target` column is filtered to this target; one with a
`payload_hash` column must agree with the hash computed here, or the sync stops (the two
definitions cannot drift silently). The ledger comparison at sync time stays authoritative:
acknowledgements made after the build drop out, so reading the model never re-sends.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from leadscore.quality._duck import WarehouseError, columns_of, connect, find_table
from leadscore.sync.formats import render, write_batch
from leadscore.sync.mapping import TARGET_API, TargetMapping, load_mapping, sync_stream

LEDGER = "sync_ledger"
API_MAX_RECORDS = 10_000  # hard ceiling for any batch (brief / Bulk API chunk size)
DEFAULT_BATCH_SIZE: dict[str, int] = {
    "salesforce": 10_000,
    # HubSpot's v3 batch endpoints accept at most 100 inputs per request; one file is one
    # request body, so a HubSpot batch holds at most 100 records by default.
    "hubspot": 100,
}
DEFAULT_SOURCES = ("crm_sync__lead_scores", "lead_scores")
#: Sub-folder of a target's outbox that holds its account batches and their manifest.
ACCOUNT_SUBDIR = "accounts"

LEDGER_DDL = f"""
create table if not exists {LEDGER} (
    batch_id varchar not null,
    target varchar not null,
    crm_id varchar not null,
    payload_hash varchar not null,
    previous_hash varchar,
    created_at timestamp not null,
    acked_at timestamp,
    superseded_at timestamp,
    primary key (batch_id, crm_id)
)
"""


@dataclass
class BatchInfo:
    batch_id: str
    file: str
    records: int
    sha256: str
    status: str  # new | re-offered


@dataclass
class SyncResult:
    target: str
    out_dir: Path
    source: str
    due_records: int
    batches: list[BatchInfo] = field(default_factory=list)
    superseded: list[str] = field(default_factory=list)
    manifest: Path | None = None
    record_type: str = "lead"
    #: records of this type in their table (lead_scores / account_scores) without a CRM id of
    #: this target: never synced; None when that table is not in the database
    without_crm_id: int | None = None

    @property
    def stream(self) -> str:
        return sync_stream(self.target, self.record_type)

    @property
    def records_written(self) -> int:
        return sum(b.records for b in self.batches)


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def ensure_ledger(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(LEDGER_DDL)


def _source_relation(
    con: duckdb.DuckDBPyConnection, source: str | None, mapping: TargetMapping
) -> str:
    defaults = DEFAULT_SOURCES if mapping.record_type == "lead" else (mapping.table,)
    names = (source,) if source else defaults
    for name in names:
        rel = find_table(con, name)
        if rel:
            return rel
    raise WarehouseError(
        f"No `{names[0]}` table in the working database. Run `leadscore run` first.", exit_code=2
    )


def _batch_id(target: str, rows: list[tuple[Any, ...]]) -> str:
    digest = hashlib.sha256(target.encode())
    for crm_id, prev, new in rows:
        digest.update(f"\n{crm_id}\t{prev or ''}\t{new}".encode())
    return f"{target}-{digest.hexdigest()[:20]}"


def _count_without_crm_id(con: duckdb.DuckDBPyConnection, mapping: TargetMapping) -> int | None:
    """Rows of the record type's own table with no CRM id for this target (None: no table)."""
    rel = find_table(con, mapping.table)
    if not rel or mapping.key.source_column.lower() not in {
        c.lower() for c in columns_of(con, rel)
    }:
        return None
    key = f'cast("{mapping.key.source_column}" as varchar)'
    return int(
        con.sql(f"select count(*) from {rel} where {key} is null or trim({key}) = ''").fetchall()[
            0
        ][0]
    )


def _stage_due_rows(
    con: duckdb.DuckDBPyConnection, mapping: TargetMapping, rel: str, batch_size: int
) -> int:
    """Build temp table _sync_due (crm_id, prev_hash, payload_hash, c0.., batch_no); count."""
    available = {c.lower() for c in columns_of(con, rel)}
    needed = [mapping.key.source_column, *(f.source_column for f in mapping.fields)]
    missing = [c for c in needed if c.lower() not in available]
    if missing:
        raise WarehouseError(
            f"{rel} lacks column(s) {', '.join(missing)} named in the CRM field mapping.",
            exit_code=1,
        )
    key = f'cast("{mapping.key.source_column}" as varchar)'
    cols = ", ".join(f'"{f.source_column}" as c{i}' for i, f in enumerate(mapping.fields))
    trig = ", ".join(
        f"coalesce(cast(\"{c}\" as varchar), '<null>')" for c in mapping.trigger_columns
    )
    # crm_sync__lead_scores holds every target's rows and its own payload_hash.
    per_target = "target" in available
    declared = ', "payload_hash" as declared_hash' if "payload_hash" in available else ""
    con.execute(
        f"""
        create or replace temp table _sync_current as
        select * from (
            select {key} as crm_id, {cols}, md5(concat_ws(chr(31), {trig})) as payload_hash
                {declared}
            from {rel}
            where {key} is not null and trim({key}) <> ''
                {"and target = $target" if per_target else ""}
        )
        qualify row_number() over (partition by crm_id order by payload_hash) = 1
        """,
        {"target": mapping.stream} if per_target else None,
    )
    if declared:
        drift = con.sql(
            "select count(*) from _sync_current where declared_hash is distinct from payload_hash"
        ).fetchall()[0][0]
        if drift:
            raise WarehouseError(
                f"{rel}.payload_hash disagrees with the sync engine's hash for {drift} "
                f"{mapping.stream} row(s): rebuild it (`dbt build --select {rel}`) after "
                "changing the mapping seed or macros/crm_sync.sql, or sync with "
                "`--source lead_scores`.",
                exit_code=1,
            )
    con.execute(
        f"""
        create or replace temp table _sync_due as
        with acked as (
            select crm_id, payload_hash from {LEDGER}
            where target = ? and acked_at is not null
            qualify row_number() over (
                partition by crm_id order by acked_at desc, created_at desc) = 1
        )
        select c.*, a.payload_hash as prev_hash,
               (row_number() over (order by c.crm_id) - 1) // {int(batch_size)} as batch_no
        from _sync_current c left join acked a on a.crm_id = c.crm_id
        where a.payload_hash is distinct from c.payload_hash
        """,
        [mapping.stream],
    )
    return int(con.sql("select count(*) from _sync_due").fetchall()[0][0])


def run_sync(
    db_path: Path,
    target: str,
    out_dir: Path,
    *,
    source: str | None = None,
    batch_size: int | None = None,
    mapping_path: Path | None = None,
    record_type: str = "lead",
) -> SyncResult:
    """Write batch files for every due record of one stream (`target`'s leads, or its accounts
    with record_type="account") into `out_dir`; see module docstring."""
    mapping = load_mapping(target, mapping_path, record_type=record_type)
    stream = mapping.stream
    size = batch_size or DEFAULT_BATCH_SIZE[target]
    if not 1 <= size <= API_MAX_RECORDS:
        raise WarehouseError(f"--batch-size must be 1..{API_MAX_RECORDS}.", exit_code=2)
    con = connect(db_path, read_only=False)
    try:
        ensure_ledger(con)
        rel = _source_relation(con, source, mapping)
        due = _stage_due_rows(con, mapping, rel, size)
        result = SyncResult(
            target=target,
            out_dir=out_dir,
            source=rel,
            due_records=due,
            record_type=record_type,
            without_crm_id=_count_without_crm_id(con, mapping),
        )
        ncols = len(mapping.fields)
        select_cols = ", ".join(f"c{i}" for i in range(ncols))
        rows = con.sql(
            f"select batch_no, crm_id, prev_hash, payload_hash, {select_cols} "
            "from _sync_due order by crm_id"
        ).fetchall()
        batches: list[tuple[str, int, list[tuple[Any, ...]]]] = []
        for start in range(0, len(rows), size):
            chunk = rows[start : start + size]
            bid = _batch_id(stream, [(r[1], r[2], r[3]) for r in chunk])
            batches.append((bid, int(chunk[0][0]), chunk))
        known = {
            r[0]
            for r in con.execute(
                f"select distinct batch_id from {LEDGER} where target = ?", [stream]
            ).fetchall()
        }
        now = _now()
        con.execute("begin transaction")
        try:
            for bid, batch_no, _chunk in batches:
                if bid in known:
                    # Re-offer: clear any superseded mark, never duplicate rows.
                    con.execute(
                        f"update {LEDGER} set superseded_at = null "
                        "where batch_id = ? and acked_at is null",
                        [bid],
                    )
                    continue
                con.execute(
                    f"insert into {LEDGER} select ?, ?, crm_id, payload_hash, prev_hash, ?, "
                    "null, null from _sync_due where batch_no = ?",
                    [bid, stream, now, batch_no],
                )
            offered = [b[0] for b in batches] or [""]
            marks = ",".join("?" for _ in offered)
            stale = con.execute(
                f"select distinct batch_id from {LEDGER} where target = ? and acked_at is null "
                f"and superseded_at is null and batch_id not in ({marks})",
                [stream, *offered],
            ).fetchall()
            result.superseded = sorted(r[0] for r in stale)
            if result.superseded:
                smarks = ",".join("?" for _ in result.superseded)
                con.execute(
                    f"update {LEDGER} set superseded_at = ? where batch_id in ({smarks}) "
                    "and acked_at is null",
                    [now, *result.superseded],
                )
            con.execute("commit")
        except Exception:
            con.execute("rollback")
            raise
    finally:
        con.close()

    for bid in result.superseded:
        for suffix in (".csv", ".json"):
            (out_dir / f"{bid}{suffix}").unlink(missing_ok=True)
    if not batches:
        return result  # nothing due: write nothing
    for bid, _batch_no, chunk in batches:
        suffix, data = render(mapping, [(r[1], *r[4:]) for r in chunk])
        path = out_dir / f"{bid}{suffix}"
        write_batch(path, data)
        result.batches.append(
            BatchInfo(
                batch_id=bid,
                file=path.name,
                records=len(chunk),
                sha256=hashlib.sha256(data).hexdigest(),
                status="re-offered" if bid in known else "new",
            )
        )
    manifest = {
        "target": target,
        "record_type": record_type,
        "stream": stream,
        "generated_at": now.isoformat(timespec="seconds") + "Z",
        "working_db": str(db_path),
        "source": rel,
        "api": TARGET_API[stream],
        "max_records_per_batch": size,
        "records": result.records_written,
        "batches": [asdict(b) for b in result.batches],
        "superseded": result.superseded,
        "acknowledge": "leadscore sync --ack <batch_id> (once the CRM accepted the batch)",
    }
    result.manifest = out_dir / "manifest.json"
    write_batch(result.manifest, (json.dumps(manifest, indent=2) + "\n").encode())
    return result


def sync_target(
    db_path: Path,
    target: str,
    out_dir: Path,
    *,
    source: str | None = None,
    batch_size: int | None = None,
) -> list[SyncResult]:
    """Both streams of one CRM: its leads into `out_dir`, then, when `account_scores` is in the
    database, its accounts into `out_dir/accounts` (`source` names the leads' relation only)."""
    results = [run_sync(db_path, target, out_dir, source=source, batch_size=batch_size)]
    with connect(db_path, read_only=True) as con:
        has_accounts = find_table(con, load_mapping(target, record_type="account").table)
    if has_accounts:
        results.append(
            run_sync(
                db_path,
                target,
                out_dir / ACCOUNT_SUBDIR,
                batch_size=batch_size,
                record_type="account",
            )
        )
    return results


@dataclass
class AckResult:
    batch_id: str
    records: int
    status: str  # acknowledged | already-acknowledged


def ack_batches(db_path: Path, batch_ids: list[str]) -> list[AckResult]:
    """Record delivery of batches; unknown ids raise WarehouseError (exit 2)."""
    con = connect(db_path, read_only=False)
    try:
        ensure_ledger(con)
        out: list[AckResult] = []
        now = _now()
        for bid in batch_ids:
            total, pending = con.execute(
                f"select count(*), count(*) filter (where acked_at is null) from {LEDGER} "
                "where batch_id = ?",
                [bid],
            ).fetchall()[0]
            if total == 0:
                raise WarehouseError(
                    f"Unknown batch id {bid!r}: see manifest.json in the outbox for pending "
                    "batches.",
                    exit_code=2,
                )
            if pending == 0:
                out.append(AckResult(bid, int(total), "already-acknowledged"))
                continue
            con.execute(
                f"update {LEDGER} set acked_at = ? where batch_id = ? and acked_at is null",
                [now, bid],
            )
            out.append(AckResult(bid, int(pending), "acknowledged"))
        return out
    finally:
        con.close()
