"""`leadscore bench`: the speed and memory figures the README quotes.

For each size the benchmark works in its own folder (`<work-dir>/leads-<N>/`) with its own
LEADSCORE_DB, LEADSCORE_RAW_DIR, DBT_TARGET_PATH and DBT_LOG_PATH, so it never touches the
user's warehouse, exports or dbt target. Steps per size, each a child process:

1. `leadscore generate` (demo exports + truth),
2. `dbt seed`, then `dbt build --vars '{"force_retrain": true}'` (the full build),
3. `target/run_results.json` (+ `manifest.json`) give per-node times: staging+core, training
   (`ml_model_registry`), scoring (`ml_lead_scores`); `lead_scores` is counted read-only for
   the scoring throughput,
4. the feature layer against its floor: `python -m leadscore.bench_floor` computes the
   point-in-time feature table from the built warehouse's core marts once as one hand-written
   DuckDB query (the floor), once in pandas (a peer) and once as the feature models' own
   compiled SQL (`dbt compile --full-refresh`), each in its own process, checks each equals
   the project's table, and the bench sets the feature layer's dbt node times
   (FEATURE_LAYER_NODES) and its own SQL's CPU against them,
5. the next day: `python -m leadscore.generate.nextday` appends 1% new activity dated in the
   day after the export, then `dbt build` again (the daily run: incremental tables do only
   the day's work), timed against the full build.

Wall time is `time.perf_counter()` around the child. Peak memory is the child's `ru_maxrss`
from `os.wait4()` - the same number `/usr/bin/time -v` prints as "Maximum resident set size"
(the largest single process of the child's tree, not a sum), measured per child so a big step
never masks a smaller one that follows (a `getrusage(RUSAGE_CHILDREN)` high-water mark would).
Each step is spawned by a tiny launcher process, as /usr/bin/time does, so the CLI's own memory
is not counted (see LAUNCHER); /usr/bin/time itself is not required.

Results go to the console (rich table), `<work-dir>/bench.json` and `<work-dir>/bench.md`.
Step logs stay in `<work-dir>/logs/<size>/` even after the data folders are cleaned up.
"""

from __future__ import annotations

import json
import math
import os
import platform
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from leadscore.config import PROJECT_DIR
from leadscore.dbt import dbt_executable

console = Console(stderr=True)

DEFAULT_SIZES = (100_000, 1_000_000)
DEFAULT_WORK_DIR = Path("/tmp/leadscore-bench")
TRAINING_NODE = "ml_model_registry"
SCORING_NODE = "ml_lead_scores"
SCORES_TABLES = ("lead_scores", SCORING_NODE)  # counted in this order of preference
STAGING_CORE_PATHS = ("models/staging/", "models/intermediate/", "models/marts/core/")
STAGING_CORE_PREFIXES = ("stg_", "base_", "int_", "dim_", "fct_", "bridge_")
NOT_BUILT = "not built yet"
DAILY_STEP = "daily build"  # `dbt build` after `leadscore.generate.nextday` (1% new activity)
# The feature table, and the dbt nodes that count as the project's feature layer (their
# run_results times are summed): from the core marts to the feature table, and the two views
# that filter it for training and scoring. The scoring clock and the label policy (one-row
# tables) are inputs of the floor and the pandas peer too, so neither side counts them;
# `int_training_sample` is training's input, not a feature.
FEATURE_TABLE = "int_lead_features_point_in_time"
FEATURE_LAYER_NODES: tuple[str, ...] = (
    "int_lead_cutoffs",
    FEATURE_TABLE,
    "int_training_examples",
    "int_scoring_features",
)
# bench steps that compute the feature table outside dbt: (step, leadscore.bench_floor engine)
# ("project feature SQL": the feature layer's own compiled SQL in the same harness, for CPU)
FEATURE_STEPS: tuple[tuple[str, str], ...] = (
    ("feature floor", "duckdb"),
    ("pandas peer", "pandas"),
    ("project feature SQL", "project"),
)
COMPILE_STEP = "dbt compile features"  # the feature models' full-refresh SQL, for "project"
ANSI = re.compile(r"\x1b\[[0-9;]*m")
MARKER = ".leadscore-bench"
# Rough disk need per lead: exports + truth + DuckDB file (the 1M exports alone are ~3 GB).
BYTES_PER_LEAD = 6_000
RSS_METHOD = (
    "peak RSS = ru_maxrss from os.wait4() on each step, spawned by a minimal launcher (the same "
    "figure /usr/bin/time -v reports as 'Maximum resident set size': the largest single "
    "process of the step's tree, not a sum); /usr/bin/time is not needed"
)


# --- measuring one child process ---------------------------------------------------------------


