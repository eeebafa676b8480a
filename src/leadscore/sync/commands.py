"""`leadscore sync` (registered in leadscore.cli)."""

from __future__ import annotations

from collections import Counter
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from leadscore.config import Settings
from leadscore.quality._duck import WarehouseError
from leadscore.sync.engine import ACCOUNT_SUBDIR, SyncResult

err = Console(stderr=True)


class SyncTarget(StrEnum):
    salesforce = "salesforce"
    hubspot = "hubspot"


def sync_command(
    target: Annotated[
        SyncTarget | None,
        typer.Option("--target", "-t", help="CRM to write batches for.", case_sensitive=False),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Outbox folder (default: LEADSCORE_OUTBOX_DIR/TARGET)."),
    ] = None,
    ack: Annotated[
        list[str] | None,
        typer.Option(
            "--ack",
            metavar="BATCH_ID",
            help="Record that the CRM accepted this batch (repeatable).",
        ),
    ] = None,
    source: Annotated[
        str | None,
        typer.Option(
            "--source",
            help="Relation to read from (default crm_sync__lead_scores, else lead_scores).",
        ),
    ] = None,
    batch_size: Annotated[
        int | None,
        typer.Option(
            "--batch-size",
            min=1,
            max=10_000,
            help="Records per batch (default: salesforce 10000, hubspot 100 = API limit).",
        ),
    ] = None,
) -> None:
    """Write CRM update batches for leads and accounts whose score, grade, reasons or MQL / MQA
    flag changed.

    `--target salesforce` writes Bulk API 2.0 update CSVs (Id first, LF) for Leads, and for
    Accounts in the `accounts` sub-folder; `--target hubspot` writes CRM v3 batch-update JSON
    bodies for contacts and companies. Only records whose synced fields differ from the last
    *acknowledged* batch are written; a pending batch is re-offered under the same id; records
    without a CRM id are counted, not synced. After
    the CRM accepted a batch run `leadscore sync --ack BATCH_ID`. The outbound gate runs first:
    exit 1 if it fails (nothing written), 2 on usage errors or when there is no DB yet.
    """
    settings = Settings.from_env()
    if bool(target) == bool(ack):
        err.print("[red]Give either --target salesforce|hubspot or --ack BATCH_ID.[/red]")
        raise typer.Exit(2)
    from leadscore.locking import command_lock

    try:
        with command_lock(settings.db_path, "leadscore sync"):
            results = _sync_or_ack(settings, target, ack, out, source, batch_size)
    except WarehouseError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(exc.exit_code) from exc
    if results is None:
        return
    assert target is not None
    width = max((len(b.batch_id) for r in results for b in r.batches), default=0)
    for result in results:
        for line in batch_lines(result, width):
            typer.echo(line)
    for result in results:
        if result.superseded:
            err.print(
                f"Superseded pending batches: {', '.join(result.superseded)}",
                soft_wrap=True,
                highlight=False,
            )
        err.print(summary_line(result), markup=False, highlight=False, soft_wrap=True)
    if any(r.batches for r in results):
        err.print(
            "After the CRM accepted a batch: leadscore sync --ack BATCH_ID (repeatable)",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )


#: What a record of each type is called in each CRM, and what its id is called there.
CRM_RECORD: dict[tuple[str, str], tuple[str, str]] = {
    ("salesforce", "lead"): ("leads", "Salesforce Lead Id"),
    ("hubspot", "lead"): ("contacts", "HubSpot contact id"),
    ("salesforce", "account"): ("accounts", "Salesforce Account Id"),
    ("hubspot", "account"): ("companies", "HubSpot company id"),
}


def summary_line(result: SyncResult) -> str:
    """One line per stream: batches, records, new vs re-offered, where the manifest is, and the
    records left out for want of a CRM id."""
    noun, id_name = CRM_RECORD[(result.target, result.record_type)]
    label = result.target if result.record_type == "lead" else f"{result.target} {noun}"
    n = len(result.batches)
    if n:
        statuses = Counter(b.status for b in result.batches)
        mix = ", ".join(f"{count:,} {status}" for status, count in sorted(statuses.items()))
        records = result.records_written
        line = (
            f"{label}: {n:,} batch{'es' if n != 1 else ''}, "
            f"{records:,} record{'s' if records != 1 else ''} ({mix}); manifest {result.manifest}"
        )
    else:
        line = f"{label}: no changes to sync, nothing written"
    if result.without_crm_id:
        record = result.record_type if result.without_crm_id == 1 else f"{result.record_type}s"
        line += f"; {result.without_crm_id:,} {record} without a {id_name} not synced"
    return line


def batch_lines(result: SyncResult, width: int = 0) -> list[str]:
    """One plain line per batch (never cut, whatever the terminal width): the batch id first,
    as `--ack` needs it, then records, status and the file (account batches under
    `accounts/`, relative to the target's outbox)."""
    if not result.batches:
        return []
    width = max(width, *(len(b.batch_id) for b in result.batches))
    folder = f"{ACCOUNT_SUBDIR}/" if result.record_type == "account" else ""
    return [
        f"{b.batch_id:<{width}}  {b.records:>6,}  {b.status:<10}  {folder}{b.file}".rstrip()
        for b in result.batches
    ]


def _sync_or_ack(
    settings: Settings,
    target: SyncTarget | None,
    ack: list[str] | None,
    out: Path | None,
    source: str | None,
    batch_size: int | None,
) -> list[SyncResult] | None:
    """Acknowledge batches (returns None) or run the gate and write the changed rows."""
    from leadscore.sync.engine import ack_batches, sync_target

    if ack:
        for res in ack_batches(settings.db_path, ack):
            err.print(f"{res.batch_id}: {res.status} ({res.records} records)")
        return None
    assert target is not None
    from leadscore.publish import published_db_path
    from leadscore.quality.outbound import run_outbound_gate

    gate = run_outbound_gate(settings.db_path, published_db_path(settings.published_dir))
    if not gate.passed:
        err.print(f"[bold red]Nothing synced:[/] {gate.summary()}")
        raise typer.Exit(1)
    outdir = out or settings.outbox_dir / target.value
    return sync_target(settings.db_path, target.value, outdir, source=source, batch_size=batch_size)
