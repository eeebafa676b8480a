"""Early outcomes: a past run's conversions so far against what it promised so far
(leadscore.pipeline.early_outcomes_frame)."""

from leadscore import pipeline


def model(dbt, session):
    dbt.config(materialized="table")
    segments = pipeline.split_list(dbt.config.get("segments"))
    as_of = pipeline.to_frame(dbt.ref("int_scoring_clock"))["as_of"].iloc[0]
    horizon = pipeline.to_frame(dbt.ref("int_label_policy"))["horizon_days"].iloc[0]
    history = dbt.ref("lead_score_history")
    columns = ("scoring_run_id", "as_of", "model_version", "lead_id", "score_status")
    return pipeline.early_outcomes_frame(
        pipeline.to_frame(pipeline.select_columns(history, *columns, "conversion_probability")),
        pipeline.to_frame(pipeline.select_columns(dbt.ref("dim_leads"), "lead_id", *segments)),
        pipeline.to_frame(
            pipeline.select_columns(
                dbt.ref("fct_lead_funnel"), "lead_id", "created_at", "opportunity_at"
            )
        ),
        pipeline.to_frame(
            pipeline.select_columns(
                dbt.ref("int_training_examples"), "lead_id", "cutoff_at", "lead_age_days", "label"
            )
        ),
        int(horizon),
        pipeline.to_frame(dbt.ref("policy_monitoring")),
        segments,
        as_of,
        offsets=pipeline.to_frame(dbt.ref("policy_training_cutoffs")),
    )