class BenchStepError(RuntimeError):
    """A benchmark step failed; the message names the step, the size and the log file."""

    def __init__(self, step: str, label: str, log: Path, detail: str) -> None:
        super().__init__(detail)
        self.step, self.label, self.log, self.detail = step, label, log, detail
        self.extra_logs: list[Path] = []

    def __str__(self) -> str:
        logs = ", ".join(str(p) for p in [self.log, *self.extra_logs])
        return f"[{self.label}] step `{self.step}` failed: {self.detail}\nLog: {logs}"


def log_excerpt(log: Path, limit: int = 12) -> str:
    """The part of a step log that says what went wrong: from the first error line on."""
    try:
        text = ANSI.sub("", log.read_text(errors="replace"))
    except OSError:
        return ""
    lines = [ln.rstrip() for ln in text.splitlines()[2:] if ln.strip()]  # skip the "$ cmd"
    markers = ("error", "fail", "exception", "traceback")
    first = next((i for i, ln in enumerate(lines) if any(m in ln.lower() for m in markers)), None)
    chosen = lines[first:] if first is not None else lines[-5:]
    if len(chosen) > limit:
        chosen = [*chosen[: limit - 3], "...", *chosen[-2:]]
    return "\n  ".join(ln[:300] for ln in chosen)


@dataclass
class StepResult:
    step: str
    seconds: float
    peak_rss_bytes: int | None
    exit_code: int
    log: str


def _maxrss_bytes(ru_maxrss: int) -> int:
    # Linux reports KiB, macOS bytes.
    return ru_maxrss if sys.platform == "darwin" else ru_maxrss * 1024


# A child's ru_maxrss also counts the memory of the process that forked it (Linux records the
# old address space's high-water mark at exec), so forking dbt straight from this CLI (a few
# hundred MiB of imports) would inflate small figures. Like /usr/bin/time, a minimal launcher
# (`python -I -S`, ~10 MiB) spawns the step, waits with os.wait4() and reports its rusage.
LAUNCHER = """
import json, os, signal, sys, time
report, argv = sys.argv[1], sys.argv[2:]
began = time.perf_counter()
try:
    pid = os.posix_spawnp(argv[0], argv, os.environ)
except OSError as exc:
    with open(report, "w") as f:
        json.dump({"error": f"could not start {argv[0]}: {exc}"}, f)
    sys.exit(127)
signal.signal(signal.SIGINT, signal.SIG_IGN)  # the terminal's Ctrl-C reaches the step itself
signal.signal(signal.SIGTERM, lambda signum, frame: os.kill(pid, signum))
_, status, usage = os.wait4(pid, 0)
code = os.waitstatus_to_exitcode(status)
with open(report, "w") as f:
    json.dump({"seconds": time.perf_counter() - began, "maxrss": usage.ru_maxrss, "code": code}, f)
sys.exit(0 if code == 0 else 1)
"""


def run_step(
    step: str,
    label: str,
    cmd: Sequence[str],
    *,
    env: Mapping[str, str],
    cwd: Path,
    log: Path,
) -> StepResult:
    """Run `cmd` with stdout+stderr to `log`; return wall time and the child's peak RSS.

    Raises BenchStepError (naming the step and the log) when the child exits non-zero or
    cannot be started.
    """
    log.parent.mkdir(parents=True, exist_ok=True)
    report = log.with_suffix(".rusage.json")
    report.unlink(missing_ok=True)
    launcher = [sys.executable, "-I", "-S", "-c", LAUNCHER, str(report), *cmd]
    with log.open("w", encoding="utf-8") as out:
        out.write(f"$ {' '.join(cmd)}\n# cwd: {cwd}\n\n")
        out.flush()
        proc = subprocess.Popen(
            launcher, cwd=cwd, env=dict(env), stdout=out, stderr=subprocess.STDOUT
        )
        try:
            launcher_code = proc.wait()
        except BaseException:
            proc.terminate()  # forwarded to the step by the launcher
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
            raise
    try:
        usage = json.loads(report.read_text())
        report.unlink()
    except (OSError, json.JSONDecodeError):
        usage = {"error": f"the step launcher exited {launcher_code} without a report"}
    if "error" in usage:
        raise BenchStepError(step, label, log, str(usage["error"]))
    code = int(usage["code"])
    if code != 0:
        excerpt = log_excerpt(log)
        what = f"exit code {code}" if code > 0 else f"killed by signal {-code}"
        detail = what + (f"\n  {excerpt}" if excerpt else "")
        raise BenchStepError(step, label, log, detail)
    return StepResult(
        step=step,
        seconds=float(usage["seconds"]),
        peak_rss_bytes=_maxrss_bytes(int(usage["maxrss"])),
        exit_code=code,
        log=str(log),
    )


# --- run_results.json --------------------------------------------------------------------------


@dataclass
class BuildTimes:
    """Figures from one `dbt build` run_results.json (seconds are sums of node times)."""

    elapsed: float | None
    staging_core: float | None
    training: float | None
    scoring: float | None
    tests: float
    nodes: int
    failed: list[str] = field(default_factory=list)
    feature_layer: float | None = None  # sum of FEATURE_LAYER_NODES' times
    feature_nodes: list[str] = field(default_factory=list)  # those found built


