"""The ML step on Spark: what the dbt Python models do on DuckDB, through the same package.

dbt-spark's session method runs no Python models, so `leadscore run --target spark` runs this
step between two dbt builds: the SQL layers up to the training sample and scoring features
first, then this step, then the SQL marts that read its tables (models/ml_spark/, which stand
in for python_models/ml/ on Spark).

- training: the policy's capped sample (int_training_sample, already sized by the policy) is
  collected to the driver and trained with leadscore.pipeline exactly as on DuckDB;
- scoring: open leads are scored where they live, `mapInPandas` over int_scoring_features
  with the champion broadcast (a few MB of skops bytes), each batch scored by
  leadscore.pipeline.score;
- results: Spark tables in `<schema>_ml` (ml_model_registry, ml_lead_scores, ...).

Run as `python -m leadscore.spark_ml` (a process of its own: the local metastore admits one
JVM at a time, and dbt runs in another process).
"""

from __future__ import annotations

import argparse
import json
import logging
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd
import pyarrow as pa

from leadscore import pipeline
from leadscore import spark as lspark

if TYPE_CHECKING:  # pragma: no cover
    from pyspark.sql import DataFrame, SparkSession

    from leadscore.ml import FeatureSpec, ScoringPolicy, TrainedModel

log = logging.getLogger("leadscore.spark_ml")

#: the tables this step writes, read by the models of the same names in models/ml_spark/
ML_TABLES = (
    "ml_model_registry",
    "ml_lead_scores",
    "ml_model_metrics",
    "ml_feature_importance",
    "ml_holdout_predictions",
)


@dataclass(frozen=True)
class StepResult:
    registry_rows_written: int
    champion: str | None
    scored_leads: int
    train_seconds: float
    score_seconds: float


def _frame(spark: SparkSession, schema: str, name: str) -> pd.DataFrame:
    return lspark.read_table(spark, f"{schema}.{name}")


def _spark_schema(sample: pd.DataFrame) -> str:
    """A DDL schema for mapInPandas from one scored batch's dtypes."""
    kinds = []
    for column, dtype in sample.dtypes.items():
        if pd.api.types.is_bool_dtype(dtype):
            kind = "boolean"
        elif pd.api.types.is_integer_dtype(dtype):
            kind = "bigint"
        elif pd.api.types.is_float_dtype(dtype):
            kind = "double"
        elif pd.api.types.is_datetime64_any_dtype(dtype):
            kind = "timestamp"
        else:
            kind = "string"
        kinds.append(f"`{column}` {kind}")
    return ", ".join(kinds)


