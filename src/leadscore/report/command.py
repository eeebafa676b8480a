"""`leadscore report`: write the model report of the latest run."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from leadscore.config import Settings
from leadscore.report.loader import ReportDataError, load_report_inputs
from leadscore.report.render import render_report

console = Console(stderr=True)


def report_command(
    db: Annotated[
        Path | None,
        typer.Option("--db", help="DuckDB warehouse to read (default: LEADSCORE_DB)."),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Folder for index.html and the chart PNGs (default: LEADSCORE_REPORTS_DIR/model).",
        ),
    ] = None,
) -> None:
    """Write the model report (self-contained HTML + PNGs) for the latest run.

    Charts: lift and cumulative gains on the holdout, calibration by decile, conversion rate
    and score distribution by grade, top features, and drift against the previous run. Reads
    model_metrics, ml_holdout_predictions, ml_feature_importance, lead_scores and
    lead_score_history (read-only). Prints the path of index.html; exits 2 when the warehouse
    or one of those tables is missing.
    """
    settings = Settings.from_env()
    db_path = db or settings.db_path
    out_dir = out or settings.reports_dir / "model"
    try:
        inputs = load_report_inputs(db_path)
    except ReportDataError as exc:
        console.print(f"[red]Cannot build the model report:[/red] {exc}", highlight=False)
        raise typer.Exit(2) from exc
    index = render_report(inputs, out_dir)
    print(index)