def _node_name(unique_id: str) -> str:
    return unique_id.rsplit(".", 1)[-1]


def _is_staging_core(unique_id: str, manifest_nodes: Mapping[str, Any]) -> bool:
    node = manifest_nodes.get(unique_id)
    if node and node.get("original_file_path"):
        return str(node["original_file_path"]).startswith(STAGING_CORE_PATHS)
    return _node_name(unique_id).startswith(STAGING_CORE_PREFIXES)


def parse_run_results(
    run_results: Mapping[str, Any], manifest: Mapping[str, Any] | None = None
) -> BuildTimes:
    """Per-layer times from dbt's run_results (and the manifest, for model file paths).

    A missing training or scoring node gives None (the pipeline may not have it yet).
    """
    nodes = (manifest or {}).get("nodes", {})
    staging_core = 0.0
    n_staging_core = 0
    training = scoring = None
    tests = 0.0
    failed = []
    feature_layer = 0.0
    feature_nodes: list[str] = []
    results = run_results.get("results", [])
    for result in results:
        uid = str(result.get("unique_id", ""))
        seconds = float(result.get("execution_time") or 0.0)
        status = str(result.get("status", ""))
        if status in ("error", "fail", "runtime error"):
            message = " ".join(str(result.get("message") or "").split())
            failed.append(f"{uid} [{status}]: {message[:300]}")
        kind = uid.split(".", 1)[0]
        if kind in ("test", "unit_test"):
            tests += seconds
            continue
        if kind != "model":
            continue
        name = _node_name(uid)
        built = status in ("success", "pass")
        if name in FEATURE_LAYER_NODES and built:
            feature_layer += seconds
            feature_nodes.append(name)
        if name == TRAINING_NODE:
            training = seconds if built else None
        elif name == SCORING_NODE:
            scoring = seconds if built else None
        elif _is_staging_core(uid, nodes):
            staging_core += seconds
            n_staging_core += 1
    elapsed = run_results.get("elapsed_time")
    return BuildTimes(
        elapsed=float(elapsed) if elapsed is not None else None,
        staging_core=staging_core if n_staging_core else None,
        training=training,
        scoring=scoring,
        tests=tests,
        nodes=len(results),
        failed=failed,
        feature_layer=feature_layer if FEATURE_TABLE in feature_nodes else None,
        feature_nodes=feature_nodes,
    )


def read_build_times(target_dir: Path) -> BuildTimes | None:
    results_file = target_dir / "run_results.json"
    if not results_file.exists():
        return None
    run_results = json.loads(results_file.read_text())
    manifest_file = target_dir / "manifest.json"
    manifest = json.loads(manifest_file.read_text()) if manifest_file.exists() else None
    return parse_run_results(run_results, manifest)


def count_scored_leads(db_path: Path) -> tuple[int | None, str | None]:
    """(rows, table) of the scores table, read-only; (None, None) when it is not built yet."""
    if not db_path.exists():
        return None, None
    import duckdb

    with duckdb.connect(str(db_path), read_only=True) as con:
        for table in SCORES_TABLES:
            found = con.sql(
                "select table_schema from information_schema.tables where table_name = ? "
                "order by table_schema limit 1",
                params=[table],
            ).fetchall()
            if found:
                schema = found[0][0]
                rows = con.sql(f'select count(*) from "{schema}"."{table}"').fetchall()[0][0]
                return int(rows), table
    return None, None


# --- one size ----------------------------------------------------------------------------------


@dataclass
class SizeResult:
    leads: int
    label: str
    steps: dict[str, StepResult] = field(default_factory=dict)
    build: BuildTimes | None = None
    scored_leads: int | None = None
    scored_table: str | None = None
    failure: BenchStepError | None = None
    # engine -> leadscore.bench_floor's figures (+ peak_rss_bytes); step -> error message
    features: dict[str, dict[str, Any]] = field(default_factory=dict)
    feature_errors: dict[str, str] = field(default_factory=dict)

    @property
    def error(self) -> str | None:
        return str(self.failure) if self.failure else None

    @property
    def throughput(self) -> float | None:
        if self.build is None or not self.build.scoring or self.scored_leads is None:
            return None
        return self.scored_leads / self.build.scoring


def size_label(leads: int) -> str:
    """100000 -> '100k', 1000000 -> '1M', 2500 -> '2.5k'."""
    for div, suffix in ((1_000_000, "M"), (1_000, "k")):
        if leads >= div:
            value = leads / div
            return f"{value:.10g}{suffix}" if value == round(value, 1) else f"{leads:,}"
    return str(leads)


