"""Scores every open lead with the champion model, or with policy rules when there is none."""

from leadscore import pipeline


def model(dbt, session):
    dbt.config(materialized="table")
    as_of, policy, spec = pipeline.load_context(
        dbt.ref("int_scoring_clock"),
        dbt.ref("scoring_policy"),
        dbt.ref("int_label_policy"),
        dbt.ref("policy_grades"),
        dbt.ref("int_feature_catalog"),
        dbt.config.get("dataset"),
        dbt.ref("feature_value_labels"),
    )
    registry = pipeline.to_frame(dbt.ref("ml_model_registry"))
    features = pipeline.to_frame(dbt.ref("int_scoring_features"))
    # fetched only for the rules fallback's prior (pipeline.score)
    labels = pipeline.select_columns(dbt.ref("int_training_examples"), "label")
    return pipeline.score(features, labels, spec, policy, pipeline.load_champion(registry), as_of)
