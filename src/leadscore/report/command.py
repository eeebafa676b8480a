"""`leadscore report`: the model report of the latest run, or (`--sales`) the owners' call
lists."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from leadscore.config import Settings
from leadscore.report.loader import ReportDataError, load_report_inputs
from leadscore.report.render import render_report
from leadscore.report.sales import render_sales_page
from leadscore.report.sales_loader import DEFAULT_TOP, load_sales_inputs

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
            help="Folder for index.html (and the chart PNGs) (default: LEADSCORE_REPORTS_DIR/"
            "model, or LEADSCORE_REPORTS_DIR/sales with --sales).",
        ),
    ] = None,
    sales: Annotated[
        bool,
        typer.Option(
            "--sales",
            help="Write the sales page instead: each owner's call list with grades, reasons, "
            "account and last activity, and what the grades mean.",
        ),
    ] = False,
    top: Annotated[
        int, typer.Option("--top", min=1, help="With --sales: leads shown per owner.")
    ] = DEFAULT_TOP,
    owner: Annotated[
        list[str] | None,
        typer.Option(
            "--owner",
            metavar="OWNER",
            help="With --sales: only this owner (id or name; repeatable).",
        ),
    ] = None,
    with_names: Annotated[
        bool,
        typer.Option(
            "--with-names",
            help="With --sales: show the leads' names and job titles (personal data; without "
            "it the page names companies and CRM ids only).",
        ),
    ] = False,
) -> None:
    """Write the model report (self-contained HTML + PNGs) for the latest run, or with
    `--sales` the sales page.

    Model report charts: lift and cumulative gains on the holdout, calibration by decile,
    conversion rate and score distribution by grade, top features, and drift against the
    previous run. Reads model_metrics, ml_holdout_predictions, ml_feature_importance,
    lead_scores and lead_score_history (read-only).

    `--sales` writes one page for a sales manager: what the grades mean and how each converted
    on the holdout (grade_legend), then per owner the top leads of sales_priority_queue in
    call order with grade, chance, expected value, the three reasons in words, the account and
    the lead's last activity (fct_lead_activities). No script: it opens offline and prints one
    owner per page.

    Prints the path of index.html; exits 2 when the warehouse or a table it needs is missing.
    """
    settings = Settings.from_env()
    db_path = db or settings.db_path
    if not sales:
        if owner or with_names:
            console.print("[red]--owner and --with-names go with --sales.[/red]")
            raise typer.Exit(2)
        out_dir = out or settings.reports_dir / "model"
        try:
            inputs = load_report_inputs(db_path)
        except ReportDataError as exc:
            console.print(f"[red]Cannot build the model report:[/red] {exc}", highlight=False)
            raise typer.Exit(2) from exc
        index = render_report(inputs, out_dir)
        print(index)
        return
    try:
        sales_inputs = load_sales_inputs(db_path, top=top, owners=owner, with_names=with_names)
    except ReportDataError as exc:
        console.print(f"[red]Cannot build the sales page:[/red] {exc}", highlight=False)
        raise typer.Exit(2) from exc
    index = render_sales_page(sales_inputs, out or settings.reports_dir / "sales")
    print(index)
