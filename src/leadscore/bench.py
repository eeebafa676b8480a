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

With `--engine spark` (repeatable with duckdb) a size runs `leadscore run --target spark` step
by step in `<work-dir>/leads-<N>-spark/`, with a Spark warehouse (tables + Derby metastore) of
its own: `generate --layout fivetran --into-spark`, then the steps of `spark_run.plan` (dbt
seed, dbt build of the SQL layers, the ML step `python -m leadscore.spark_ml`, dbt build of
models/ml_spark/ and downstream), each a child timed on its own. Training and scoring times
come from the ML step's own timers (the JSON line it prints), node times from both builds'
run_results.json. Spark settings (master, driver memory, shuffle partitions) are
leadscore.spark.SparkSettings, as for `leadscore run --target spark`.

Wall time is `time.perf_counter()` around the child. Peak memory is the child's `ru_maxrss`
from `os.wait4()` - the same number `/usr/bin/time -v` prints as "Maximum resident set size"
(the largest single process of the child's tree, not a sum), measured per child so a big step
never masks a smaller one that follows (a `getrusage(RUSAGE_CHILDREN)` high-water mark would).
Each step is spawned by a tiny launcher process, as /usr/bin/time does, so the CLI's own memory
is not counted (see LAUNCHER); /usr/bin/time itself is not required. The launcher is also a child
subreaper, so a process that outlives its parent (pyspark never waits for its JVM) is reaped
and counted in the peak rather than lost to init.

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
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from leadscore.config import PROJECT_DIR
from leadscore.dbt import dbt_executable

if TYPE_CHECKING:  # pragma: no cover
    from leadscore.spark import SparkSettings

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
# the feature layer's dbt nodes alone, after the build (full refresh): the same nodes as inside
# the build, but with the machine to themselves, like the floor (inside the build other nodes
# run beside them on dbt's threads, so their node times there are not like for like)
ALONE_STEP = "feature layer alone"
ANSI = re.compile(r"\x1b\[[0-9;]*m")
MARKER = ".leadscore-bench"
# Rough disk need per lead: exports + truth + DuckDB file (the 1M exports alone are ~3 GB).
BYTES_PER_LEAD = 6_000
RSS_METHOD = (
    "peak RSS = ru_maxrss from os.wait4() on each step, spawned by a minimal launcher (the same "
    "figure /usr/bin/time -v reports as 'Maximum resident set size': the largest single "
    "process of the step's tree, not a sum); the launcher is a child subreaper, so processes "
    "that outlive their parent (pyspark's JVM) are reaped and counted too; /usr/bin/time is not "
    "needed"
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
    orphans: int = 0  # processes the step left behind, reaped by the launcher and counted
    orphans_left: bool = False  # some were still running after 120 s (not counted)


def _maxrss_bytes(ru_maxrss: int) -> int:
    # Linux reports KiB, macOS bytes.
    return ru_maxrss if sys.platform == "darwin" else ru_maxrss * 1024


# A child's ru_maxrss also counts the memory of the process that forked it (Linux records the
# old address space's high-water mark at exec), so forking dbt straight from this CLI (a few
# hundred MiB of imports) would inflate small figures. Like /usr/bin/time, a minimal launcher
# (`python -I -S`, ~10 MiB) spawns the step, waits with os.wait4() and reports its rusage.
#
# A step may leave processes behind: pyspark starts the JVM with Popen and never waits for it,
# so the JVM outlives its Python parent and would be reaped by init, its memory counted nowhere.
# On Linux the launcher is a child subreaper (prctl PR_SET_CHILD_SUBREAPER): such orphans are
# re-parented to it, it waits for them (up to 120 s) and the peak is the largest ru_maxrss of
# every process of the tree it reaped (getrusage(RUSAGE_CHILDREN)). Waiting also means the
# next step never meets the last step's JVM (the local Derby metastore admits one). The step's
# time is still measured to the exit of the command itself.
LAUNCHER = """
import json, os, signal, sys, time
report, argv = sys.argv[1], sys.argv[2:]
began = time.perf_counter()
reaper = False
if sys.platform.startswith("linux"):
    try:
        import ctypes
        reaper = ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        pass
try:
    pid = os.posix_spawnp(argv[0], argv, os.environ)
except OSError as exc:
    with open(report, "w") as f:
        json.dump({"error": f"could not start {argv[0]}: {exc}"}, f)
    sys.exit(127)
signal.signal(signal.SIGINT, signal.SIG_IGN)  # the terminal's Ctrl-C reaches the step itself
signal.signal(signal.SIGTERM, lambda signum, frame: os.kill(pid, signum))
_, status, usage = os.wait4(pid, 0)
seconds = time.perf_counter() - began
code = os.waitstatus_to_exitcode(status)
maxrss, orphans, left = usage.ru_maxrss, 0, False
if reaper:
    import resource
    deadline = time.monotonic() + 120
    while True:
        try:
            child, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            break
        if child:
            orphans += 1
        elif time.monotonic() > deadline:
            left = True
            break
        else:
            time.sleep(0.05)
    maxrss = max(maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
with open(report, "w") as f:
    json.dump({"seconds": seconds, "maxrss": maxrss, "code": code, "orphans": orphans,
               "orphans_left": left}, f)
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
    if usage.get("orphans_left"):
        with log.open("a", encoding="utf-8") as out:
            out.write(
                "\n# bench: processes of this step still ran 120 s after it exited; "
                "their memory is not in the peak RSS\n"
            )
    return StepResult(
        step=step,
        seconds=float(usage["seconds"]),
        peak_rss_bytes=_maxrss_bytes(int(usage["maxrss"])),
        exit_code=code,
        log=str(log),
        orphans=int(usage.get("orphans", 0)),
        orphans_left=bool(usage.get("orphans_left", False)),
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
    engine: str = "duckdb"
    steps: dict[str, StepResult] = field(default_factory=dict)
    build: BuildTimes | None = None
    scored_leads: int | None = None
    scored_table: str | None = None
    failure: BenchStepError | None = None
    # engine -> leadscore.bench_floor's figures (+ peak_rss_bytes); step -> error message
    features: dict[str, dict[str, Any]] = field(default_factory=dict)
    feature_errors: dict[str, str] = field(default_factory=dict)
    # sum of the feature layer's node times in ALONE_STEP (None when it did not run)
    feature_layer_alone: float | None = None

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
    leads: int,
    seed: int,
    work_dir: Path,
    progress: Progress,
    *,
    keep: bool,
    engine: str = "duckdb",
) -> SizeResult:
    label = size_label(leads)
    name = f"leads-{leads}" + ("" if engine == "duckdb" else f"-{engine}")
    size_dir = work_dir / name
    log_dir = work_dir / "logs" / name
    _prepare_size_dir(size_dir)
    if log_dir.exists():
        shutil.rmtree(log_dir)
    env = spark_env(size_dir, log_dir) if engine == "spark" else bench_env(size_dir, log_dir)
    result = SizeResult(leads=leads, label=label, engine=engine)
    try:
        if engine == "spark":
            _run_spark_size(result, seed, size_dir, log_dir, env, progress)
        else:
            _run_duckdb_size(result, seed, size_dir, log_dir, env, progress)
    finally:
        if not keep:
            shutil.rmtree(size_dir, ignore_errors=True)
    return result


def generate_command(leads: int, seed: int, env: Mapping[str, str]) -> list[str]:
    return [
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
    ]


def _bench_step(
    result: SizeResult,
    step: str,
    cmd: Sequence[str],
    *,
    env: Mapping[str, str],
    log_dir: Path,
    target_dir: Path,
    progress: Progress,
    reference: bool = False,
) -> StepResult | None:
    """One step with its progress line; on failure returns None and sets result.failure, or,
    for a ``reference`` step (the feature floor, the pandas peer), notes the failure in
    result.feature_errors so the bench goes on."""
    where = result.label if result.engine == "duckdb" else f"{result.label} {result.engine}"
    task = progress.add_task(f"[{where}] {step}", total=None)
    if not progress.console.is_terminal:  # nohup, CI: a line per step instead of a spinner
        progress.console.print(f"[{where}] {step} ...", highlight=False)
    log = log_dir / f"{step.replace(' ', '-')}.log"
    # so that a run_results.json found after a failure is this step's
    (target_dir / "run_results.json").unlink(missing_ok=True)
    try:
        done = run_step(step, where, cmd, env=env, cwd=PROJECT_DIR, log=log)
    except BenchStepError as exc:
        progress.update(task, description=f"[red]✗[/red] [{where}] {step}")
        progress.stop_task(task)
        if not progress.console.is_terminal:
            progress.console.print(f"[{where}] {step} failed; log {log}", highlight=False)
        if step.startswith("dbt"):
            _attach_dbt_failures(exc, target_dir, log_dir)
        if reference:
            result.feature_errors[step] = str(exc)
        else:
            result.failure = exc
        return None
    text = f"[{where}] {step} ({done.seconds:.1f}s, peak {fmt_bytes(done.peak_rss_bytes)})"
    progress.update(task, description=f"[green]✓[/green] {text}")
    progress.stop_task(task)
    if not progress.console.is_terminal:
        progress.console.print(f"done {text}", highlight=False)
    result.steps[step] = done
    return done


def _run_duckdb_size(
    result: SizeResult,
    seed: int,
    size_dir: Path,
    log_dir: Path,
    env: dict[str, str],
    progress: Progress,
) -> None:
    dbt = dbt_executable()
    steps: list[tuple[str, list[str]]] = [
        ("generate", generate_command(result.leads, seed, env)),
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
        (
            ALONE_STEP,
            [
                dbt,
                "run",
                "--full-refresh",
                "--select",
                *FEATURE_LAYER_NODES,
                "--target-path",
                str(size_dir / "alone-target"),
            ],
        ),
        # the next day: 1% more activity, a clock one day later, then the daily run
        (
            "append day",
            [sys.executable, "-m", "leadscore.generate.nextday", env["LEADSCORE_RAW_DIR"]],
        ),
        (DAILY_STEP, [dbt, "build"]),
    ]
    target_dir = size_dir / "target"
    for step, cmd in steps:
        engine = dict(FEATURE_STEPS).get(step)
        reference = engine is not None or step in (COMPILE_STEP, ALONE_STEP)
        ran = _bench_step(
            result,
            step,
            cmd,
            env=env,
            log_dir=log_dir,
            target_dir=target_dir,
            progress=progress,
            reference=reference,
        )
        if engine is not None:  # its JSON is written even when its check failed
            _read_feature_figures(
                result, engine, log_dir, None if ran is None else ran.peak_rss_bytes
            )
        if ran is None:
            if reference:
                continue
            return
        if step == "dbt build":  # the full build's node times, before the daily run's
            result.build = read_build_times(target_dir)
            _copy_run_artifacts(target_dir, log_dir)
        elif step == ALONE_STEP:
            alone = read_build_times(size_dir / "alone-target")
            result.feature_layer_alone = alone.feature_layer if alone else None
    result.scored_leads, result.scored_table = count_scored_leads(Path(env["LEADSCORE_DB"]))


# --- Spark: `leadscore run --target spark`, step by step ---------------------------------------

#: bench step names of the spark_run.plan steps (the seed and build keep DuckDB's names, so the
#: table puts them on the same rows)
SPARK_STEP_NAMES = {
    "seed": "dbt seed",
    "build": "dbt build",
    "ml": "ML step",
    "build_scoring": "dbt build scoring",
}
SPARK_SCORING_STEP = SPARK_STEP_NAMES["build_scoring"]
SPARK_BUILD_STEPS = ("dbt build", "ML step", SPARK_SCORING_STEP)  # after seed, to lead_scores


def spark_settings_for(size_dir: Path) -> SparkSettings:
    """The Spark settings of one size: its own warehouse; master, driver memory and shuffle
    partitions as `leadscore run --target spark` takes them (leadscore.spark.SparkSettings)."""
    from dataclasses import replace

    from leadscore.spark import SparkSettings

    return replace(SparkSettings.from_env(), warehouse=size_dir / "spark")


def spark_generate_command(leads: int, seed: int, env: Mapping[str, str]) -> list[str]:
    """Generate the demo as Fivetran lands it and land it as Spark tables (one JVM)."""
    return [*generate_command(leads, seed, env), "--layout", "fivetran", "--into-spark"]


def spark_plan(env: Mapping[str, str]) -> list[tuple[str, list[str]]]:
    """(bench step, command) of `leadscore run --target spark` after `generate`: spark_run.plan
    with the vars it would use (each landed system read from its database), force_retrain on
    as in the DuckDB bench. Call it after generate: the vars depend on what was landed."""
    from leadscore import spark_run
    from leadscore.spark import SparkSettings

    settings = SparkSettings.from_env(env)
    parsed = spark_run.source_vars(settings, {"force_retrain": True})
    return [
        (SPARK_STEP_NAMES[step.name], spark_run.command(step, parsed))
        for step in spark_run.plan(parsed)
    ]


def spark_env(size_dir: Path, log_dir: Path) -> dict[str, str]:
    """bench_env plus the size's Spark settings (its own warehouse and Derby metastore)."""
    return {**bench_env(size_dir, log_dir), **spark_settings_for(size_dir).env()}


def ml_step_figures(log: Path) -> dict[str, Any] | None:
    """The JSON line `python -m leadscore.spark_ml` prints last (training and scoring seconds,
    leads scored), from the step's log; None when it is not there."""
    try:
        lines = log.read_text(errors="replace").splitlines()
    except OSError:
        return None
    for line in reversed(lines):
        if line.startswith("{") and '"scored_leads"' in line:
            try:
                return dict(json.loads(line))
            except json.JSONDecodeError:
                return None
    return None


def _run_spark_size(
    result: SizeResult,
    seed: int,
    size_dir: Path,
    log_dir: Path,
    env: dict[str, str],
    progress: Progress,
) -> None:
    target_dir = size_dir / "target"
    kwargs: dict[str, Any] = {
        "env": env,
        "log_dir": log_dir,
        "target_dir": target_dir,
        "progress": progress,
    }
    gen = spark_generate_command(result.leads, seed, env)
    if _bench_step(result, "generate", gen, **kwargs) is None:
        return
    runs: list[dict[str, Any]] = []
    for step, cmd in spark_plan(env):
        if _bench_step(result, step, cmd, **kwargs) is None:
            return
        if step in ("dbt build", SPARK_SCORING_STEP):
            results_file = target_dir / "run_results.json"
            if results_file.exists():
                runs.append(json.loads(results_file.read_text()))
                shutil.copy2(results_file, log_dir / f"run_results-{step.replace(' ', '-')}.json")
    # node times of both builds (staging + core, tests); training and scoring from the ML step
    manifest_file = target_dir / "manifest.json"
    manifest = json.loads(manifest_file.read_text()) if manifest_file.exists() else None
    merged = {
        "elapsed_time": sum(float(r.get("elapsed_time") or 0.0) for r in runs),
        "results": [x for r in runs for x in r.get("results", [])],
    }
    result.build = parse_run_results(merged, manifest)
    figures = ml_step_figures(log_dir / "ML-step.log") or {}
    result.build.training = figures.get("train_seconds")
    result.build.scoring = figures.get("score_seconds")
    scored = figures.get("scored_leads")
    result.scored_leads = int(scored) if scored is not None else None
    result.scored_table = "ml_lead_scores" if scored is not None else None


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


def _build_seconds(r: SizeResult) -> float | None:
    """The build to lead_scores: `dbt build` on DuckDB; on Spark the SQL build, the ML step and
    the scoring marts build (the steps of `leadscore run --target spark` after seed)."""
    if r.engine != "spark":
        return _step_seconds(r, "dbt build")
    times = [_step_seconds(r, step) for step in SPARK_BUILD_STEPS]
    return None if None in times else sum(t for t in times if t is not None)


def _build_rss(r: SizeResult) -> int | None:
    """The largest process of the build's steps (see _build_seconds)."""
    if r.engine != "spark":
        return _step_rss(r, "dbt build")
    peaks = [p for p in (_step_rss(r, step) for step in SPARK_BUILD_STEPS) if p is not None]
    return max(peaks) if peaks else None


# (key, row label, value getter, formatter)
METRICS: list[tuple[str, str, Any, Any]] = [
    ("generate_s", "generate time", lambda r: _step_seconds(r, "generate"), fmt_seconds),
    ("generate_peak_rss", "generate peak RSS", lambda r: _step_rss(r, "generate"), fmt_bytes),
    ("dbt_seed_s", "dbt seed time", lambda r: _step_seconds(r, "dbt seed"), fmt_seconds),
    ("dbt_build_s", "dbt build time (total)", _build_seconds, fmt_seconds),
    ("dbt_build_peak_rss", "dbt build peak RSS", _build_rss, fmt_bytes),
    (
        "spark_sql_build_s",
        "spark: SQL layers (dbt build)",
        lambda r: _step_seconds(r, "dbt build"),
        fmt_seconds,
    ),
    (
        "spark_ml_step_s",
        "spark: ML step (leadscore.spark_ml)",
        lambda r: _step_seconds(r, "ML step"),
        fmt_seconds,
    ),
    (
        "spark_ml_step_peak_rss",
        "spark: ML step peak RSS",
        lambda r: _step_rss(r, "ML step"),
        fmt_bytes,
    ),
    (
        "spark_scoring_build_s",
        "spark: scoring marts (dbt build models/ml_spark+)",
        lambda r: _step_seconds(r, SPARK_SCORING_STEP),
        fmt_seconds,
    ),
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
        "feature_layer_alone_s",
        "feature layer alone: its dbt nodes after the build, full refresh (sum of node times)",
        lambda r: r.feature_layer_alone,
        fmt_seconds,
    ),
    (
        "feature_layer_alone_over_floor",
        "feature layer alone / floor (wall)",
        lambda r: _over(r.feature_layer_alone, _checked_seconds(r, "duckdb")),
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
ENGINES = ("duckdb", "spark")
#: metrics measured on one engine only (the others on every engine); "n/a" on the other
ONLY_ON = {
    "daily_build_s": "duckdb",
    "daily_share": "duckdb",
    "spark_sql_build_s": "spark",
    "spark_ml_step_s": "spark",
    "spark_ml_step_peak_rss": "spark",
    "spark_scoring_build_s": "spark",
}
NOT_APPLICABLE = "n/a"


def _applies(key: str, engine: str) -> bool:
    return ONLY_ON.get(key, engine) == engine


def _value(key: str, get: Any, r: SizeResult) -> Any:
    return get(r) if _applies(key, r.engine) else None


def _layout(
    results: Sequence[SizeResult],
) -> tuple[list[SizeResult], list[tuple[str, SizeResult, SizeResult]], list[str]]:
    """Columns (by size, then engine), ratio columns (larger/smaller size on one engine, then
    spark/duckdb at one size) and the metric keys shown (those of the engines present)."""
    ordered = sorted(results, key=lambda r: (r.leads, ENGINES.index(r.engine)))
    engines = {r.engine for r in ordered}
    tagged = engines != {"duckdb"}
    pairs: list[tuple[str, SizeResult, SizeResult]] = []
    for engine in ENGINES:
        for a, b in pairwise([r for r in ordered if r.engine == engine]):
            pairs.append((f"{b.label}/{a.label}" + (f" {engine}" if tagged else ""), a, b))
    by_size: dict[int, dict[str, SizeResult]] = {}
    for r in ordered:
        by_size.setdefault(r.leads, {})[r.engine] = r
    for found in by_size.values():
        if {"duckdb", "spark"} <= found.keys():
            pairs.append((f"spark/duckdb {found['spark'].label}", found["duckdb"], found["spark"]))
    keys = [key for key, *_ in METRICS if any(_applies(key, e) for e in engines)]
    return ordered, pairs, keys


def column_label(r: SizeResult, results: Sequence[SizeResult]) -> str:
    """The size, and the engine when the table is not DuckDB's alone."""
    return r.label if {x.engine for x in results} == {"duckdb"} else f"{r.label} {r.engine}"


def ratio(big: float | None, small: float | None) -> str:
    if big is None or small is None or not small or math.isnan(big) or math.isnan(small):
        return "—"
    return f"{big / small:.2f}x"


def table_rows(results: Sequence[SizeResult]) -> tuple[list[str], list[list[str]]]:
    """Header and rows: one row per metric, a column per size (and engine), then ratios."""
    ordered, pairs, keys = _layout(results)
    header = ["metric", *[column_label(r, ordered) for r in ordered], *[p[0] for p in pairs]]
    rows = []
    for key, title, get, fmt in METRICS:
        if key not in keys:
            continue
        cells = []
        for r in ordered:
            v = _value(key, get, r)
            # a failed size shows "—" rather than "not built yet" for figures it never reached
            if not _applies(key, r.engine):
                cells.append(NOT_APPLICABLE)
            else:
                cells.append("—" if v is None and r.failure else fmt(v))
        ratios = [ratio(_value(key, get, b), _value(key, get, a)) for _n, a, b in pairs]
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
    if any(r.engine == "spark" for r in results):
        lines += ["", spark_note(meta)]
    errors = [
        f"- {column_label(r, results)}: {r.error.splitlines()[0]}" for r in results if r.error
    ]
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
        "(`dbt compile --full-refresh`) run the same way; the feature layer alone is the same "
        "dbt nodes run again after the build with the machine to themselves (`dbt run "
        "--full-refresh --select` them). A ratio is shown only when the tables equal the "
        "project's."
    ]
    for r in sorted(results, key=lambda r: r.leads):
        for step, engine in FEATURE_STEPS:
            figures = r.features.get(engine)
            if figures and "check" in figures:
                notes.append(check_line(f"{r.label} {step}", figures["check"]))
            elif step in r.feature_errors:
                notes.append(f"{r.label} {step} failed: {r.feature_errors[step].splitlines()[0]}")
    return notes


def spark_note(meta: Mapping[str, Any]) -> str:
    conf = meta.get("spark") or {}
    return (
        "Spark: `leadscore run --target spark` step by step, each step a process of its own "
        f"(master {conf.get('master')}, driver memory {conf.get('driver_memory')}, "
        f"spark.sql.shuffle.partitions {conf.get('shuffle_partitions')}; the JVM runs inside "
        "each step's process tree). generate includes landing the Fivetran Parquet tables in "
        "Spark (`--layout fivetran --into-spark`). dbt build time (total) is the SQL layers' "
        "build, the ML step and the scoring marts' build; its peak RSS the largest of the three. "
        "Training and scoring are the ML step's own timers (the capped sample trained on the "
        "driver; mapInPandas scoring, the run-wide percentile and the table write); layer "
        "times and tests are dbt node times of both builds. No daily build on Spark."
    )


def to_rich(results: Sequence[SizeResult]) -> Table:
    header, rows = table_rows(results)
    table = Table(title="leadscore bench", show_edge=False)
    for i, name in enumerate(header):
        table.add_column(name, justify="left" if i == 0 else "right")
    for row in rows:
        table.add_row(*[f"[dim]{c}[/dim]" if c in (NOT_BUILT, "—") else c for c in row])
    return table


def to_json(results: Sequence[SizeResult], meta: Mapping[str, Any]) -> dict[str, Any]:
    ordered, pairs, keys = _layout(results)
    shown = [(key, get) for key, _title, get, _fmt in METRICS if key in keys]
    sizes = []
    for r in ordered:
        entry: dict[str, Any] = {"leads": r.leads, "label": r.label, "engine": r.engine}
        for key, get in shown:
            entry[key] = _value(key, get, r)
        entry["scores_table"] = r.scored_table
        entry["build"] = asdict(r.build) if r.build else None
        entry["steps"] = {name: asdict(s) for name, s in r.steps.items()}
        entry["error"] = r.error
        entry["features"] = r.features
        entry["feature_errors"] = r.feature_errors
        sizes.append(entry)
    ratios = {}
    for name, a, b in pairs:
        ratios[name] = {}
        for key, get in shown:
            big, small = _value(key, get, b), _value(key, get, a)
            ratios[name][key] = big / small if small and big is not None else None
    return {**meta, "rss_method": RSS_METHOD, "sizes": sizes, "ratios": ratios}


def machine_meta(seed: int, engines: Sequence[str] = ("duckdb",)) -> dict[str, Any]:
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
        "engines": list(engines),
        **({"spark": _spark_meta()} if "spark" in engines else {}),
    }


def _spark_meta() -> dict[str, str]:
    from leadscore.spark import SparkSettings

    settings = SparkSettings.from_env()
    return {
        "master": settings.master,
        "driver_memory": settings.driver_memory,
        "shuffle_partitions": settings.shuffle_partitions,
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


def _check_engines(values: list[str] | None) -> list[str]:
    engines = [v.strip().lower() for v in values or ["duckdb"]]
    bad = [v for v in engines if v not in ENGINES]
    if bad:
        raise typer.BadParameter(
            f"unknown engine {bad[0]!r}; use {' or '.join(ENGINES)} (repeat for both)",
            param_hint="--engine",
        )
    if "spark" in engines:
        from leadscore.spark import SparkUnavailable, check_runtime

        try:
            check_runtime()
        except SparkUnavailable as exc:
            raise typer.BadParameter(str(exc), param_hint="--engine") from exc
    return [e for e in ENGINES if e in engines]


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
    engine: Annotated[
        list[str] | None,
        typer.Option(
            "--engine",
            help="duckdb, or spark: `leadscore run --target spark` step by step (generate "
            "--layout fivetran --into-spark, dbt seed, dbt build, the ML step, the scoring marts) "
            "in a Spark warehouse of the size's own; repeat for both. [default: duckdb]",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Time and measure peak memory of generate, dbt seed and dbt build at each size.

    Every size runs in its own folder under --work-dir with its own LEADSCORE_DB,
    LEADSCORE_RAW_DIR, DBT_TARGET_PATH and DBT_LOG_PATH; your warehouse is never touched.
    Reports training time (`ml_model_registry`), scoring time (`ml_lead_scores`) and scoring
    throughput (open leads scored per second), with ratios between sizes. Writes
    `bench.json` and `bench.md` (a table for the README) to --work-dir.
    """
    sizes = _check_sizes(leads)
    engines = _check_engines(engine)
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
    meta = machine_meta(seed, engines)
    console.print(
        f"[bold]leadscore bench[/bold]: {', '.join(size_label(s) for s in sizes)} leads, "
        f"{' and '.join(engines)}, seed {seed}, in {work_dir}\n[dim]{meta['machine']}; "
        f"{RSS_METHOD}[/dim]"
    )
    if "spark" in engines:
        console.print(f"[dim]{spark_note(meta)}[/dim]")
    results: list[SizeResult] = []
    columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
    with Progress(*columns, console=console) as progress:
        for n in sizes:
            for name in engines:
                results.append(run_size(n, seed, work_dir, progress, keep=keep, engine=name))
                if results[-1].failure:
                    break
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
                f"[yellow]{column_label(r, results)}:[/yellow] `{TRAINING_NODE}` / "
                f"`{SCORING_NODE}` not in the build yet; those figures show 'not built yet'."
            )
    if failure is not None:
        console.print(f"[red]{escape(str(failure))}[/red]")
        if failure.step.startswith("dbt") or failure.step == "ML step":
            console.print(
                "[dim]The dbt pipeline may still be under construction; the generate figures "
                "above are valid.[/dim]"
            )
        raise typer.Exit(1)
    if not keep:
        console.print(f"[dim]Removed the data folders; logs are in {work_dir / 'logs'}[/dim]")
