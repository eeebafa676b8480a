"""Run dbt as a subprocess of the same environment.

A subprocess (rather than dbt's in-process runner) keeps each invocation clean: dbt holds
global state and the DuckDB write lock for the life of its process.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
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


def failure_details(target_path: Path, since: float = 0.0, limit: int = 10) -> list[str]:
    """One line per failed or errored node of dbt's last run (from run_results.json).

    dbt's console output puts the cause of a failure on indented lines after the error header;
    run_results.json has the whole message (e.g. a compile error naming the landing file and
    column), so errors raised to callers say what was wrong and where.
    """
    results_file = target_path / "run_results.json"
    if not results_file.exists() or results_file.stat().st_mtime < since:
        return []
    try:
        results = json.loads(results_file.read_text()).get("results", [])
    except (OSError, json.JSONDecodeError):
        return []
    lines = []
    for result in results:
        if result.get("status") in ("error", "fail", "runtime error"):
            message = " ".join(str(result.get("message") or "").split())
            where = re.search(r"\bfile\s*=\s*(\S+)", message)
            text = message[:600] + (f" (file: {where.group(1)})" if where else "")
            lines.append(f"{result.get('unique_id')} [{result.get('status')}]: {text}")
    return lines[:limit]


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
    started = time.time()
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
        run_env = dbt_env(settings, env)
        target = Path(run_env.get("DBT_TARGET_PATH") or settings.project_dir / "target")
        if not target.is_absolute():
            target = settings.project_dir / target
        details = failure_details(target, since=started)
        if details:
            tail = f"{tail}\nFailed nodes:\n" + "\n".join(details)
        raise DbtError(f"`dbt {' '.join(args)}` failed (exit {proc.returncode}).\n{tail}".rstrip())
    return proc
