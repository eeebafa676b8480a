"""The `leadscore` command line: generate, validate, run, publish, sync, report, bench."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from typer.core import TyperGroup

from leadscore.bench import bench_command
from leadscore.config import Settings
from leadscore.dbt import DbtError, run_dbt
from leadscore.evaluate.command import evaluate_command
from leadscore.generate.cli import generate_command
from leadscore.publish import publish_command
from leadscore.quality.commands import validate_command
from leadscore.report.command import report_command
from leadscore.status import status_command
from leadscore.sync.commands import sync_command

#: Commands in the order a user meets them (help lists them so); others follow.
FLOW = (
    "generate",
    "validate",
    "run",
    "publish",
    "query",
    "sync",
    "report",
    "status",
    "evaluate",
    "bench",
    "contract",
)
#: Value placeholders shown in --help, by option (typer's default is the Python type).
METAVARS = {
    "select": "SELECTOR",
    "dbt_vars": "JSON",
    "dataset": "NAME",
    "layout": "SYSTEM=LAYOUT",
    "systems": "LIST",
    "target": "CRM",
    "ack": "BATCH_ID",
    "db": "FILE",
    "engine": "ENGINE",
}


def _tidy(command: Any) -> None:
    """Help placeholders: none on flags (and --help), a word for every value option."""
    for param in command.params:
        if getattr(param, "is_flag", False) or getattr(param, "count", False):
            param.metavar = ""
        elif param.metavar is None and param.name:
            kind = param.bare_type() if hasattr(param, "bare_type") else ""
            word = {"Path": "PATH", "int": "N", "float": "NUMBER"}.get(kind)
            param.metavar = METAVARS.get(param.name) or word or param.name.upper()
    original = command.get_help_option

    def get_help_option(ctx: Any) -> Any:
        option = original(ctx)
        if option is not None:
            option.metavar = ""
        return option

    command.get_help_option = get_help_option


class LeadscoreGroup(TyperGroup):
    """The command group with help that reads well: commands in flow order, no `<bool>`
    placeholder on flags, a word (not a Python type) for every value."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for command in [self, *self.commands.values()]:
            _tidy(command)

    def list_commands(self, ctx: object) -> list[str]:  # type: ignore[override]
        names = list(self.commands)
        return [n for n in FLOW if n in names] + [n for n in names if n not in FLOW]


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        typer.echo(f"leadscore {version('leadscore')}")
        raise typer.Exit()


app = typer.Typer(
    cls=LeadscoreGroup,
    name="leadscore",
    help=(
        "Warehouse-native predictive lead scoring.\n\n"
        "Typical flow: `leadscore generate` (demo exports) -> `leadscore run` (dbt seed + build) "
        "-> `leadscore publish` / `leadscore sync`. Paths come from LEADSCORE_DB and "
        "LEADSCORE_RAW_DIR."
    ),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="markdown",
)
console = Console(stderr=True)


