"""`leadscore generate`: write realistic demo exports (and the truth folder)."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from leadscore.config import Settings
from leadscore.generate.core import check_paths, generate
from leadscore.generate.options import GenerateOptions

console = Console(stderr=True)


def _parse_start(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise typer.BadParameter(
            f"{value!r} is not a date; use YYYY-MM-DD, e.g. 2025-01-01", param_hint="--start"
        ) from exc


def generate_command(
    leads: Annotated[
        int,
        typer.Option("--leads", "-n", min=1, help="Number of distinct persons (leads) to create."),
    ] = 20_000,
    seed: Annotated[
        int, typer.Option("--seed", min=0, help="Random seed; same seed + options = same bytes.")
    ] = 7,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Landing folder for the exports (default: LEADSCORE_RAW_DIR, i.e. data/raw).",
        ),
    ] = None,
    truth_out: Annotated[
        Path | None,
        typer.Option(
            "--truth-out",
            help="Truth folder, never inside --out (default: `OUT/../truth`).",
        ),
    ] = None,
    start: Annotated[
        str, typer.Option("--start", help="First day of the simulated window (YYYY-MM-DD).")
    ] = "2025-01-01",
    months: Annotated[
        int,
        typer.Option(
            "--months", min=1, max=120, help="Window length; the export date is start + months."
        ),
    ] = 18,
) -> None:
    """Generate demo exports: Salesforce, HubSpot, Marketo, web events and intent.

    Files follow the landing-file contract (docs/exports.md): each system's own column names,
    vocabularies, id formats and time zones, with duplicates, typos, blanks and soft deletes.
    A separate truth folder holds every person's source ids, latent scores and outcome.
    Same seed and options give byte-identical files.
    """
    settings = Settings.from_env()
    start_date = _parse_start(start)
    out_dir = out if out is not None else settings.raw_dir
    if truth_out is not None:
        truth_dir = truth_out
    elif out is not None:
        truth_dir = out_dir.resolve().parent / "truth"
    else:
        truth_dir = settings.truth_dir
    try:
        check_paths(out_dir, truth_dir)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    opts = GenerateOptions(
        leads=leads, seed=seed, out=out_dir, truth_out=truth_dir, start=start_date, months=months
    )
    began = time.perf_counter()
    columns = (
        TextColumn("{task.description:<28}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=False) as bar:
        tasks: dict[str, int] = {}
        labels = {
            "population": "people, accounts, funnel",
            "persons": "per-person exports (chunks)",
            "accounts": "accounts, campaigns, intent",
            "truth": "truth folder",
        }

        def progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(labels.get(stage, stage), total=total)
            bar.update(tasks[stage], completed=done, total=total)

        try:
            manifest = generate(opts, progress)
        except OSError as exc:
            console.print(f"[red]Could not write the exports:[/red] {exc}")
            raise typer.Exit(1) from exc
    table = Table(title=f"Exports in {out_dir}", show_edge=False)
    table.add_column("file")
    table.add_column("rows", justify="right")
    rows = manifest["rows"]
    assert isinstance(rows, dict)
    for rel, count in rows.items():
        table.add_row(rel, f"{count:,}")
    console.print(table)
    console.print(
        f"[green]Generated[/green] {leads:,} leads (seed {seed}, export date "
        f"{manifest['export_at']}) in {time.perf_counter() - began:.1f}s; truth in {truth_dir}"
    )
