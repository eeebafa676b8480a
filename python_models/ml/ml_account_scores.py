"""Every account with people scored by this build's account model (a null with a reason without
one)."""

from leadscore import pipeline


def model(dbt, session):
    dbt.config(materialized="table")
    _, policy, _ = pipeline.load_context(
        dbt.ref("int_scoring_clock"),
        dbt.ref("scoring_policy"),
        dbt.ref("int_label_policy"),
        dbt.ref("policy_grades"),
        dbt.ref("account_feature_catalog"),
        dbt.config.get("dataset"),
    )
    snapshots = pipeline.to_frame(dbt.ref("int_account_snapshots"))
    model_rows = pipeline.to_frame(dbt.ref("ml_account_model"))
    return pipeline.score_accounts(snapshots, model_rows, policy)