def bench_env(size_dir: Path, log_dir: Path) -> dict[str, str]:
    """Environment for every child of one size: all paths inside its own folder."""
    env = dict(os.environ)
    env.update(
        {
            "LEADSCORE_DB": str(size_dir / "leadscore.duckdb"),
            "LEADSCORE_RAW_DIR": str(size_dir / "raw"),
            "LEADSCORE_TRUTH_DIR": str(size_dir / "truth"),
            "LEADSCORE_PUBLISHED_DIR": str(size_dir / "published"),
            "LEADSCORE_OUTBOX_DIR": str(size_dir / "outbox"),
            "LEADSCORE_REPORTS_DIR": str(size_dir / "reports"),
            "DBT_TARGET_PATH": str(size_dir / "target"),
            "DBT_LOG_PATH": str(log_dir / "dbt"),
            "DBT_PROFILES_DIR": str(PROJECT_DIR),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            "DBT_USE_COLORS": "false",
        }
    )
    return env


def _prepare_size_dir(size_dir: Path) -> None:
    if size_dir.exists():
        if not (size_dir / MARKER).exists():
            raise typer.BadParameter(
                f"{size_dir} exists and was not made by `leadscore bench`; "
                "choose another --work-dir or remove it.",
                param_hint="--work-dir",
            )
        shutil.rmtree(size_dir)
    size_dir.mkdir(parents=True)
    (size_dir / MARKER).write_text("made by `leadscore bench`; safe to delete\n")


def run_size(
    leads: int, seed: int, work_dir: Path, progress: Progress, *, keep: bool
) -> SizeResult:
    label = size_label(leads)
    size_dir = work_dir / f"leads-{leads}"
    log_dir = work_dir / "logs" / f"leads-{leads}"
    _prepare_size_dir(size_dir)
    if log_dir.exists():
        shutil.rmtree(log_dir)
    env = bench_env(size_dir, log_dir)
    result = SizeResult(leads=leads, label=label)
    dbt = dbt_executable()
    steps: list[tuple[str, list[str]]] = [
        (
            "generate",
            [
                sys.executable,
                "-m",
                "leadscore.cli",
                "generate",
                "--leads",
                str(leads),
                "--seed",
                str(seed),
                "--out",
                env["LEADSCORE_RAW_DIR"],
                "--truth-out",
                env["LEADSCORE_TRUTH_DIR"],
            ],
        ),
        ("dbt seed", [dbt, "seed"]),
        ("dbt build", [dbt, "build", "--vars", json.dumps({"force_retrain": True})]),
        # the feature table outside dbt, from the full build's core marts (read-only)
        (
            COMPILE_STEP,
            [
                dbt,
                "compile",
                "--full-refresh",
                "--select",
                *FEATURE_LAYER_NODES[:2],
                "--target-path",
                str(size_dir / "compile-target"),
            ],
        ),
        *[
            (
                step,
                [
                    sys.executable,
                    "-m",
                    "leadscore.bench_floor",
                    "--engine",
                    engine,
                    "--db",
                    env["LEADSCORE_DB"],
                    "--scratch",
                    str(size_dir / f"features-{engine}.duckdb"),
                    "--out",
                    str(log_dir / f"features-{engine}.json"),
                    "--compiled-dir",
                    str(size_dir / "compile-target"),
                ],
            )
            for step, engine in FEATURE_STEPS
        ],
        # the next day: 1% more activity, a clock one day later, then the daily run
        (
            "append day",
            [sys.executable, "-m", "leadscore.generate.nextday", env["LEADSCORE_RAW_DIR"]],
        ),
        (DAILY_STEP, [dbt, "build"]),
    ]
    target_dir = size_dir / "target"
    try:
        for step, cmd in steps:
            task = progress.add_task(f"[{label}] {step}", total=None)
            log = log_dir / f"{step.replace(' ', '-')}.log"
            # so that a run_results.json found after a failure is this step's
            (target_dir / "run_results.json").unlink(missing_ok=True)
            engine = dict(FEATURE_STEPS).get(step)
            try:
                done = run_step(step, label, cmd, env=env, cwd=PROJECT_DIR, log=log)
            except BenchStepError as exc:
                progress.update(task, description=f"[red]✗[/red] [{label}] {step}")
                progress.stop_task(task)
                if engine is not None or step == COMPILE_STEP:  # a reference: note it, go on
                    result.feature_errors[step] = str(exc)
                    if engine is not None:
                        _read_feature_figures(result, engine, log_dir, None)
                    continue
                if step.startswith("dbt"):
                    _attach_dbt_failures(exc, target_dir, log_dir)
                result.failure = exc
                return result
            progress.update(
                task,
                description=f"[green]✓[/green] [{label}] {step} "
                f"({done.seconds:.1f}s, peak {fmt_bytes(done.peak_rss_bytes)})",
            )
            progress.stop_task(task)
            result.steps[step] = done
            if engine is not None:
                _read_feature_figures(result, engine, log_dir, done.peak_rss_bytes)
            if step == "dbt build":  # the full build's node times, before the daily run's
                result.build = read_build_times(target_dir)
                _copy_run_artifacts(target_dir, log_dir)
        result.scored_leads, result.scored_table = count_scored_leads(Path(env["LEADSCORE_DB"]))
    finally:
        if not keep:
            shutil.rmtree(size_dir, ignore_errors=True)
    return result


