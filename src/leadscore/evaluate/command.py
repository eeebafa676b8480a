"""`leadscore evaluate`: the build measured against the demo generator's answer key."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from leadscore.config import Settings

console = Console()


def evaluate_command(
    db: Annotated[
        Path | None, typer.Option("--db", help="Warehouse to measure (default LEADSCORE_DB).")
    ] = None,
    truth_dir: Annotated[
        Path | None,
        typer.Option("--truth-dir", help="The generator's truth folder (default data/truth)."),
    ] = None,
) -> None:
    """Identity resolution and the champion's holdout quality against the generator's truth.

    Only for generated demo data: the truth folder knows every person's true identity and
    true probability. Prints pairwise precision/recall of identity resolution, the
    champion's holdout ROC-AUC next to the truth's ROC-AUC on the same rows, with ECE, and
    the same for the account model (opportunity on the account within the horizon).
    """
    from leadscore.evaluate.accounts import compare_accounts_with_truth
    from leadscore.evaluate.identity import evaluate_identity
    from leadscore.evaluate.scoring import compare_with_truth

    settings = Settings.from_env()
    db_path = db or settings.db_path
    truth = truth_dir or settings.truth_dir
    for path, what in ((db_path, "warehouse"), (truth / "persons.csv", "truth file")):
        if not path.exists():
            console.print(
                f"[red]No {what} at {path}.[/red] Run `make demo` or pass --db/--truth-dir."
            )
            raise typer.Exit(2)
    console.print(evaluate_identity(db_path, truth).summary())
    for compare in (compare_with_truth, compare_accounts_with_truth):
        try:
            console.print(compare(db_path, truth).summary())
        except ValueError as exc:
            console.print(f"[yellow]{exc}[/yellow]")
