"""Model registry: one row per trained model (champion / challenger / retired).

Thin on purpose: the decisions live in leadscore.pipeline (tested by pytest).
"""

from leadscore import pipeline


def model(dbt, session):
    dbt.config(
        materialized="incremental",
        unique_key="model_version",
        incremental_strategy="delete+insert",
        on_schema_change="append_new_columns",
        # the trained models and their promotion history are state, not derived from the
        # inputs: `--full-refresh` (rebuild the derived tables) keeps them
        full_refresh=False,
    )
    dataset = dbt.config.get("dataset")
    as_of, policy, spec = pipeline.load_context(
        dbt.ref("int_scoring_clock"),
        dbt.ref("scoring_policy"),
        dbt.ref("int_label_policy"),
        dbt.ref("policy_grades"),
        dbt.ref("int_feature_catalog"),
        dataset,
    )
    policy = pipeline.with_cadence(policy, dbt.config.get("retrain_cadence_days"))
    # lazy relations (dbt finds a Python model's refs only as plain dbt.ref calls), read
    # only when a model is trained: a build that keeps its champion loads none of them
    sample = dbt.ref("int_training_sample")
    early_examples = dbt.ref("int_training_examples_early")
    conversions = dbt.ref("int_training_conversions")
    registry = None
    if dbt.is_incremental:
        registry = pipeline.to_frame(session.sql(f"select * from {dbt.this}"))
    rows = pipeline.update_registry(
        registry,
        lambda: pipeline.to_frame(sample),
        spec,
        policy,
        as_of,
        force_retrain=pipeline.truthy(dbt.config.get("force_retrain")),
        force_include=pipeline.split_list(dbt.config.get("force_include_features")),
        # the previous build's monitors (a breach trains a challenger); not a ref: the
        # monitors are built after the registry, from its champion
        monitoring=pipeline.previous_table(session, dbt.this, "model_monitoring"),
        # partly matured examples and conversion times: loaded only for a retrain a
        # monitor triggered (leadscore.ml.early)
        early=lambda: (pipeline.to_frame(early_examples), pipeline.to_frame(conversions)),
    )
    return pipeline.registry_table(rows, dataset)