def _read_feature_figures(
    result: SizeResult, engine: str, log_dir: Path, peak_rss: int | None
) -> None:
    """Keep leadscore.bench_floor's JSON (written even when its check failed)."""
    try:
        figures = json.loads((log_dir / f"features-{engine}.json").read_text())
    except (OSError, json.JSONDecodeError):
        return
    result.features[engine] = {**figures, "peak_rss_bytes": peak_rss}


def _copy_run_artifacts(target_dir: Path, log_dir: Path) -> None:
    results_file = target_dir / "run_results.json"
    if results_file.exists():
        log_dir.mkdir(parents=True, exist_ok=True)
        shutil.copy2(results_file, log_dir / "run_results.json")


def _attach_dbt_failures(exc: BenchStepError, target_dir: Path, log_dir: Path) -> None:
    """Add dbt's failed nodes (from this step's run_results.json) to the error."""
    exc.extra_logs.append(log_dir / "dbt" / "dbt.log")
    results_file = target_dir / "run_results.json"
    if not results_file.exists():
        return
    _copy_run_artifacts(target_dir, log_dir)
    try:
        build = parse_run_results(json.loads(results_file.read_text()))
    except (OSError, json.JSONDecodeError):
        return
    if build.failed:
        exc.detail += "\nFailed nodes:\n  " + "\n  ".join(build.failed[:10])


# --- formatting --------------------------------------------------------------------------------


def fmt_bytes(value: int | None) -> str:
    if value is None:
        return "n/a"
    if value >= 1024**3:
        return f"{value / 1024**3:.2f} GiB"
    return f"{value / 1024**2:.0f} MiB"


def fmt_seconds(value: float | None) -> str:
    if value is None:
        return NOT_BUILT
    return f"{value:.1f} s" if value < 600 else f"{value / 60:.1f} min"


def fmt_rate(value: float | None) -> str:
    return NOT_BUILT if value is None else f"{value:,.0f} leads/s"


def fmt_count(value: int | None) -> str:
    return NOT_BUILT if value is None else f"{value:,}"


def _step_seconds(r: SizeResult, step: str) -> float | None:
    s = r.steps.get(step)
    return s.seconds if s else None


def _step_rss(r: SizeResult, step: str) -> int | None:
    s = r.steps.get(step)
    return s.peak_rss_bytes if s else None


def _daily_share(r: SizeResult) -> float | None:
    daily, full = _step_seconds(r, DAILY_STEP), _step_seconds(r, "dbt build")
    return daily / full if daily is not None and full else None


def fmt_share(value: float | None) -> str:
    return NOT_BUILT if value is None else f"{value:.0%}"


def _build_attr(r: SizeResult, name: str) -> float | None:
    return getattr(r.build, name) if r.build is not None else None


def _feature(r: SizeResult, engine: str, key: str) -> Any:
    figures = r.features.get(engine)
    return figures.get(key) if figures else None


def _checked_seconds(r: SizeResult, engine: str, key: str = "seconds") -> float | None:
    """An engine's wall (or CPU) time, only when its table equals the project's."""
    figures = r.features.get(engine)
    if not figures or not figures.get("check", {}).get("equal"):
        return None
    return figures.get(key)


def _over(top: float | None, bottom: float | None) -> float | None:
    return top / bottom if top is not None and bottom else None


def fmt_times(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}x"


