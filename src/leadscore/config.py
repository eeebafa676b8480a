"""Paths and settings shared by the CLI, the dbt Python models and the tests.

Every location comes from an environment variable with a default relative to the project
root, so `make demo`, CI and a scheduler all agree without flags.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[2]


def _path(env: str, default: str) -> Path:
    value = os.environ.get(env)
    path = Path(value) if value else PROJECT_DIR / default
    return path if path.is_absolute() else Path.cwd() / path


@dataclass(frozen=True)
class Settings:
    db_path: Path
    raw_dir: Path
    truth_dir: Path
    published_dir: Path
    outbox_dir: Path
    reports_dir: Path
    project_dir: Path = PROJECT_DIR

    @classmethod
    def from_env(cls) -> Settings:
        raw_dir = _path("LEADSCORE_RAW_DIR", "data/raw")
        return cls(
            db_path=_path("LEADSCORE_DB", "warehouse/leadscore.duckdb"),
            raw_dir=raw_dir,
            truth_dir=_path("LEADSCORE_TRUTH_DIR", str(raw_dir.parent / "truth")),
            published_dir=_path("LEADSCORE_PUBLISHED_DIR", "published"),
            outbox_dir=_path("LEADSCORE_OUTBOX_DIR", "outbox"),
            reports_dir=_path("LEADSCORE_REPORTS_DIR", "reports"),
        )
