"""The champion's honest holdout predictions, with the grade it gives each row (for reports)."""

from leadscore import pipeline


def model(dbt, session):
    dbt.config(materialized="table")
    as_of = pipeline.to_frame(dbt.ref("int_scoring_clock"))["as_of"].iloc[0]
    policy = pipeline.build_policy(
        pipeline.to_frame(dbt.ref("scoring_policy")),
        pipeline.to_frame(dbt.ref("int_label_policy")),
        pipeline.to_frame(dbt.ref("policy_grades")),
        as_of,
    )
    spec = pipeline.build_spec(
        pipeline.to_frame(dbt.ref("feature_catalog")), dbt.config.get("dataset")
    )
    registry = pipeline.to_frame(dbt.ref("ml_model_registry"))
    examples = pipeline.to_frame(dbt.ref("int_training_sample"))
    return pipeline.holdout_table(pipeline.load_champion(registry), examples, spec, policy)
