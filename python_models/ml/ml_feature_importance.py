"""Which features move the champion's scores most on today's open leads (for the report)."""

from leadscore import pipeline


def model(dbt, session):
    dbt.config(materialized="table")
    registry = pipeline.to_frame(dbt.ref("ml_model_registry"))
    features = pipeline.to_frame(dbt.ref("int_scoring_features"))
    return pipeline.importance_frame(pipeline.load_champion(registry), features)
