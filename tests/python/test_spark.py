"""The same dbt project on Apache Spark (dbt-spark, local session) and on DuckDB.

One module-scoped build: the demo's small data (TEST_LEADS leads, seed TEST_SEED) as the
Fivetran connector lands it (Parquet per table), loaded as tables into both engines: Spark
tables (`leadscore generate --layout fivetran --into-spark`) and DuckDB schemas. Both build
seeds, staging, intermediate and core marts with their data tests; the canonical marts must
hold the same rows (`except all` both ways on every column, doubles rounded). DuckDB also
runs its own ML step (dbt Python models) to lead_scores: both engines train on the same
examples in the same canonical order, so lead_scores must agree lead by lead.

Spark needs Java 17+ and the `spark` extra (pyspark, dbt-spark); without them the module is
skipped saying which is missing. CI (.ci/run) installs both, so it runs there.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from conftest import TEST_LEADS, TEST_SEED, Workspace, make_workspace

from leadscore import contract
from leadscore import spark as lspark
from leadscore.spark_run import run_spark

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("spark")]

CANONICAL_MARTS = (
    "dim_leads",
    "dim_accounts",
    "fct_lead_activities",
    "fct_lead_funnel",
    "fct_opportunities",
)
#: columns that hold when and how a row was loaded, not what it says
LOAD_METADATA = {"synced_at"}
#: doubles agree to this many decimals (engines sum floats in different orders)
DECIMALS = 6
#: the first Spark build: the canonical layers, and the non-ML parents of lead_scores (the
#: third step builds models/ml_spark and what is downstream of it)
SPARK_SELECT = (
    "path:models/staging",
    "path:models/intermediate",
    "path:models/marts/core",
    "account_scores",
    "score_overrides",
)
#: DuckDB builds the canonical layers and the whole path to lead_scores (the dbt Python models)
SELECT = (*SPARK_SELECT[:3], "+lead_scores")
#: lead_scores columns that say when or by which run a row was made, not what it says
RUN_METADATA = {"scored_at", "model_version", "model_id", "run_id", "trained_at"}


def _runtime_missing() -> str | None:
    try:
        lspark.check_runtime()
    except lspark.SparkUnavailable as exc:
        return str(exc)
    return None


def _vars() -> dict[str, object]:
    out: dict[str, object] = {}
    for spec in contract.systems():
        out[f"{spec.name}_layout"] = "fivetran"
        out[f"{spec.name}_schema"] = spec.name
    return out


def _leadscore(args: list[str], env: dict[str, str]) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "leadscore.cli", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]


class Built:
    def __init__(self, duck: Workspace, spark_ws: Workspace, warehouse: Path) -> None:
        self.duck = duck
        self.spark_ws = spark_ws
        self.warehouse = warehouse

    def spark_files(self, table: str, schema: str = "leadscore") -> str:
        """A Spark table's Parquet files, read by DuckDB (no second JVM in the test)."""
        folder = self.warehouse / "tables" / f"{schema}.db" / table
        return f"read_parquet('{folder}/*.parquet')"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    missing = _runtime_missing()
    if missing:
        pytest.skip(f"Spark is not installed here: {missing}")
    root = tmp_path_factory.mktemp("spark")
    warehouse = root / "spark_warehouse"
    spark_env = {"LEADSCORE_SPARK_WAREHOUSE": str(warehouse)}
    raw = root / "raw"
    began = time.perf_counter()
    _leadscore(
        [
            "generate",
            "--leads",
            str(TEST_LEADS),
            "--seed",
            str(TEST_SEED),
            "--out",
            str(raw),
            "--layout",
            "fivetran",
            "--into-spark",
        ],
        spark_env,
    )
    landed = time.perf_counter() - began
    dbt_vars = _vars()

    # DuckDB: the same Parquet tables, one schema per system
    duck = make_workspace(root / "duckdb", raw, root / "truth")
    with duckdb.connect(str(duck.db_path)) as con:
        for system_dir in sorted(p for p in raw.iterdir() if p.is_dir()):
            con.sql(f'create schema "{system_dir.name}"')
            for path in sorted(system_dir.glob("*.parquet")):
                con.sql(
                    f'create table "{system_dir.name}"."{path.stem}" as '
                    f"select * from read_parquet('{path}')"
                )
    began = time.perf_counter()
    vars_arg = ["--vars", json.dumps(dbt_vars)]
    duck.dbt(["seed", *vars_arg])
    duck.dbt(["build", "--select", *SELECT, "--indirect-selection", "cautious", *vars_arg])
    duck_secs = time.perf_counter() - began

    # Spark: the whole flow of `leadscore run --target spark` on these layers, then the ML
    # step (train on the driver, score with mapInPandas) and the scoring marts to lead_scores
    spark_ws = make_workspace(root / "sparkws", raw, root / "truth")
    began = time.perf_counter()
    with pytest.MonkeyPatch.context() as mp:
        for key, value in spark_env.items():
            mp.setenv(key, value)
        result = run_spark(
            dbt_vars, select=SPARK_SELECT, say=lambda _: None, capture=True, env=spark_ws.env
        )
    spark_secs = time.perf_counter() - began
    steps = ", ".join(f"{k} {v:.0f}s" for k, v in result.seconds.items())
    print(
        f"{TEST_LEADS} leads: generate + land on Spark {landed:.0f}s, DuckDB seed + build "
        f"{duck_secs:.0f}s, Spark to lead_scores {spark_secs:.0f}s ({steps})"
    )
    return Built(duck, spark_ws, warehouse)


