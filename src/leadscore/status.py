"""`leadscore status`: what the last build produced, where it is, and how to read it.

The closing screen of `make demo`: champion quality, score mix, the top of the sales queue,
the published copy for BI with a query to paste, and the CRM sync outbox.
"""

from __future__ import annotations

from typing import Annotated

import duckdb
import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from leadscore.alerts import latest_alerts
from leadscore.config import Settings
from leadscore.overrides import override_summary, summary_lines
from leadscore.publish import published_db_path
from leadscore.quality._duck import find_table
from leadscore.query import STATUS_EXAMPLE, query_hint

console = Console(width=120)


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
    return con.sql(sql).fetchall()


def _print_grade_legend(con: duckdb.DuckDBPyConnection) -> None:
    """Grade legend from the `grade_legend` mart: what the letters and digits mean, and the
    holdout conversion and open leads per grade (a warehouse built before it has none)."""
    try:
        rows = con.sql(
            "select fit_letter, engagement_digit, fit_meaning, engagement_meaning, "
            "holdout_rows, holdout_conversion_rate, open_leads from grade_legend "
            "order by fit_letter, engagement_digit"
        ).fetchall()
    except duckdb.Error:
        return
    if not rows:
        return
    table = Table(
        title="Grades: holdout conversion within the horizon (holdout rows) / open leads",
        title_justify="left",
    )
    table.add_column("fit \\ engagement")
    digits = sorted({r[1] for r in rows})
    for digit in digits:
        table.add_column(digit, justify="right")
    for letter in sorted({r[0] for r in rows}):
        cells = []
        for digit in digits:
            match = [r for r in rows if r[0] == letter and r[1] == digit]
            if not match:
                cells.append("")
                continue
            _, _, _, _, n, rate, open_leads = match[0]
            shown = "-" if rate is None else f"{rate:.1%}"
            cells.append(f"{shown} ({n:,}) / {open_leads:,}")
        table.add_row(letter, *cells)
    console.print(table)
    meanings = {r[0]: r[2] for r in rows} | {r[1]: r[3] for r in rows}
    for key in sorted(meanings):
        console.print(f"  {key}: {meanings[key]}")


def _print_monitoring(con: duckdb.DuckDBPyConnection, limit: int = 8) -> None:
    """The newest model_monitoring measurement: warnings and breaches, worst first."""
    if find_table(con, "model_monitoring") is None:
        return  # a warehouse built before monitoring, or a dataset build
    alerts = latest_alerts(con)
    if not alerts:
        console.print("[green]Model monitoring: no warning or breach[/green] (model_monitoring)")
        return
    breaches = sum(a.status == "breach" for a in alerts)
    console.print(
        f"[bold yellow]Model monitoring[/bold yellow] at {alerts[0].measured_at}: "
        f"{breaches} breach(es), {len(alerts) - breaches} warning(s) (model_monitoring)"
    )
    for alert in alerts[:limit]:
        colour = "red" if alert.status == "breach" else "yellow"
        console.print(f"  [{colour}]{escape(alert.describe())}[/{colour}]", soft_wrap=True)
    if len(alerts) > limit:
        console.print(f"  ... and {len(alerts) - limit} more")


def status_command(
    top: Annotated[int, typer.Option("--top", min=1, help="Queue rows to show.")] = 10,
) -> None:
    """Summarise the last build: model quality, score mix, the sales queue, where to read it."""
    settings = Settings.from_env()
    if not settings.db_path.exists():
        console.print(f"[red]No warehouse at {settings.db_path}.[/red] Run `leadscore run`.")
        raise typer.Exit(2)
    try:
        con = duckdb.connect(str(settings.db_path), read_only=True)
    except duckdb.Error as exc:
        console.print(f"[red]Cannot open {settings.db_path} read-only:[/red] {exc}")
        raise typer.Exit(1) from exc
    try:
        champion = _rows(
            con,
            "select model_version, model_kind, roc_auc, pr_auc, lift_top_decile, ece, "
            "validation_scheme from ml_model_registry where status = 'champion' "
            "order by trained_at desc limit 1",
        )
        if champion:
            version, kind, auc, pr, lift, ece, scheme = champion[0]
            console.print(
                f"[bold]Champion[/bold] {version} ({kind}): holdout ROC-AUC {auc:.3f}, "
                f"PR-AUC {pr:.3f}, lift@10% {lift:.2f}, ECE {ece:.3f}\n  {scheme}"
            )
        else:
            console.print("[yellow]No champion model yet: scores come from policy rules.[/yellow]")
        _print_grade_legend(con)
        _print_monitoring(con)
        mix = _rows(
            con,
            "select score_status, count(*), round(avg(conversion_probability), 4), "
            "sum(case when is_mql then 1 else 0 end) from lead_scores group by 1 order by 1",
        )
        for status, n, prob, mqls in mix:
            console.print(f"  {status}: {n:,} open leads, mean probability {prob}, {mqls:,} MQLs")
        summary = override_summary(con)
        if summary is not None:
            for line in summary_lines(summary):
                console.print(line, highlight=False)
        # owner first: priority_rank is the place in that owner's call list, so the same
        # number appears once per owner
        queue_columns = con.sql("select * from sales_priority_queue limit 0").columns
        # what sales sees: a rep's override when there is one (effective_grade)
        grade = "effective_grade" if "effective_grade" in queue_columns else "grade"
        queue = con.sql(
            "select owner_name as owner, priority_rank as place, "
            "first_name || ' ' || last_name as lead, company_name as company, "
            f"{grade} as grade, score, "
            "printf('%.1f%%', 100 * conversion_probability) as chance, reason_1 "
            f"from sales_priority_queue order by expected_value desc limit {top}"
        )
        table = Table(
            title=f"Top {top} leads of the sales priority queue, by expected value",
            caption="place: the lead's place in its owner's call list; "
            "chance: calibrated probability of converting within the label horizon",
        )
        for name in queue.columns:
            table.add_column(name, overflow="fold")
        for row in queue.fetchall():
            table.add_row(*["" if v is None else str(v) for v in row])
        console.print(table)
    finally:
        con.close()
    published = published_db_path(settings.published_dir)
    if published.exists():
        # The stable path (a symlink swapped on every publish), never the version folder it
        # points to today: only the newest versions are kept, older ones are pruned.
        console.print(
            f"[bold]Published for BI[/bold] (read-only, always the newest version): "
            f"{escape(str(published.absolute()))}",
            soft_wrap=True,
        )
        console.print(
            f"  Parquet: {escape(str(published.parent.absolute() / 'parquet'))}", soft_wrap=True
        )
        console.print("  Query it from the shell:")
        console.print(
            f"  {query_hint(STATUS_EXAMPLE, published)}",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
    else:
        console.print("Not published yet: run `leadscore publish`.")
    outbox = settings.outbox_dir
    if outbox.exists():
        console.print(
            f"[bold]CRM sync outbox[/bold]: {outbox.resolve()} "
            "(after loading a batch: `leadscore sync --ack BATCH_ID`)"
        )
    console.print(f"[bold]Working warehouse[/bold]: {settings.db_path.resolve()}")
