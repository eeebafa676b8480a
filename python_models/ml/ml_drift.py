"""Feature and score drift of the champion, like for like (leadscore.ml.monitoring)."""

from leadscore import pipeline


def model(dbt, session):
    dbt.config(materialized="table")
    as_of = pipeline.to_frame(dbt.ref("int_scoring_clock"))["as_of"].iloc[0]
    return pipeline.drift_frame(
        pipeline.to_frame(dbt.ref("ml_model_registry")),
        pipeline.to_frame(dbt.ref("int_training_sample")),
        pipeline.to_frame(dbt.ref("int_scoring_features")),
        pipeline.to_frame(dbt.ref("policy_training_cutoffs")),
        pipeline.to_frame(dbt.ref("policy_monitoring")),
        as_of,
    )