def _as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Object columns as strings (None kept): Arrow needs one type per column."""
    out = frame.copy()
    for column in out.columns:
        dtype = out[column].dtype
        if (
            pd.api.types.is_bool_dtype(dtype)
            or pd.api.types.is_numeric_dtype(dtype)
            or pd.api.types.is_datetime64_any_dtype(dtype)
        ):
            continue
        out[column] = [None if v is None or v is pd.NA or v != v else str(v) for v in out[column]]
    return out


def _write(spark: SparkSession, frame: pd.DataFrame | pa.Table, name: str) -> None:
    table = (
        frame
        if isinstance(frame, pa.Table)
        else pa.Table.from_pandas(_as_text(frame), preserve_index=False)
    )
    # timestamps as microseconds without a zone (what dbt's models and DuckDB use)
    fields = []
    for field in table.schema:
        if pa.types.is_timestamp(field.type):
            fields.append(pa.field(field.name, pa.timestamp("us")))
        elif pa.types.is_null(field.type):
            fields.append(pa.field(field.name, pa.string()))
        else:
            fields.append(field)
    table = table.cast(pa.schema(fields))
    spark.createDataFrame(table).write.mode("overwrite").format("parquet").saveAsTable(name)


def run_step(
    spark: SparkSession,
    settings: lspark.SparkSettings,
    *,
    dataset: str = "demo",
    force_retrain: bool = False,
    force_include: Sequence[str] = (),
) -> StepResult:
    """Train (when the policy says so), score every open lead, write the ml tables."""
    src, out = settings.schema, settings.ml_schema
    spark.sql(f"create database if not exists `{out}`")
    as_of, policy, spec = pipeline.load_context(
        _frame(spark, src, "int_scoring_clock"),
        _frame(spark, src, "scoring_policy"),
        _frame(spark, src, "int_label_policy"),
        _frame(spark, src, "policy_grades"),
        _frame(spark, src, "int_feature_catalog"),
        dataset,
        _frame(spark, src, "feature_value_labels"),
    )
    registry_name = f"{out}.ml_model_registry"
    registry = (
        _frame(spark, out, "ml_model_registry")
        if lspark.table_exists(spark, registry_name)
        else None
    )

    began = time.perf_counter()
    examples = _frame(spark, src, "int_training_sample")
    new_rows = pipeline.update_registry(
        registry,
        examples,
        spec,
        policy,
        as_of,
        force_retrain=force_retrain,
        force_include=force_include,
    )
    new_table = pipeline.registry_table(new_rows, dataset)
    if registry is not None and len(registry):
        kept = registry[~registry["model_version"].isin(new_rows.get("model_version", []))]
        merged = pa.concat_tables([pipeline.registry_table(kept, dataset), new_table])
    else:
        merged = new_table
    train_seconds = time.perf_counter() - began
    if new_table.num_rows or registry is None:
        _write(spark, merged, registry_name)
    full_registry = merged.to_pandas()
    champion = pipeline.load_champion(full_registry)

    began = time.perf_counter()
    labels = lspark.read_table(spark, f"{src}.int_training_examples", ["label"])["label"]
    features = spark.table(f"{src}.int_scoring_features")
    head = lspark.to_pandas(features.limit(1))
    scores = _score(spark, features, head, labels, spec, policy, champion, as_of).persist()
    _write_scores(_with_run_percentile(spark, scores), f"{out}.ml_lead_scores")
    scores.unpersist()
    score_seconds = time.perf_counter() - began
    scored = spark.table(f"{out}.ml_lead_scores")
    scored_leads = scored.count()

    score_frame = lspark.to_pandas(scored.select("model_version", "score", "score_status"))
    registry_cols = [c for c in pipeline_registry_columns() if c in full_registry.columns]
    _write(
        spark,
        pipeline.metrics_frame(full_registry[registry_cols], score_frame, dataset, as_of),
        f"{out}.ml_model_metrics",
    )
    _write(spark, pipeline.holdout_table(champion), f"{out}.ml_holdout_predictions")
    # importance on a sample of open leads (feature_importance samples 5,000 rows itself)
    sample = lspark.to_pandas(features.limit(20_000)) if champion is not None else head
    _write(spark, pipeline.importance_frame(champion, sample), f"{out}.ml_feature_importance")
    return StepResult(
        registry_rows_written=new_table.num_rows,
        champion=None if champion is None else champion.version,
        scored_leads=int(scored_leads),
        train_seconds=train_seconds,
        score_seconds=score_seconds,
    )


def pipeline_registry_columns() -> tuple[str, ...]:
    """The registry columns metrics_frame reads (as the dbt Python model selects them)."""
    return (
        "model_version",
        "status",
        "trained_at",
        "validation_scheme",
        "metrics_json",
        "calibration_json",
    )


def _score(
    spark: SparkSession,
    features: DataFrame,
    head: pd.DataFrame,
    labels: pd.Series,
    spec: FeatureSpec,
    policy: ScoringPolicy,
    champion: TrainedModel | None,
    as_of: pd.Timestamp,
) -> DataFrame:
    """Score every row of `features` with mapInPandas; the champion travels as a broadcast."""
    shared = spark.sparkContext.broadcast((labels, spec, policy, champion, as_of))
    schema = _spark_schema(pipeline.score(head, *shared.value))

    def score_batches(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        batch_labels, batch_spec, batch_policy, model, at = shared.value
        for batch in lspark.batches(batches):
            yield _as_text(pipeline.score(batch, batch_labels, batch_spec, batch_policy, model, at))

    return features.mapInPandas(score_batches, schema)


def _with_run_percentile(spark: SparkSession, scores: DataFrame) -> DataFrame:
    """mapInPandas scores part by part, so each part's `percentile` ranks a lead among its own
    part only. The percentile ranks it among the whole run: the probabilities are counted across
    all parts (one row per distinct value, few with isotonic calibration) and each value is
    mapped through the same function the DuckDB path uses (grades.percentile_of_counts)."""
    from pyspark.sql import functions as F

    from leadscore.ml.grades import percentile_of_counts

    p = "conversion_probability"
    known = scores.where(F.col(p).isNotNull() & ~F.isnan(F.col(p)))
    counts = lspark.to_pandas(known.groupBy(p).count()).sort_values(p)
    if counts.empty:
        return scores
    mapping = pd.DataFrame(
        {
            p: counts[p].to_numpy(dtype="float64"),
            "run_percentile": percentile_of_counts(counts["count"].to_numpy()),
        }
    )
    joined = scores.join(F.broadcast(spark.createDataFrame(mapping)), on=p, how="left")
    return joined.withColumn("percentile", F.col("run_percentile")).select(*scores.columns)


def _write_scores(scores: DataFrame, name: str) -> None:
    scores.write.mode("overwrite").format("parquet").saveAsTable(name)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m leadscore.spark_ml", description=__doc__)
    parser.add_argument("--dataset", default="demo")
    parser.add_argument("--force-retrain", action="store_true")
    parser.add_argument("--force-include", default="")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    settings = lspark.SparkSettings.from_env()
    spark = lspark.session(settings)
    try:
        result = run_step(
            spark,
            settings,
            dataset=args.dataset,
            force_retrain=args.force_retrain,
            force_include=pipeline.split_list(args.force_include),
        )
    finally:
        spark.stop()
    print(json.dumps(result.__dict__))
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
