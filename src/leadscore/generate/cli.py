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
from leadscore.generate.options import GenerateOptions, product_line_keys

console = Console(stderr=True)


def _parse_start(value: str, param_hint: str = "--start") -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise typer.BadParameter(
            f"{value!r} is not a date; use YYYY-MM-DD, e.g. 2025-01-01", param_hint=param_hint
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
    layout: Annotated[
        str,
        typer.Option(
            "--layout",
            help="export: files as each tool exports them. fivetran or airbyte: the same records "
            "as that connector lands them (Parquet per table under --out, or --into-db).",
        ),
    ] = "export",
    systems: Annotated[
        str | None,
        typer.Option(
            "--systems",
            metavar="LIST",
            help="Comma-separated systems to keep, e.g. salesforce or hubspot,marketo "
            "(default: all of salesforce, hubspot, marketo, web, intent).",
        ),
    ] = None,
    into_db: Annotated[
        Path | None,
        typer.Option(
            "--into-db",
            help="With --layout fivetran/airbyte: write the tables into this DuckDB file, one "
            "schema per system, as a connector would (point <system>_schema at it).",
        ),
    ] = None,
    shift: Annotated[
        str | None,
        typer.Option(
            "--shift",
            metavar="KIND",
            help="Inject a regime change from --shift-at on: upmarket (the ideal customer moves "
            "to larger companies) or product_line:NAME (that line's conversion doubles; NAME "
            f"one of {', '.join(product_line_keys())}). The truth folder follows it.",
        ),
    ] = None,
    shift_at: Annotated[
        str | None,
        typer.Option(
            "--shift-at",
            metavar="YYYY-MM-DD",
            help="First day of the regime change: it applies to leads created on/after it.",
        ),
    ] = None,
    into_spark: Annotated[
        bool,
        typer.Option(
            "--into-spark",
            help="With --layout fivetran/airbyte: also land the Parquet tables as Spark tables "
            "<system>.<table> in LEADSCORE_SPARK_WAREHOUSE (for `leadscore run --target spark`).",
        ),
    ] = False,
) -> None:
    """Generate demo exports: Salesforce, HubSpot, Marketo, web events and intent.

    Files follow the landing-file contract (docs/exports.md): each system's own column names,
    vocabularies, id formats and time zones, with duplicates, typos, blanks and soft deletes.
    A separate truth folder holds every person's source ids, latent scores and outcome.
    Same seed and options give byte-identical files.
    """
    from leadscore import contract
    from leadscore.generate.layouts import LAYOUTS

    settings = Settings.from_env()
    start_date = _parse_start(start)
    if layout not in LAYOUTS:
        raise typer.BadParameter(f"use one of {', '.join(LAYOUTS)}", param_hint="--layout")
    known = [s.name for s in contract.systems()]
    keep = [x.strip() for x in systems.split(",") if x.strip()] if systems else known
    unknown = [x for x in keep if x not in known]
    if unknown or not keep:
        raise typer.BadParameter(
            f"unknown system(s) {unknown}; known: {', '.join(known)}", param_hint="--systems"
        )
    if into_db is not None and layout == "export":
        raise typer.BadParameter("needs --layout fivetran or airbyte", param_hint="--into-db")
    if into_spark and (layout == "export" or into_db is not None):
        raise typer.BadParameter(
            "needs --layout fivetran or airbyte (Parquet under --out), not --into-db",
            param_hint="--into-spark",
        )
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
    shift_date = None if shift_at is None else _parse_start(shift_at, "--shift-at")
    try:
        opts = GenerateOptions(
            leads=leads,
            seed=seed,
            out=out_dir,
            truth_out=truth_dir,
            start=start_date,
            months=months,
            shift=shift,
            shift_at=shift_date,
        )
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--shift/--shift-at") from exc
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
    if layout != "export":
        _to_layout(out_dir, layout, keep, into_db, manifest)
    if into_spark:
        _into_spark(out_dir, keep)
    elif set(keep) != set(known):
        from leadscore.generate.layouts import keep_systems

        for name in keep_systems(out_dir, keep):
            manifest["rows"] = {  # type: ignore[assignment]
                k: v
                for k, v in manifest["rows"].items()
                if not k.startswith(f"{name}/")  # type: ignore[union-attr]
            }
    table = Table(title=f"{layout} layout in {into_db or out_dir}", show_edge=False)
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


def _into_spark(out_dir: Path, keep: list[str]) -> None:
    """Land `<out>/<system>/<table>.parquet` as Spark tables (a local SparkSession)."""
    from leadscore import spark

    try:
        settings = spark.SparkSettings.from_env()
        session = spark.session(settings)
    except spark.SparkUnavailable as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    began = time.perf_counter()
    landed = spark.land_parquet(session, out_dir, keep)
    session.stop()
    console.print(
        f"Landed {len(landed)} Spark tables in {settings.warehouse} "
        f"({time.perf_counter() - began:.1f}s)"
    )


def _to_layout(
    out_dir: Path, layout: str, keep: list[str], into_db: Path | None, manifest: dict
) -> None:
    """Rewrite the generated hand exports as a connector lands them, in place of the files."""
    import shutil
    import tempfile

    from leadscore.generate.layouts import convert

    with tempfile.TemporaryDirectory(dir=out_dir.parent) as tmp:
        staged = Path(tmp) / "export"
        shutil.move(str(out_dir), staged)
        out_dir.mkdir(parents=True)
        if into_db is not None:
            into_db.parent.mkdir(parents=True, exist_ok=True)
            into_db.unlink(missing_ok=True)
        done = convert(
            staged,
            layout,
            systems=keep,
            out_dir=None if into_db else out_dir,
            into_db=into_db,
            synced_at=str(manifest["export_at"]).replace("T", " ").removesuffix("Z")[:19],
        )
    manifest["rows"] = {f"{c.system}.{c.table}": c.rows for c in done}
