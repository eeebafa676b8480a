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
from leadscore.sync.engine import SyncResult

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
    """Write CRM update batches for leads whose score, grade, reasons or MQL flag changed.

    `--target salesforce` writes Bulk API 2.0 update CSVs (Id first, LF); `--target hubspot`
    writes CRM v3 batch-update JSON bodies. Only leads whose synced fields differ from the last
    *acknowledged* batch are written; a pending batch is re-offered under the same id. After
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
            result = _sync_or_ack(settings, target, ack, out, source, batch_size)
    except WarehouseError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(exc.exit_code) from exc
    if result is None:
        return
    assert target is not None
    if not result.batches:
        err.print(f"No changes to sync to {target.value}: nothing written.")
        return
    for line in batch_lines(result):
        typer.echo(line)
    if result.superseded:
        err.print(
            f"Superseded pending batches: {', '.join(result.superseded)}",
            soft_wrap=True,
            highlight=False,
        )
    err.print(summary_line(result), markup=False, highlight=False, soft_wrap=True)
    err.print(
        "After the CRM accepted a batch: leadscore sync --ack BATCH_ID (repeatable)",
        markup=False,
        highlight=False,
        soft_wrap=True,
    )


def summary_line(result: SyncResult) -> str:
    """One line per target: batches, records, new vs re-offered, where the manifest is."""
    n = len(result.batches)
    statuses = Counter(b.status for b in result.batches)
    mix = ", ".join(f"{count:,} {status}" for status, count in sorted(statuses.items()))
    return (
        f"{result.target}: {n:,} batch{'es' if n != 1 else ''}, "
        f"{result.records_written:,} records ({mix}); manifest {result.manifest}"
    )


def batch_lines(result: SyncResult) -> list[str]:
    """One plain line per batch (never cut, whatever the terminal width): the batch id first,
    as `--ack` needs it, then records, status and file name."""
    width = max(len(b.batch_id) for b in result.batches)
    return [
        f"{b.batch_id:<{width}}  {b.records:>6,}  {b.status:<10}  {b.file}".rstrip()
        for b in result.batches
    ]


def _sync_or_ack(
    settings: Settings,
    target: SyncTarget | None,
    ack: list[str] | None,
    out: Path | None,
    source: str | None,
    batch_size: int | None,
) -> SyncResult | None:
    """Acknowledge batches (returns None) or run the gate and write the changed rows."""
    from leadscore.sync.engine import ack_batches, run_sync

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
    return run_sync(settings.db_path, target.value, outdir, source=source, batch_size=batch_size)
