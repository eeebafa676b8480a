"""The champion's honest holdout predictions, with the grade its evaluation model gave each row."""

from leadscore import pipeline


def model(dbt, session):
    dbt.config(materialized="table")
    registry = pipeline.to_frame(dbt.ref("ml_model_registry"))
    return pipeline.holdout_table(pipeline.load_champion(registry))