# (key, row label, value getter, formatter)
METRICS: list[tuple[str, str, Any, Any]] = [
    ("generate_s", "generate time", lambda r: _step_seconds(r, "generate"), fmt_seconds),
    ("generate_peak_rss", "generate peak RSS", lambda r: _step_rss(r, "generate"), fmt_bytes),
    ("dbt_seed_s", "dbt seed time", lambda r: _step_seconds(r, "dbt seed"), fmt_seconds),
    ("dbt_build_s", "dbt build time (total)", lambda r: _step_seconds(r, "dbt build"), fmt_seconds),
    ("dbt_build_peak_rss", "dbt build peak RSS", lambda r: _step_rss(r, "dbt build"), fmt_bytes),
    (
        "staging_core_s",
        "staging + core models",
        lambda r: _build_attr(r, "staging_core"),
        fmt_seconds,
    ),
    (
        "training_s",
        f"training ({TRAINING_NODE})",
        lambda r: _build_attr(r, "training"),
        fmt_seconds,
    ),
    ("scoring_s", f"scoring ({SCORING_NODE})", lambda r: _build_attr(r, "scoring"), fmt_seconds),
    ("tests_s", "dbt tests (sum)", lambda r: _build_attr(r, "tests"), fmt_seconds),
    (
        "feature_layer_s",
        "feature layer (sum of its dbt node times)",
        lambda r: _build_attr(r, "feature_layer"),
        fmt_seconds,
    ),
    (
        "feature_floor_s",
        "feature floor: one DuckDB query (wall)",
        lambda r: _feature(r, "duckdb", "seconds"),
        fmt_seconds,
    ),
    (
        "feature_floor_cpu_s",
        "feature floor CPU",
        lambda r: _feature(r, "duckdb", "cpu_seconds"),
        fmt_seconds,
    ),
    (
        "feature_floor_peak_rss",
        "feature floor peak RSS",
        lambda r: _feature(r, "duckdb", "peak_rss_bytes"),
        fmt_bytes,
    ),
    (
        "pandas_peer_s",
        "pandas peer: read as Arrow + compute (wall)",
        lambda r: _feature(r, "pandas", "seconds"),
        fmt_seconds,
    ),
    (
        "pandas_peer_cpu_s",
        "pandas peer CPU",
        lambda r: _feature(r, "pandas", "cpu_seconds"),
        fmt_seconds,
    ),
    (
        "pandas_peer_peak_rss",
        "pandas peer peak RSS",
        lambda r: _feature(r, "pandas", "peak_rss_bytes"),
        fmt_bytes,
    ),
    (
        "feature_sql_s",
        "feature layer's own SQL, run like the floor (wall)",
        lambda r: _feature(r, "project", "seconds"),
        fmt_seconds,
    ),
    (
        "feature_sql_cpu_s",
        "feature layer's own SQL CPU",
        lambda r: _feature(r, "project", "cpu_seconds"),
        fmt_seconds,
    ),
    (
        "feature_layer_over_floor",
        "feature layer / floor (wall)",
        lambda r: _over(_build_attr(r, "feature_layer"), _checked_seconds(r, "duckdb")),
        fmt_times,
    ),
    (
        "feature_sql_over_floor_cpu",
        "feature layer's own SQL / floor (CPU)",
        lambda r: _over(
            _checked_seconds(r, "project", "cpu_seconds"),
            _checked_seconds(r, "duckdb", "cpu_seconds"),
        ),
        fmt_times,
    ),
    (
        "pandas_over_feature_layer",
        "pandas peer / feature layer (wall)",
        lambda r: _over(_checked_seconds(r, "pandas"), _build_attr(r, "feature_layer")),
        fmt_times,
    ),
    (
        "daily_build_s",
        "daily build after 1% new activity (incremental)",
        lambda r: _step_seconds(r, DAILY_STEP),
        fmt_seconds,
    ),
    ("daily_share", "daily build / full build", lambda r: _daily_share(r), fmt_share),
    ("open_leads_scored", "open leads scored", lambda r: r.scored_leads, fmt_count),
    ("scoring_leads_per_s", "scoring throughput", lambda r: r.throughput, fmt_rate),
]


def ratio(big: float | None, small: float | None) -> str:
    if big is None or small is None or not small or math.isnan(big) or math.isnan(small):
        return "—"
    return f"{big / small:.2f}x"


def table_rows(results: Sequence[SizeResult]) -> tuple[list[str], list[list[str]]]:
    """Header and rows: one row per metric, a column per size, then larger/smaller ratios."""
    ordered = sorted(results, key=lambda r: r.leads)
    pairs = list(pairwise(ordered))
    header = ["metric", *[r.label for r in ordered], *[f"{b.label}/{a.label}" for a, b in pairs]]
    rows = []
    for _key, title, get, fmt in METRICS:
        values = [get(r) for r in ordered]
        # a failed size shows "—" rather than "not built yet" for figures it never reached
        cells = [
            "—" if v is None and r.failure else fmt(v) for r, v in zip(ordered, values, strict=True)
        ]
        ratios = [ratio(get(b), get(a)) for a, b in pairs]
        rows.append([title, *cells, *ratios])
    return header, rows


def to_markdown(results: Sequence[SizeResult], meta: Mapping[str, Any]) -> str:
    header, rows = table_rows(results)
    align = ["---", *["---:"] * (len(header) - 1)]
    lines = [
        f"Benchmark: `leadscore bench`, seed {meta['seed']}, {meta['machine']}, "
        f"dbt threads {meta['dbt_threads']}, {meta['date']}.",
        "",
        "| " + " | ".join(header) + " |",
        "| " + " | ".join(align) + " |",
        *["| " + " | ".join(row) + " |" for row in rows],
        "",
        f"Times are wall-clock per step; layer times are sums of dbt node times "
        f"(run_results.json, {meta['dbt_threads']} threads, so they can exceed the build's wall "
        f"time). Throughput = rows of `lead_scores` / scoring node time. {RSS_METHOD}.",
    ]
    notes = feature_notes(results)
    if notes:
        lines += ["", *[f"- {note}" for note in notes]]
    errors = [f"- {r.label}: {r.error.splitlines()[0]}" for r in results if r.error]
    if errors:
        lines += ["", "Failed:", *errors]
    return "\n".join(lines) + "\n"


