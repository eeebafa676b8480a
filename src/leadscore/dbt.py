"""Run dbt as a subprocess of the same environment.

A subprocess (rather than dbt's in-process runner) keeps each invocation clean: dbt holds
global state and the DuckDB write lock for the life of its process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from leadscore.config import Settings


class DbtError(RuntimeError):
    """dbt exited non-zero; the message names the command and what failed."""


def dbt_executable() -> str:
    candidate = Path(sys.executable).with_name("dbt")
    return str(candidate) if candidate.exists() else "dbt"


def dbt_env(settings: Settings, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("DBT_PROFILES_DIR", str(settings.project_dir))
    env["LEADSCORE_DB"] = str(settings.db_path)
    env["LEADSCORE_RAW_DIR"] = str(settings.raw_dir)
    env.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    if extra:
        env.update(extra)
    return env


def run_dbt(
    args: Sequence[str],
    settings: Settings | None = None,
    *,
    dbt_vars: Mapping[str, object] | None = None,
    env: Mapping[str, str] | None = None,
    capture: bool = False,
) -> subprocess.CompletedProcess[str]:
    """Run `dbt <args>` in the project directory; raise DbtError on failure."""
    settings = settings or Settings.from_env()
    settings.db_path.parent.mkdir(parents=True, exist_ok=True)
    cmd = [dbt_executable(), *args]
    if dbt_vars:
        cmd += ["--vars", json.dumps(dict(dbt_vars))]
    proc = subprocess.run(
        cmd,
        cwd=settings.project_dir,
        env=dbt_env(settings, env),
        text=True,
        capture_output=capture,
        check=False,
    )
    if proc.returncode != 0:
        tail = ""
        if capture:
            lines = (proc.stdout or "").splitlines()
            errors = [ln for ln in lines if "ERROR" in ln or "FAIL" in ln or "Error" in ln]
            tail = "\n".join((errors or lines)[-30:])
        raise DbtError(f"`dbt {' '.join(args)}` failed (exit {proc.returncode}).\n{tail}".rstrip())
    return proc
