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


#: DuckDB quotes the landed row in a CSV read error; it may hold names and emails.
# DuckDB quotes the offending landed row on a line of its own after "Original Line:"; the
# cause ("... not utf-8 encoded", "Expected Number of Columns") follows on the next lines
ROW_QUOTE = re.compile(r"Original Line:[^\n]*")


def redact_rows(text: str) -> str:
    """The text without the landed row a CSV error quotes (file and line number stay)."""
    return ROW_QUOTE.sub("Original Line: (not shown)", text)


def redact_artifacts(log: Path, run_results: Path) -> None:
    """Remove quoted landed rows from what dbt wrote to disk after a failure: its log file
    (the adapter's error text at debug level) and run_results.json (the node messages)."""
    if log.exists():
        text = log.read_text(encoding="utf-8", errors="replace")
        redacted = redact_rows(text)
        if redacted != text:
            log.write_text(redacted, encoding="utf-8")
    if run_results.exists():
        try:
            data = json.loads(run_results.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            return
        changed = False
        for result in data.get("results", []):
            message = result.get("message")
            if isinstance(message, str) and "Original Line:" in message:
                result["message"] = redact_rows(message)
                changed = True
        if changed:
            run_results.write_text(json.dumps(data), encoding="utf-8")


def dbt_env(settings: Settings, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """dbt's environment: the warehouse and landing folder, and a target folder of the
    warehouse's own (target/<db name>/), so two builds on two warehouses never share dbt's
    partial-parse state or run results."""
    env = dict(os.environ)
    env.setdefault("DBT_PROFILES_DIR", str(settings.project_dir))
    env.setdefault("DBT_TARGET_PATH", str(settings.project_dir / "target" / settings.db_path.stem))
    env["LEADSCORE_DB"] = str(settings.db_path)
    env["LEADSCORE_RAW_DIR"] = str(settings.raw_dir)
    env.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    if extra:
        env.update(extra)
    return env


def error_text(message: str) -> str:
    """The readable part of a dbt node's error message.

    A failed Python model's message is "Runtime Error in model ... Python model failed:"
    followed by a Python traceback; what a person needs is the exception at its end (e.g.
    "LiftLeakageError: Leak check failed: 'call_duration' carries 62% ..."), whole. Other
    messages (SQL errors, test failures) are kept as they are, whitespace collapsed.
    """
    lines = message.rstrip().splitlines()
    if not any("Traceback (most recent call last)" in line for line in lines):
        return " ".join(message.split())
    header = lines[0].strip()
    frames = [i for i, line in enumerate(lines) if line.lstrip().startswith('File "')]
    start = frames[-1] + 1 if frames else 1
    indent = len(lines[frames[-1]]) - len(lines[frames[-1]].lstrip()) if frames else 0
    # skip the failing frame's source line and its ^^^ marker (indented deeper than "File")
    while start < len(lines) and len(lines[start]) - len(lines[start].lstrip()) > indent:
        start += 1
    exception = " ".join(" ".join(line.split()) for line in lines[start:] if line.strip())
    return f"{header}: {exception}" if exception else " ".join(message.split())


def failure_details(target_path: Path, since: float = 0.0, limit: int = 10) -> list[str]:
    """One line per failed or errored node of dbt's last run (from run_results.json).

    dbt's console output puts the cause of a failure on indented lines after the error header;
    run_results.json has the whole message (e.g. a compile error naming the landing file and
    column, or a Python model's exception), so errors raised to callers say what was wrong
    and where. The first failure is given in full; later ones are cut at 600 characters.
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
            message = error_text(redact_rows(str(result.get("message") or "")))
            where = re.search(r"\bfile\s*=\s*(\S+)", message)
            text = message if not lines else message[:600]
            text += f" (file: {where.group(1)})" if where else ""
            lines.append(f"{result.get('unique_id')} [{result.get('status')}]: {text}")
    return lines[:limit]


def log_file(settings: Settings, env: Mapping[str, str] | None = None) -> Path:
    """Where dbt writes its log for a run with this environment (DBT_LOG_PATH/dbt.log)."""
    run_env = dbt_env(settings, env)
    folder = Path(run_env.get("DBT_LOG_PATH") or settings.project_dir / "logs")
    if not folder.is_absolute():
        folder = settings.project_dir / folder
    return folder / "dbt.log"


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
    with subprocess.Popen(
        cmd,
        cwd=settings.project_dir,
        env=dbt_env(settings, env),
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    ) as child:
        assert child.stdout is not None
        kept: list[str] = []
        for line in child.stdout:
            line = redact_rows(line.rstrip("\n"))
            if capture:
                kept.append(line)
            else:
                print(line, flush=True)
        returncode = child.wait()
    proc = subprocess.CompletedProcess(cmd, returncode, "\n".join(kept) + "\n" if capture else None)
    if proc.returncode != 0:
        tail = ""
        if capture:
            lines = kept
            errors = [ln for ln in lines if "ERROR" in ln or "FAIL" in ln or "Error" in ln]
            tail = "\n".join((errors or lines)[-30:])
        run_env = dbt_env(settings, env)
        target = Path(run_env.get("DBT_TARGET_PATH") or settings.project_dir / "target")
        if not target.is_absolute():
            target = settings.project_dir / target
        redact_artifacts(log_file(settings, env), target / "run_results.json")
        details = failure_details(target, since=started)
        if details:
            tail = f"{tail}\nFailed nodes:\n" + "\n".join(details)
        tail += f"\nFull dbt log: {log_file(settings, env)}"
        raise DbtError(f"`dbt {' '.join(args)}` failed (exit {proc.returncode}).\n{tail}".rstrip())
    return proc
