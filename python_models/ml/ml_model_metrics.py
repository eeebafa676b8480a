"""This run's metrics in long format: holdout quality, calibration by decile, score drift."""

from leadscore import pipeline

# what metrics_frame reads: the registry's rows also hold every model's blob and holdout
REGISTRY_COLUMNS = (
    "model_version",
    "status",
    "trained_at",
    "validation_scheme",
    "metrics_json",
    "calibration_json",
)
SCORE_COLUMNS = ("model_version", "score", "score_status")


def model(dbt, session):
    dbt.config(materialized="table")
    as_of = pipeline.to_frame(dbt.ref("int_scoring_clock"))["as_of"].iloc[0]
    return pipeline.metrics_frame(
        pipeline.to_frame(pipeline.select_columns(dbt.ref("ml_model_registry"), *REGISTRY_COLUMNS)),
        pipeline.to_frame(pipeline.select_columns(dbt.ref("ml_lead_scores"), *SCORE_COLUMNS)),
        dbt.config.get("dataset"),
        as_of,
    )
