"""Shared pytest fixtures: small generated exports and a dbt build in a temp workspace.

`built_project` is session-scoped and reusable by every test file: it generates demo exports
(seed 7, a couple of thousand leads) into a temp dir and runs `dbt seed` + `dbt build` of the
canonical lead schema (staging, intermediate, core and quality marts) into a temp DuckDB,
with its own dbt target and log folders, so tests never touch warehouse/ or target/ and
never collide with another engineer's dbt run.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from leadscore.config import PROJECT_DIR, Settings
from leadscore.dbt import run_dbt

TEST_LEADS = 2000
TEST_SEED = 7
# The layers this fixture builds; other layers can build on the same workspace.
CANONICAL_SELECT: tuple[str, ...] = (
    "path:seeds",
    "path:models/staging",
    "path:models/intermediate",
    "path:models/marts/core",
    "path:models/marts/quality",
)


@dataclass(frozen=True)
class Workspace:
    """One isolated place to run dbt: raw exports, truth, DuckDB file, dbt target and logs."""

    root: Path
    settings: Settings

    @property
    def raw_dir(self) -> Path:
        return self.settings.raw_dir

    @property
    def truth_dir(self) -> Path:
        return self.settings.truth_dir

    @property
    def db_path(self) -> Path:
        return self.settings.db_path

    @property
    def env(self) -> dict[str, str]:
        return {
            "DBT_TARGET_PATH": str(self.root / "target"),
            "DBT_LOG_PATH": str(self.root / "logs"),
            "DBT_PROFILES_DIR": str(PROJECT_DIR),
            "LEADSCORE_THREADS": "2",
        }

    def dbt(self, args: Sequence[str], *, capture: bool = True) -> str:
        """Run dbt in this workspace; return its stdout (raises DbtError on failure)."""
        proc = run_dbt(list(args), self.settings, env=self.env, capture=capture)
        return proc.stdout or ""

    def build(self, select: Sequence[str] = CANONICAL_SELECT, *extra: str) -> str:
        return self.dbt(["build", "--select", *select, *extra])


def make_workspace(
    root: Path, raw_dir: Path | None = None, truth_dir: Path | None = None
) -> Workspace:
    root.mkdir(parents=True, exist_ok=True)
    base = Settings.from_env()
    settings = replace(
        base,
        db_path=root / "leadscore.duckdb",
        raw_dir=raw_dir or root / "raw",
        truth_dir=truth_dir or root / "truth",
        published_dir=root / "published",
        outbox_dir=root / "outbox",
        reports_dir=root / "reports",
    )
    return Workspace(root=root, settings=settings)


def generate_exports(raw_dir: Path, truth_dir: Path, leads: int, seed: int) -> None:
    """Write demo exports with the generator's Python API (same as `leadscore generate`)."""
    from leadscore.generate import GenerateOptions, generate

    generate(GenerateOptions(leads=leads, seed=seed, out=raw_dir, truth_out=truth_dir))


@pytest.fixture(scope="session")
def generated_exports(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(raw_dir, truth_dir) of one small generated dataset, shared by the session."""
    root = tmp_path_factory.mktemp("exports")
    raw_dir, truth_dir = root / "raw", root / "truth"
    generate_exports(raw_dir, truth_dir, TEST_LEADS, TEST_SEED)
    return raw_dir, truth_dir


@pytest.fixture(scope="session")
def built_workspace(
    tmp_path_factory: pytest.TempPathFactory, generated_exports: tuple[Path, Path]
) -> Workspace:
    """A workspace where `dbt seed` + `dbt build` of the canonical lead schema succeeded."""
    raw_dir, truth_dir = generated_exports
    ws = make_workspace(tmp_path_factory.mktemp("built"), raw_dir, truth_dir)
    ws.dbt(["seed"])
    ws.build()
    return ws


@pytest.fixture(scope="session")
def built_project(built_workspace: Workspace) -> tuple[Settings, Path, Path, Path]:
    """(settings, db_path, raw_dir, truth_dir) of the session's built project."""
    ws = built_workspace
    return ws.settings, ws.db_path, ws.raw_dir, ws.truth_dir


@pytest.fixture
def workspace_copy(tmp_path: Path, built_workspace: Workspace) -> Workspace:
    """A private copy of the built workspace (exports and DuckDB file) to corrupt freely."""
    raw_dir = tmp_path / "raw"
    shutil.copytree(built_workspace.raw_dir, raw_dir)
    ws = make_workspace(tmp_path / "ws", raw_dir, built_workspace.truth_dir)
    shutil.copy2(built_workspace.db_path, ws.db_path)
    return ws


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """LEADSCORE_* folders of one test under tmp_path (warehouse, raw, published, outbox,
    reports); returns tmp_path."""
    for var, sub in (
        ("LEADSCORE_DB", "warehouse/work.duckdb"),
        ("LEADSCORE_RAW_DIR", "raw"),
        ("LEADSCORE_PUBLISHED_DIR", "published"),
        ("LEADSCORE_OUTBOX_DIR", "outbox"),
        ("LEADSCORE_REPORTS_DIR", "reports"),
    ):
        monkeypatch.setenv(var, str(tmp_path / sub))
    return tmp_path
