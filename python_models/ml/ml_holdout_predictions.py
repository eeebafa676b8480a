"""The champion's honest holdout predictions, with the grade it gives each row (for reports)."""

from leadscore import pipeline


def model(dbt, session):
    dbt.config(materialized="table")
    _, policy, spec = pipeline.load_context(
        dbt.ref("int_scoring_clock"),
        dbt.ref("scoring_policy"),
        dbt.ref("int_label_policy"),
        dbt.ref("policy_grades"),
        dbt.ref("int_feature_catalog"),
        dbt.config.get("dataset"),
    )
    registry = pipeline.to_frame(dbt.ref("ml_model_registry"))
    examples = pipeline.to_frame(dbt.ref("int_training_sample"))
    return pipeline.holdout_table(pipeline.load_champion(registry), examples, spec, policy)
