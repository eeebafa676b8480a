"""Apache Spark as the warehouse: the session, landing the demo as tables, reading results.

`leadscore run --target spark` builds the same dbt project on a local Spark (dbt-spark's
`session` method: a SparkSession inside this process, no cluster). Everything that touches
Spark from Python goes through here, so the session settings match the dbt profile's
(profiles.yml, target `spark`): local master, small shuffle partitions, UTC, backslashes kept in
string literals, and a warehouse folder holding the tables and their (Derby) metastore.

Environment (all optional):
  LEADSCORE_SPARK_WAREHOUSE           tables + metastore (default warehouse/spark)
  LEADSCORE_SPARK_MASTER              default local[2]
  LEADSCORE_SPARK_DRIVER_MEMORY       default 2g
  LEADSCORE_SPARK_SHUFFLE_PARTITIONS  default 4
  LEADSCORE_SPARK_SCHEMA              the schema dbt builds into (default leadscore)
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from leadscore.config import PROJECT_DIR

if TYPE_CHECKING:  # pragma: no cover
    from pyspark.sql import DataFrame, SparkSession

JAVA_HINT = (
    "Spark needs a Java 17+ runtime: `apt-get install openjdk-17-jre-headless` (Debian), "
    "or set JAVA_HOME."
)
PYSPARK_HINT = "Spark needs pyspark and dbt-spark: `pip install -c constraints.txt -e '.[spark]'`."


class SparkUnavailable(RuntimeError):
    """Java or pyspark is missing: the message says what to install."""


@dataclass(frozen=True)
class SparkSettings:
    """The Spark settings, set here once (the env vars above override them; profiles.yml's
    `spark` target falls back to the same values, a test checks they agree).

    Chosen for the 2-core reference machine in local mode, where the executors run inside the
    driver JVM, so the driver's heap is the memory of every task:
    - master `local[2]`: one task per core;
    - driver memory `2g`, not Spark's 1g default: the heap holds the running tasks (2 at once,
      each spilling to disk beyond its share of Spark's unified memory) and what the ML step
      collects to the driver, the capped training sample (`max_training_examples`, 400,000
      rows by default) as rows on its way to pandas; measured by `leadscore bench --engine
      spark` (README, "Outgrowing one machine");
    - `spark.sql.shuffle.partitions` 4, not Spark's 200 (sized for a cluster): 2 per core
      keeps both cores busy when partitions are uneven; adaptive execution (on by default)
      merges small partitions further but does not raise the count.
    """

    warehouse: Path
    master: str = "local[2]"
    driver_memory: str = "2g"
    shuffle_partitions: str = "4"
    schema: str = "leadscore"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> SparkSettings:
        """From the LEADSCORE_SPARK_* variables of `environ` (default: this process's)."""
        env = os.environ if environ is None else environ
        value = env.get("LEADSCORE_SPARK_WAREHOUSE")
        path = Path(value) if value else PROJECT_DIR / "warehouse" / "spark"
        return cls(
            warehouse=(path if path.is_absolute() else Path.cwd() / path).resolve(),
            master=env.get("LEADSCORE_SPARK_MASTER", cls.master),
            driver_memory=env.get("LEADSCORE_SPARK_DRIVER_MEMORY", cls.driver_memory),
            shuffle_partitions=env.get(
                "LEADSCORE_SPARK_SHUFFLE_PARTITIONS", cls.shuffle_partitions
            ),
            schema=env.get("LEADSCORE_SPARK_SCHEMA", cls.schema),
        )

    @property
    def ml_schema(self) -> str:
        """Where the ML step writes its tables (the ml_* dbt models read them)."""
        return f"{self.schema}_ml"

    def env(self) -> dict[str, str]:
        """The environment variables that make the dbt profile agree with these settings."""
        return {
            "LEADSCORE_SPARK_WAREHOUSE": str(self.warehouse),
            "LEADSCORE_SPARK_MASTER": self.master,
            "LEADSCORE_SPARK_DRIVER_MEMORY": self.driver_memory,
            "LEADSCORE_SPARK_SHUFFLE_PARTITIONS": self.shuffle_partitions,
            "LEADSCORE_SPARK_SCHEMA": self.schema,
        }


def spark_conf(settings: SparkSettings) -> dict[str, str]:
    """The session settings; profiles.yml's `spark` target spells the same ones."""
    wh = settings.warehouse
    return {
        "spark.master": settings.master,
        "spark.driver.memory": settings.driver_memory,
        "spark.sql.shuffle.partitions": settings.shuffle_partitions,
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.parquet.outputTimestampType": "TIMESTAMP_MICROS",
        "spark.ui.enabled": "false",
        "spark.sql.parser.escapedStringLiterals": "true",
        # dbt-spark turns ANSI mode off in its sessions; the ML step reads the same way
        "spark.sql.ansi.enabled": "false",
        "spark.sql.warehouse.dir": f"{wh}/tables",
        "spark.hadoop.javax.jdo.option.ConnectionURL": (
            f"jdbc:derby:;databaseName={wh}/metastore_db;create=true"
        ),
        "spark.driver.extraJavaOptions": f"-Dderby.system.home={wh}",
    }


def check_runtime() -> None:
    """Raise SparkUnavailable naming what to install when Java or pyspark is missing."""
    try:
        import pyspark  # noqa: F401
    except ImportError as exc:
        raise SparkUnavailable(PYSPARK_HINT) from exc
    java_home = os.environ.get("JAVA_HOME")
    if not (java_home and (Path(java_home) / "bin" / "java").exists()) and not shutil.which("java"):
        raise SparkUnavailable(JAVA_HINT)


def session(settings: SparkSettings | None = None) -> SparkSession:
    """The process's SparkSession (created on first use with spark_conf, Hive catalog)."""
    check_runtime()
    from pyspark.sql import SparkSession

    settings = settings or SparkSettings.from_env()
    settings.warehouse.mkdir(parents=True, exist_ok=True)
    # Python workers (mapInPandas) run this interpreter, the one with leadscore installed;
    # pyspark reads the variable when the context starts (its default is `python3` on PATH)
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder.appName("leadscore").enableHiveSupport()
    for key, value in spark_conf(settings).items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def _q(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def land_parquet(
    spark: SparkSession, folder: Path, systems: Iterable[str] | None = None
) -> list[tuple[str, str, int]]:
    """Load `<folder>/<system>/<table>.parquet` (a connector layout written as files, e.g.
    `leadscore generate --layout fivetran`) as Spark tables `<system>.<table>`, replacing
    them. Returns (system, table, rows) per table."""
    import pyarrow.parquet as pq

    wanted = set(systems) if systems is not None else None
    done: list[tuple[str, str, int]] = []
    for system_dir in sorted(p for p in folder.iterdir() if p.is_dir()):
        system = system_dir.name
        if wanted is not None and system not in wanted:
            continue
        spark.sql(f"create database if not exists {_q(system)}")
        for path in sorted(system_dir.glob("*.parquet")):
            table = f"{_q(system)}.{_q(path.stem)}"
            spark.sql(f"drop table if exists {table}")
            spark.sql(
                f"create table {table} using parquet as select * from parquet.`{path.resolve()}`"
            )
            done.append((system, path.stem, pq.ParquetFile(path).metadata.num_rows))
    return done


def landed_systems(spark: SparkSession, systems: Iterable[str]) -> list[str]:
    """The systems that have a database (landed tables) in the Spark catalog."""
    present = {row.namespace for row in spark.sql("show databases").collect()}
    return [s for s in systems if s in present]


def table_exists(spark: SparkSession, name: str) -> bool:
    return bool(spark.catalog.tableExists(name))


def _as_double(frame: DataFrame) -> DataFrame:
    """Decimal columns (Spark's type for `x * 1.0 / y`) as doubles, as DuckDB gives them."""
    from pyspark.sql.types import DecimalType

    casts = [
        frame[f.name].cast("double").alias(f.name)
        if isinstance(f.dataType, DecimalType)
        else frame[f.name]
        for f in frame.schema.fields
    ]
    return frame.select(*casts)


def to_pandas(frame: DataFrame) -> pd.DataFrame:
    """A Spark DataFrame as pandas, decimals as floats (what the DuckDB path hands pandas)."""
    out = _as_double(frame).toPandas()
    for col in out.columns:
        if out[col].dtype == object and out[col].map(lambda v: isinstance(v, Decimal)).any():
            out[col] = pd.to_numeric(out[col], errors="coerce")
    return out


def read_table(
    spark: SparkSession, name: str, columns: Iterable[str] | None = None
) -> pd.DataFrame:
    frame = spark.table(name)
    if columns is not None:
        frame = frame.select(*columns)
    return to_pandas(frame)


def batches(frames: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
    """Non-empty pandas batches (mapInPandas may hand an empty one)."""
    for frame in frames:
        if len(frame):
            yield frame


def write_table(spark: SparkSession, frame: Any, name: str) -> None:
    """Replace table `name` with a pandas DataFrame, an Arrow table or a Spark DataFrame."""
    import pyarrow as pa

    if isinstance(frame, pa.Table):
        frame = frame.to_pandas()
    if isinstance(frame, pd.DataFrame):
        frame = spark.createDataFrame(frame) if len(frame.columns) else None
    if frame is None:
        raise ValueError(f"nothing to write to {name}: no columns")
    frame.write.mode("overwrite").format("parquet").saveAsTable(name)
