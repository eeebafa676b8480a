"""The account model: trained on every build from the sampled matured account snapshots.

Thin on purpose: the decisions live in leadscore.pipeline (tested by pytest).
"""

from leadscore import pipeline


def model(dbt, session):
    dbt.config(materialized="table")
    dataset = dbt.config.get("dataset")
    as_of, policy, spec = pipeline.load_context(
        dbt.ref("int_scoring_clock"),
        dbt.ref("scoring_policy"),
        dbt.ref("int_label_policy"),
        dbt.ref("policy_grades"),
        dbt.ref("account_feature_catalog"),
        dataset,
    )
    snapshots = pipeline.to_frame(dbt.ref("int_account_training_sample"))
    return pipeline.train_account_model(snapshots, spec, policy, as_of, dataset)
