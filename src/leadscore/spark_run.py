"""`leadscore run --target spark`: the whole flow on Apache Spark, to lead_scores.

1. `dbt seed` and `dbt build` of every SQL layer up to the ML step (staging, intermediate,
   core, features, training sample, quality), on dbt-spark's session method;
2. the ML step through the package (`python -m leadscore.spark_ml`): train on the capped
   sample on the driver, score with mapInPandas, write `<schema>_ml` tables;
3. `dbt build` of the models that read them (models/ml_spark/ and everything downstream:
   lead_scores, sales_priority_queue, model_metrics, ...).

Each step is a process of its own: the local Derby metastore admits one JVM at a time.
The sources are the connector tables landed in the Spark catalog, one database per system
(`leadscore generate --layout fivetran --into-spark` for the demo).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from leadscore import contract
from leadscore import spark as lspark
from leadscore.config import Settings
from leadscore.dbt import DbtError, dbt_executable, run_dbt

ML_SELECTOR = "path:models/ml_spark+"


@dataclass
class SparkRun:
    seconds: dict[str, float] = field(default_factory=dict)
    systems: tuple[str, ...] = ()


def source_vars(settings: lspark.SparkSettings, given: Mapping[str, object]) -> dict[str, object]:
    """Each system read from its Spark database (layout fivetran unless given); a system with
    no database in the local warehouse is switched off."""
    out: dict[str, object] = {}
    for spec in contract.systems():
        name = spec.name
        schema = str(given.get(f"{name}_schema", name))
        if not (settings.warehouse / "tables" / f"{schema}.db").is_dir():
            out[f"{name}_enabled"] = False
            continue
        out[f"{name}_schema"] = schema
        out[f"{name}_layout"] = given.get(f"{name}_layout", "fivetran")
    return {**out, **given}


@dataclass(frozen=True)
class SparkStep:
    """One step of the flow, a process of its own (the local Derby metastore admits one JVM at
    a time). A dbt step's `args` follow `dbt` (the caller adds the executable and `--vars`); the
    ML step's `args` are its whole command."""

    name: str  # seed | build | ml | build_scoring
    args: tuple[str, ...]
    dbt: bool = True


def plan(
    dbt_vars: Mapping[str, object], *, select: Sequence[str] = (), full_refresh: bool = False
) -> list[SparkStep]:
    """The steps of `leadscore run --target spark`, in order, for these (parsed) dbt vars.

    `select` narrows the first build (it must include what the ML step reads: seeds, the
    intermediate scoring models); the last build is always models/ml_spark/ and downstream.
    `leadscore bench --engine spark` runs the same list.
    """
    extra = ("--target", "spark", *(("--full-refresh",) if full_refresh else ()))
    selector = ("--select", *select) if select else ()
    ml = [sys.executable, "-m", "leadscore.spark_ml", "--dataset"]
    ml.append(str(dbt_vars.get("dataset", "demo")))
    if str(dbt_vars.get("force_retrain", "")).lower() in {"true", "1", "yes"}:
        ml.append("--force-retrain")
    return [
        SparkStep("seed", ("seed", *extra)),
        SparkStep("build", ("build", *selector, "--exclude", ML_SELECTOR, *extra)),
        SparkStep("ml", tuple(ml), dbt=False),
        SparkStep("build_scoring", ("build", "--select", ML_SELECTOR, *extra)),
    ]


def command(step: SparkStep, dbt_vars: Mapping[str, object]) -> list[str]:
    """A step's whole command line: for dbt, the executable and the vars as run_dbt adds them."""
    if not step.dbt:
        return list(step.args)
    return [dbt_executable(), *step.args, "--vars", json.dumps(dict(dbt_vars))]


def run_spark(
    dbt_vars: Mapping[str, object],
    *,
    select: Sequence[str] = (),
    full_refresh: bool = False,
    say: Callable[[str], None] = print,
    capture: bool = False,
    env: Mapping[str, str] | None = None,
) -> SparkRun:
    """The steps of `plan`; raises DbtError (a dbt step failed) or RuntimeError (the ML step)."""
    lspark.check_runtime()
    spark_settings = lspark.SparkSettings.from_env()
    settings = Settings.from_env()
    env = {
        **spark_settings.env(),
        "DBT_TARGET_PATH": os.environ.get(
            "DBT_TARGET_PATH", str(settings.project_dir / "target" / "spark")
        ),
        **(env or {}),
    }
    parsed = source_vars(spark_settings, dbt_vars)
    result = SparkRun(
        systems=tuple(
            s.name for s in contract.systems() if parsed.get(f"{s.name}_enabled", True) is not False
        )
    )
    for step in plan(parsed, select=select, full_refresh=full_refresh):
        began = time.perf_counter()
        if step.dbt:
            say(f"dbt {step.name} (spark)")
            run_dbt(list(step.args), settings, dbt_vars=parsed, env=env, capture=capture)
        else:
            say("ML step (python -m leadscore.spark_ml)")
            proc = subprocess.run(
                list(step.args),
                env={**os.environ, **spark_settings.env()},
                cwd=settings.project_dir,
                capture_output=True,
                text=True,
                check=False,
            )
            if proc.returncode != 0:
                raise RuntimeError(
                    f"the ML step on Spark failed:\n{proc.stdout[-2000:]}{proc.stderr[-4000:]}"
                )
            say(proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else "ML step done")
        result.seconds[step.name] = time.perf_counter() - began
    return result


__all__ = ["DbtError", "SparkRun", "SparkStep", "command", "plan", "run_spark", "source_vars"]
