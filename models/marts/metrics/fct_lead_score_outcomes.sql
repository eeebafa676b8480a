{#-
    What happened after each score was shown: one row per lead_score_history row, with the
    label horizon of the current policy and whether the lead got its first opportunity
    within that horizon. A row counts for conversion only once its horizon has matured
    before the scoring clock; younger rows are kept (MQL volume needs them) but flagged.
-#}
with

history as (

    select * from {{ ref('lead_score_history') }}

),

funnel as (

    select * from {{ ref('fct_lead_funnel') }}

),

label_policy as (

    select * from {{ ref('int_label_policy') }}

),

clock as (

    select * from {{ ref('int_scoring_clock') }}

),

horizons as (

    select
        history.lead_score_history_id,
        history.scoring_run_id,
        history.lead_id,
        history.owner_id,
        history.grade,
        history.score,
        history.conversion_probability,
        history.is_mql,
        history.score_status,
        history.model_version,
        history.as_of as scored_at,
        label_policy.horizon_days,
        {{ dbt.dateadd('day', 'label_policy.horizon_days', 'history.as_of') }}
            as horizon_ends_at,
        funnel.opportunity_at,
        clock.as_of as clock_as_of
    from history
    left join funnel
        on history.lead_id = funnel.lead_id
    cross join label_policy
    cross join clock

),

final as (

    select
        lead_score_history_id,
        scoring_run_id,
        lead_id,
        owner_id,
        grade,
        score,
        conversion_probability,
        is_mql,
        score_status,
        model_version,
        scored_at,
        horizon_days,
        horizon_ends_at,
        horizon_ends_at <= clock_as_of as is_horizon_matured,
        coalesce(
            opportunity_at > scored_at and opportunity_at <= horizon_ends_at, false
        ) as has_opportunity_within_horizon
    from horizons

)

select * from final
