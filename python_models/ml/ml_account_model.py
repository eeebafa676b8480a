"""The account model: the previous build's, or trained on this build's sampled matured account
snapshots when the retrain rules say so (cadence, catalog/policy change, forced).

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
    # this model's own table as the previous build left it (absent on a first build)
    previous = pipeline.previous_table(session, dbt.this, "ml_account_model")
    decision = pipeline.account_retrain_decision(
        previous,
        spec,
        policy,
        as_of,
        force=pipeline.truthy(dbt.config.get("force_retrain")),
    )
    pipeline.Progress("account model")(
        f"retrain={decision.retrain} ({decision.reason}: {decision.detail})"
    )
    if not decision.retrain:
        return pipeline.kept_account_model(previous, dataset)
    snapshots = pipeline.to_frame(dbt.ref("int_account_training_sample"))
    return pipeline.train_account_model(
        snapshots, spec, policy, as_of, dataset, retrain_reason=decision.reason
    )