@app.callback()
def main_options(
    db: Annotated[
        Path | None,
        typer.Option(
            "--db",
            help="The warehouse (DuckDB file) every command works on; default LEADSCORE_DB, "
            "else warehouse/leadscore.duckdb.",
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Warehouse-native predictive lead scoring."""
    import os

    if db is not None:
        os.environ["LEADSCORE_DB"] = str(db.resolve())


app.command("generate")(generate_command)
app.command("validate")(validate_command)
app.command("publish")(publish_command)
app.command("query")(__import__("leadscore.query", fromlist=["query_command"]).query_command)
app.command("sync")(sync_command)
app.command("report")(report_command)
app.command("bench")(bench_command)
app.command("status")(status_command)
app.command("evaluate")(evaluate_command)
app.command("simulate")(
    __import__("leadscore.simulate", fromlist=["simulate_command"]).simulate_command
)


@app.command("contract")
def contract_command(
    write: Annotated[
        bool,
        typer.Option("--write", help="Write docs/contract.md instead of printing to stdout."),
    ] = False,
) -> None:
    """The landing contracts as Markdown: each system's tables, columns, types and layouts.

    Generated from macros/systems/<system>.sql, the declarations staging and `leadscore
    validate` read; docs/contract.md is this output (a test keeps it current).
    """
    from leadscore.config import PROJECT_DIR
    from leadscore.contract import render_markdown

    text = render_markdown()
    if write:
        path = PROJECT_DIR / "docs" / "contract.md"
        path.write_text(text, encoding="utf-8")
        console.print(f"Wrote {path}")
    else:
        typer.echo(text, nl=False)


@app.command("run")
def run(
    select: Annotated[
        str | None, typer.Option("--select", "-s", help="dbt selector (default: everything).")
    ] = None,
    dbt_vars: Annotated[
        str | None,
        typer.Option("--vars", help="dbt vars as JSON, e.g. '{\"force_retrain\": true}'."),
    ] = None,
    full_refresh: Annotated[
        bool,
        typer.Option(
            "--full-refresh",
            help="Rebuild the incremental tables derived from the inputs (activities, "
            "point-in-time features, CRM sync) from scratch; the model registry, score history "
            "and monitoring history are kept.",
        ),
    ] = False,
    validate: Annotated[
        bool,
        typer.Option(
            "--validate/--skip-validate",
            help="Check landing files with Great Expectations before dbt (stops on failure).",
        ),
    ] = True,
    dataset: Annotated[
        str,
        typer.Option(
            "--dataset",
            help="demo (generated exports), or a one-table dataset: a folder "
            "`datasets/<name>/` (x_education, olist_funnel, yours).",
        ),
    ] = "demo",
    data_dir: Annotated[
        Path | None,
        typer.Option(
            "--data-dir",
            help="Folder that holds the dataset's folder of files; default "
            "LEADSCORE_DATASETS_DIR, else ../shared/datasets.",
        ),
    ] = None,
    engine: Annotated[
        str,
        typer.Option(
            "--target",
            help="duckdb (LEADSCORE_DB), or spark: the same project on Apache Spark "
            "(LEADSCORE_SPARK_WAREHOUSE; sources are Spark tables, one database per system).",
        ),
    ] = "duckdb",
) -> None:
    """Validate landing files, load seeds and `dbt build` on LEADSCORE_DB.

    Every layer is gated by its tests: the first layer whose error-severity tests fail stops
    the build, and nothing downstream of it is rebuilt. Publish for BI afterwards with
    `leadscore publish` (it runs the outbound gate first).
    """
    settings = Settings.from_env()
    parsed: dict[str, object] = {}
    if dbt_vars:
        try:
            parsed = json.loads(dbt_vars)
        except json.JSONDecodeError as exc:
            raise typer.BadParameter(f"--vars is not valid JSON: {exc}") from exc
    if engine not in ("duckdb", "spark"):
        raise typer.BadParameter("use duckdb or spark", param_hint="--target")
    if engine == "spark":
        _run_spark(select, parsed, full_refresh)
        return
    if dataset != "demo":
        from leadscore.datasets import dataset_files

        known = ["demo", *dataset_files()]
        if dataset not in known:
            raise typer.BadParameter(
                f"unknown dataset {dataset!r}; known: {', '.join(known)} (a dataset is a "
                "folder datasets/<name>/, see docs/add-your-own-export.md)",
                param_hint="--dataset",
            )
        _run_dataset(dataset, data_dir, select, parsed, full_refresh)
        return
    from leadscore.sources import select_systems

    selection = select_systems(parsed, settings.raw_dir)
    if not selection.enabled:
        what = "does not exist" if not settings.raw_dir.is_dir() else "has no system folder"
        console.print(
            f"[red]The landing folder {settings.raw_dir} {what}[/red]: run `leadscore "
            "generate`, point LEADSCORE_RAW_DIR at your exports, or set <system>_schema for "
            "connector tables (README: Connect your data).",
            highlight=False,
        )
        raise typer.Exit(2)
    from leadscore import contract

    optional = {s.name for s in contract.systems() if s.optional}
    for name in selection.switched_off:
        if name in optional:
            continue
        console.print(
            f"[yellow]{name}[/yellow]: no folder {settings.raw_dir / name}; running without it "
            f"({name}_enabled: false)."
        )
    parsed = {**selection.dbt_vars(), **parsed}
    from leadscore.locking import command_lock

    with command_lock(settings.db_path, "leadscore run"):
        if validate and selection.from_files:
            from leadscore.quality.inbound import validate_landing

            console.print("[bold]Inbound validation[/bold] (Great Expectations)")
            report = validate_landing(
                settings.raw_dir,
                settings.reports_dir / "validation",
                layouts=selection.layouts,
                systems=set(selection.from_files),
            )
            failed = [f for f in report.files if f.status == "fail"]
            if failed:
                for f in failed:
                    problems = [c.message for c in f.checks if c.status == "fail"][:3]
                    console.print(f"[red]{f.file}[/red]: " + "; ".join(problems))
                console.print(
                    f"[red]Landing files failed validation; dbt did not run.[/red] "
                    f"Report: {report.html_path}"
                )
                raise typer.Exit(1)
        extra = ["--full-refresh"] if full_refresh else []
        selector = ["--select", select] if select else []
        try:
            console.print("[bold]dbt seed[/bold]")
            run_dbt(["seed", *extra], settings, dbt_vars=parsed)
            console.print("[bold]dbt build[/bold]")
            run_dbt(["build", *selector, *extra], settings, dbt_vars=parsed)
        except DbtError as exc:
            _print_error(exc)
            raise typer.Exit(1) from exc
    console.print(f"[green]Built[/green] {settings.db_path}")


def _run_spark(select: str | None, dbt_vars: dict[str, object], full_refresh: bool) -> None:
    """`run --target spark`: dbt on Spark, the ML step through the package, the scoring marts."""
    from leadscore import spark
    from leadscore.spark_run import run_spark

    try:
        result = run_spark(
            dbt_vars,
            select=[select] if select else [],
            full_refresh=full_refresh,
            say=lambda text: console.print(f"[bold]{text}[/bold]", highlight=False),
        )
    except spark.SparkUnavailable as exc:
        _print_error(exc)
        raise typer.Exit(2) from exc
    except (DbtError, RuntimeError) as exc:
        _print_error(exc)
        raise typer.Exit(1) from exc
    steps = ", ".join(f"{k} {v:.0f}s" for k, v in result.seconds.items())
    console.print(
        f"[green]Built on Spark[/green] {spark.SparkSettings.from_env().warehouse} "
        f"(systems {', '.join(result.systems)}; {steps})"
    )


def _print_error(exc: Exception) -> None:
    """The whole message, never cut, never read as rich markup (it may hold [brackets])."""
    console.print(str(exc), style="red", markup=False, highlight=False, soft_wrap=True)


def _run_dataset(
    dataset: str,
    data_dir: Path | None,
    select: str | None,
    dbt_vars: dict[str, object],
    full_refresh: bool,
) -> None:
    """`run --dataset`: seed + build on the dataset's own DuckDB file, then the headline."""
    from leadscore.datasets import (
        DatasetError,
        dataset_settings,
        headline,
        resolve_data_dir,
        run_dataset,
    )
    from leadscore.locking import command_lock

    folder = resolve_data_dir(data_dir)
    try:
        console.print(f"[bold]dbt seed + build[/bold] (dataset {dataset}, data {folder})")
        with command_lock(dataset_settings(dataset).db_path, "leadscore run --dataset " + dataset):
            settings = run_dataset(
                dataset, folder, select=select, dbt_vars=dbt_vars, full_refresh=full_refresh
            )
        summary = headline(settings.db_path)
    except (DatasetError, DbtError) as exc:
        _print_error(exc)
        raise typer.Exit(1) from exc
    console.print(f"[green]Built[/green] {settings.db_path}")
    for line in summary.lines():
        typer.echo(line)


if __name__ == "__main__":  # pragma: no cover
    app()
