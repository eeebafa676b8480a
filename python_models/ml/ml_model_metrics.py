"""This run's metrics in long format: holdout quality, calibration by decile, score drift."""

from leadscore import pipeline


def model(dbt, session):
    dbt.config(materialized="table")
    as_of = pipeline.to_frame(dbt.ref("int_scoring_clock"))["as_of"].iloc[0]
    return pipeline.metrics_frame(
        pipeline.to_frame(dbt.ref("ml_model_registry")),
        pipeline.to_frame(dbt.ref("ml_lead_scores")),
        dbt.config.get("dataset"),
        as_of,
    )