def feature_notes(results: Sequence[SizeResult]) -> list[str]:
    """What the feature rows mean, and each size's check of the floor and the pandas peer."""
    from leadscore.bench_floor import check_line

    if not any(r.features or r.feature_errors for r in results):
        return []
    notes = [
        f"Feature layer = the dbt nodes {', '.join(FEATURE_LAYER_NODES)} (node times of the "
        "full build, which runs other nodes beside them); the floor and the pandas peer each "
        "compute the same table from the same core marts in a process of their own "
        "(`python -m leadscore.bench_floor`), CPU = user + system of that process; the "
        "feature layer's own SQL is the two models' compiled full-refresh SQL "
        "(`dbt compile --full-refresh`) run the same way. A ratio is shown only when the "
        "tables equal the project's."
    ]
    for r in sorted(results, key=lambda r: r.leads):
        for step, engine in FEATURE_STEPS:
            figures = r.features.get(engine)
            if figures and "check" in figures:
                notes.append(check_line(f"{r.label} {step}", figures["check"]))
            elif step in r.feature_errors:
                notes.append(f"{r.label} {step} failed: {r.feature_errors[step].splitlines()[0]}")
    return notes


def to_rich(results: Sequence[SizeResult]) -> Table:
    header, rows = table_rows(results)
    table = Table(title="leadscore bench", show_edge=False)
    for i, name in enumerate(header):
        table.add_column(name, justify="left" if i == 0 else "right")
    for row in rows:
        table.add_row(*[f"[dim]{c}[/dim]" if c in (NOT_BUILT, "—") else c for c in row])
    return table


def to_json(results: Sequence[SizeResult], meta: Mapping[str, Any]) -> dict[str, Any]:
    ordered = sorted(results, key=lambda r: r.leads)
    sizes = []
    for r in ordered:
        entry: dict[str, Any] = {"leads": r.leads, "label": r.label}
        for key, _title, get, _fmt in METRICS:
            entry[key] = get(r)
        entry["scores_table"] = r.scored_table
        entry["build"] = asdict(r.build) if r.build else None
        entry["steps"] = {name: asdict(s) for name, s in r.steps.items()}
        entry["error"] = r.error
        entry["features"] = r.features
        entry["feature_errors"] = r.feature_errors
        sizes.append(entry)
    ratios = {}
    for a, b in pairwise(ordered):
        ratios[f"{b.label}/{a.label}"] = {
            key: (get(b) / get(a) if get(a) and get(b) is not None else None)
            for key, _t, get, _f in METRICS
        }
    return {**meta, "rss_method": RSS_METHOD, "sizes": sizes, "ratios": ratios}


def machine_meta(seed: int) -> dict[str, Any]:
    try:
        mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):  # pragma: no cover
        mem = None
    cpus = os.cpu_count()
    return {
        "seed": seed,
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{cpus} CPUs, {fmt_bytes(mem)} RAM, {platform.system()} "
        f"{platform.machine()}, Python {platform.python_version()}",
        "cpus": cpus,
        "memory_bytes": mem,
        "dbt_threads": int(os.environ.get("LEADSCORE_THREADS", "2")),
    }


# --- one-table training ----------------------------------------------------------------------


def one_table_training(rows: int, seed: int, work_dir: Path) -> dict[str, Any]:
    """Run `leadscore.bench_train` as a step of its own (wall time and peak RSS measured by
    the launcher); its JSON adds CPU seconds and the holdout vs truth ROC-AUC."""
    out = work_dir / "logs" / "train-one-table.json"
    log = work_dir / "logs" / "train-one-table.log"
    out.parent.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "leadscore.bench_train", "--rows", str(rows)]
    cmd += ["--seed", str(seed), "--out", str(out)]
    console.print(f"Training on a one-table export of {rows:,} rows ...")
    try:
        step = run_step("train", f"{rows:,} rows", cmd, env=os.environ, cwd=PROJECT_DIR, log=log)
    except BenchStepError as exc:
        return {"rows": rows, "error": str(exc)}
    return {**json.loads(out.read_text()), "peak_rss_bytes": step.peak_rss_bytes, "log": str(log)}


def training_line(t: Mapping[str, Any]) -> str:
    if t.get("error"):
        return f"One-table training ({t['rows']:,} rows) failed: {t['error']}"
    return (
        f"One-table training: {t['rows']:,} rows x {t['features']} features (synthetic, undated; "
        f"{t['validation_scheme'].split(';')[0]}), {t['model_kind']}: "
        f"{fmt_seconds(t['seconds'])} wall, {fmt_seconds(t['cpu_seconds'])} CPU in the training "
        f"call, peak RSS {fmt_bytes(t['peak_rss_bytes'])}; holdout ROC-AUC {t['roc_auc']:.4f} "
        f"vs the truth's {t['truth_roc_auc']:.4f}, ECE {t['ece']:.4f}."
    )


