"""The first hour: --help that reads well, --version, first-run messages and exit codes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from leadscore.cli import FLOW, app

runner = CliRunner()


def _help(*args: str) -> str:
    result = runner.invoke(app, [*args, "--help"], env={"COLUMNS": "100"})
    assert result.exit_code == 0, result.output
    return result.output


def test_commands_are_listed_in_flow_order() -> None:
    text = _help()
    listed = [n for n in re.findall(r"│ (\w+)\s{2,}", text) if n in FLOW]
    assert listed == [n for n in FLOW if n in listed] and listed[:3] == [
        "generate",
        "validate",
        "run",
    ]


@pytest.mark.parametrize("command", ["", "generate", "validate", "run", "publish", "sync"])
def test_no_python_type_placeholders(command: str) -> None:
    text = _help(*([command] if command else []))
    assert not re.search(r"<(bool|str|path|int|float)>", text), text
    assert "<dataset>" not in text.replace("<name>", "")


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and re.match(r"leadscore \d+\.\d+", result.output)


def test_an_empty_landing_folder_says_what_to_do(tmp_path: Path) -> None:
    env = {"LEADSCORE_RAW_DIR": str(tmp_path), "LEADSCORE_DB": str(tmp_path / "w.duckdb")}
    for command in (["run"], ["validate"]):
        result = runner.invoke(app, command, env=env)
        assert result.exit_code == 2, result.output
        text = " ".join(result.output.split())
        assert "has no system folder" in text and "leadscore generate" in text
        assert text.count("missing") == 0  # one message, not a line per expected file


def test_an_unknown_dataset_is_a_usage_error(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["run", "--dataset", "foo"], env={"LEADSCORE_DB": str(tmp_path / "w.duckdb")}
    )
    assert result.exit_code == 2
    text = " ".join(result.output.split())
    assert "unknown dataset 'foo'" in text and "x_education" in text
    assert "dbt seed" not in text  # nothing started


def test_the_global_db_option_points_every_command_at_a_warehouse(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LEADSCORE_DB", str(tmp_path / "default.duckdb"))
    db = tmp_path / "elsewhere.duckdb"
    result = runner.invoke(app, ["--db", str(db), "status"])
    assert result.exit_code == 2
    assert f"No warehouse at {db}" in " ".join(result.output.split())
