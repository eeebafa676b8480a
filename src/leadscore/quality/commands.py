"""`leadscore validate` (registered in leadscore.cli)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from leadscore.config import Settings

out = Console()
err = Console(stderr=True)
STYLE = {"pass": "green", "warn": "yellow", "fail": "bold red"}


def validate_command(
    raw_dir: Annotated[
        Path | None,
        typer.Option("--raw-dir", help="Landing folder (default: LEADSCORE_RAW_DIR or data/raw)."),
    ] = None,
    report_dir: Annotated[
        Path | None,
        typer.Option(
            "--report-dir",
            help="Where HTML/JSON reports and last_counts.json (default reports/validation).",
        ),
    ] = None,
    layout: Annotated[
        list[str] | None,
        typer.Option(
            "--layout",
            metavar="SYSTEM=LAYOUT",
            help="A system's layout when it is not a hand export, e.g. hubspot=fivetran "
            "(repeatable; the dbt var <system>_layout).",
        ),
    ] = None,
    max_row_drop: Annotated[
        float,
        typer.Option(
            "--max-row-drop", min=0.0, max=1.0, help="Fail when rows drop more than this share."
        ),
    ] = 0.5,
    sample_rows: Annotated[
        int, typer.Option("--sample-rows", min=1, help="Rows per file given to Great Expectations.")
    ] = 50_000,
) -> None:
    """Check the landing files of every system found under the landing folder.

    File-level checks against the system contracts (docs/contract.md): presence, UTF-8, CSV
    structure, required columns under any accepted spelling, and row count against the
    previous load. Empty ids and duplicate keys are counted as warnings: staging rejects
    those rows with a reason. Writes an HTML report and a JSON summary; exits 1 when any file
    fails, 2 on usage errors.
    """
    from leadscore.quality.inbound import InboundSettings, validate_landing

    settings = Settings.from_env()
    raw = raw_dir or settings.raw_dir
    reports = report_dir or settings.reports_dir / "validation"
    from leadscore import contract

    systems = [x.name for x in contract.systems()]
    if not raw.is_dir() or not any((raw / name).is_dir() for name in systems):
        what = "does not exist" if not raw.is_dir() else "has no system folder"
        err.print(
            f"[red]The landing folder {raw} {what}[/red] (expected one or more of "
            f"{', '.join(f'{n}/' for n in systems)}): run `leadscore generate`, or point "
            "LEADSCORE_RAW_DIR (or --raw-dir) at your exports.",
            highlight=False,
        )
        raise typer.Exit(2)
    from leadscore.sources import parse_layouts

    try:
        layouts = parse_layouts(layout or [])
    except ValueError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    report = validate_landing(raw, reports, InboundSettings(max_row_drop, sample_rows), layouts)
    table = Table(title=f"Inbound validation of {raw}")
    for col in ("file", "status", "rows", "previous", "seconds", "first problem"):
        table.add_column(col, overflow="fold")
    for f in report.files:
        first = next((c.message for c in f.checks if c.status == f.status != "pass"), "")
        table.add_row(
            f.file,
            f"[{STYLE[f.status]}]{f.status}[/]",
            "" if f.rows is None else f"{f.rows:,}",
            "" if f.previous_rows is None else f"{f.previous_rows:,}",
            f"{f.seconds:.2f}",
            first.removeprefix(f"{f.file}: "),
        )
    out.print(table)
    for message in report.errors:
        err.print(f"[red]error[/red] {message}")
    err.print(f"Report: {report.html_path}  (JSON: {report.json_path})")
    if not report.passed:
        err.print(
            f"[bold red]Validation failed[/] ({len(report.errors)} errors): fix the "
            "exports before `leadscore run`."
        )
        raise typer.Exit(1)
    err.print(f"[green]All {len(report.files)} landing files passed[/] in {report.seconds:.1f}s.")