# --- command -----------------------------------------------------------------------------------


def _check_sizes(values: list[int] | None) -> list[int]:
    sizes = values or list(DEFAULT_SIZES)
    bad = [v for v in sizes if v < 1]
    if bad:
        raise typer.BadParameter(
            f"must be a positive number of leads (got {bad[0]}); e.g. --leads 100000 "
            "--leads 1000000",
            param_hint="--leads",
        )
    return sorted(set(sizes))


def bench_command(
    leads: Annotated[
        list[int] | None,
        typer.Option(
            "--leads",
            "-n",
            help="Lead count to benchmark; repeat for several sizes. "
            "[default: --leads 100000 --leads 1000000]",
            show_default=False,
        ),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", min=0, help="Generator seed.")] = 7,
    work_dir: Annotated[
        Path,
        typer.Option(
            "--work-dir",
            help="Scratch folder: a `leads-N/` folder per size, logs/, bench.json, bench.md.",
        ),
    ] = DEFAULT_WORK_DIR,
    keep: Annotated[
        bool,
        typer.Option("--keep", help="Keep each size's exports and DuckDB file (1M is ~3 GB)."),
    ] = False,
    train_rows: Annotated[
        int,
        typer.Option(
            "--train-rows",
            min=0,
            help="Also time training on a synthetic undated one-table export of this many "
            "rows and about 20 features (0 skips it).",
        ),
    ] = 41_188,
) -> None:
    """Time and measure peak memory of generate, dbt seed and dbt build at each size.

    Every size runs in its own folder under --work-dir with its own LEADSCORE_DB,
    LEADSCORE_RAW_DIR, DBT_TARGET_PATH and DBT_LOG_PATH; your warehouse is never touched.
    Reports training time (`ml_model_registry`), scoring time (`ml_lead_scores`) and scoring
    throughput (open leads scored per second), with ratios between sizes. Writes
    `bench.json` and `bench.md` (a table for the README) to --work-dir.
    """
    sizes = _check_sizes(leads)
    work_dir = work_dir.expanduser().resolve()
    if work_dir == PROJECT_DIR or PROJECT_DIR.is_relative_to(work_dir):
        raise typer.BadParameter(
            "must not be the project folder or contain it", param_hint="--work-dir"
        )
    work_dir.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(work_dir).free
    need = max(sizes) * BYTES_PER_LEAD * (len(sizes) if keep else 1)
    if free < need:
        console.print(
            f"[yellow]Warning:[/yellow] {fmt_bytes(free)} free in {work_dir}; "
            f"the largest size may need ~{fmt_bytes(need)}."
        )
    meta = machine_meta(seed)
    console.print(
        f"[bold]leadscore bench[/bold]: {', '.join(size_label(s) for s in sizes)} leads, "
        f"seed {seed}, in {work_dir}\n[dim]{meta['machine']}; {RSS_METHOD}[/dim]"
    )
    results: list[SizeResult] = []
    columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
    with Progress(*columns, console=console) as progress:
        for n in sizes:
            results.append(run_size(n, seed, work_dir, progress, keep=keep))
            if results[-1].failure:
                break  # larger sizes would fail the same way, only slower
    failure = results[-1].failure
    console.print(to_rich(results))
    for note in feature_notes(results):
        console.print(escape(note))
    training = (
        one_table_training(train_rows, seed, work_dir) if train_rows and failure is None else None
    )
    if training is not None:
        console.print(training_line(training))
    (work_dir / "bench.json").write_text(
        json.dumps({**to_json(results, meta), "one_table_training": training}, indent=2) + "\n"
    )
    (work_dir / "bench.md").write_text(
        to_markdown(results, meta) + (f"\n{training_line(training)}\n" if training else "")
    )
    console.print(f"Wrote {work_dir / 'bench.json'} and {work_dir / 'bench.md'}")
    for r in results:
        if r.build is not None and (r.build.training is None or r.build.scoring is None):
            console.print(
                f"[yellow]{r.label}:[/yellow] `{TRAINING_NODE}` / `{SCORING_NODE}` not in the "
                "build yet; those figures show 'not built yet'."
            )
    if failure is not None:
        console.print(f"[red]{escape(str(failure))}[/red]")
        if failure.step.startswith("dbt"):
            console.print(
                "[dim]The dbt pipeline may still be under construction; the generate figures "
                "above are valid.[/dim]"
            )
        raise typer.Exit(1)
    if not keep:
        console.print(f"[dim]Removed the data folders; logs are in {work_dir / 'logs'}[/dim]")