def _columns(con: duckdb.DuckDBPyConnection, relation: str) -> list[tuple[str, str]]:
    return [
        (str(r[0]), str(r[1]))
        for r in con.sql(f"describe select * from {relation}").fetchall()
        if r[0] not in LOAD_METADATA
    ]


def _projection(columns: list[tuple[str, str]]) -> str:
    parts = []
    for name, kind in columns:
        if kind in ("DOUBLE", "FLOAT") or kind.startswith("DECIMAL"):
            parts.append(f'round(cast("{name}" as double), {DECIMALS}) as "{name}"')
        else:
            parts.append(f'"{name}"')
    return ", ".join(parts)


@pytest.mark.parametrize("mart", CANONICAL_MARTS)
def test_spark_builds_the_same_canonical_marts_as_duckdb(built: Built, mart: str) -> None:
    """Every row of the mart on DuckDB is on Spark and the other way round."""
    with duckdb.connect(str(built.duck.db_path), read_only=True) as con:
        duck_rel = f"main.{mart}"
        spark_rel = built.spark_files(mart)
        duck_cols = _columns(con, duck_rel)
        spark_names = {name for name, _ in _columns(con, spark_rel)}
        assert [n for n, _ in duck_cols if n not in spark_names] == [], mart
        select = _projection(duck_cols)
        counts = [
            con.sql(f"select count(*) from {r}").fetchall()[0][0] for r in (duck_rel, spark_rel)
        ]
        assert counts[0] > 0 and counts[0] == counts[1], (mart, counts)
        for a, b in ((duck_rel, spark_rel), (spark_rel, duck_rel)):
            sample = con.sql(
                f"select {select} from {a} except all select {select} from {b} limit 3"
            ).fetchall()
            assert sample == [], (mart, a, b, sample)


def test_spark_scores_every_open_lead_to_lead_scores(built: Built) -> None:
    """The ML step ran on Spark: every row of int_scoring_features has a score in lead_scores."""
    with duckdb.connect() as con:
        features = con.sql(
            # int_scoring_features is a view (no files): its rows are the feature table's
            # score rows
            "select count(distinct lead_id) from "
            f"{built.spark_files('int_lead_features_point_in_time')} where purpose = 'score'"
        ).fetchall()[0][0]
        rows, scored, low, high, probability = con.sql(
            "select count(*), count(score), min(score), max(score), count(conversion_probability) "
            f"from {built.spark_files('lead_scores')}"
        ).fetchall()[0]
        registry = con.sql(
            "select status, count(*) from "
            f"{built.spark_files('ml_model_registry', 'leadscore_ml')} group by 1"
        ).fetchall()
    print(f"Spark lead_scores: {rows} leads scored of {features}; registry {registry}")
    assert features > 100 and rows == features == scored == probability, (rows, features)
    assert 0 <= low <= high <= 100, (low, high)
    assert ("champion", 1) in registry, registry


def test_run_target_spark_reads_the_systems_landed_in_the_warehouse(tmp_path: Path) -> None:
    """Each system with a Spark database is read as fivetran tables; the others are off."""
    from leadscore.spark_run import source_vars

    for name in ("salesforce", "hubspot", "crm_hs"):
        (tmp_path / "tables" / f"{name}.db").mkdir(parents=True)
    settings = lspark.SparkSettings(warehouse=tmp_path)
    out = source_vars(settings, {"hubspot_schema": "crm_hs", "hubspot_layout": "airbyte"})
    assert out["salesforce_schema"] == "salesforce" and out["salesforce_layout"] == "fivetran"
    assert out["hubspot_schema"] == "crm_hs" and out["hubspot_layout"] == "airbyte"
    assert out["marketo_enabled"] is False and out["web_enabled"] is False
    assert "salesforce_enabled" not in out


def test_spark_and_duckdb_give_each_open_lead_the_same_score_grade_and_reasons(
    built: Built,
) -> None:
    """The ML step on Spark (driver training, mapInPandas scoring) and DuckDB's dbt Python models
    train on the same examples and score the same leads: lead_scores agree lead by lead."""
    with duckdb.connect(str(built.duck.db_path), read_only=True) as con:
        duck_rel = "main.lead_scores"
        spark_rel = built.spark_files("lead_scores")
        columns = [c for c in _columns(con, duck_rel) if c[0] not in RUN_METADATA]
        spark_names = {name for name, _ in _columns(con, spark_rel)}
        assert [n for n, _ in columns if n not in spark_names] == []
        select = _projection(columns)
        counts = [
            con.sql(f"select count(*) from {r}").fetchall()[0][0] for r in (duck_rel, spark_rel)
        ]
        assert counts[0] > 100 and counts[0] == counts[1], counts
        differing = {}
        for name, _ in columns:
            one = _projection([(name, _)])
            n = con.sql(
                f"select count(*) from (select lead_id, {one} from {duck_rel} "
                f"except all select lead_id, {one} from {spark_rel})"
            ).fetchall()[0][0]
            if n:
                differing[name] = n
        print(f"lead_scores on both engines: {counts[0]} leads; columns differing: {differing}")
        assert differing == {}, differing
        for a, b in ((duck_rel, spark_rel), (spark_rel, duck_rel)):
            sample = con.sql(
                f"select {select} from {a} except all select {select} from {b} limit 3"
            ).fetchall()
            assert sample == [], (a, b, sample)
