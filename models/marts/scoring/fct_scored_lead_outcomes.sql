{#-
    What became of each score once its outcome matured: one row per lead per past scoring run
    (lead_score_history) whose label horizon (int_label_policy) has passed at this build's
    scoring clock. converted = 1 when the lead's first opportunity was created after the run's
    clock and within the horizon, the same label the model was trained on. Segments are the
    lead's current industry, size tier, channel and product line (dim_leads). Input of the
    outcome backtest and the segment monitors.
-#}
with

history as (

    select * from {{ ref('lead_score_history') }}

),

funnel as (

    select * from {{ ref('fct_lead_funnel') }}

),

leads as (

    select * from {{ ref('dim_leads') }}

),

clock as (

    select * from {{ ref('int_scoring_clock') }}

),

label_policy as (

    select * from {{ ref('int_label_policy') }}

),

matured as (

    select
        history.*,
        label_policy.horizon_days,
        {{ dbt.dateadd('day', 'label_policy.horizon_days', 'history.as_of') }}
            as matured_at
    from history
    cross join label_policy
    cross join clock
    where
        history.score_status = 'scored'
        and {{ dbt.dateadd('day', 'label_policy.horizon_days', 'history.as_of') }}
        <= clock.as_of

),

final as (

    select
        matured.lead_score_history_id,
        matured.scoring_run_id,
        matured.as_of,
        cast(matured.matured_at as timestamp) as matured_at,
        matured.horizon_days,
        matured.lead_id,
        matured.model_version,
        matured.conversion_probability,
        matured.score,
        matured.grade,
        coalesce(leads.industry, 'unknown') as industry,
        coalesce(leads.size_tier, 'unknown') as size_tier,
        coalesce(leads.channel, 'unknown') as channel,
        coalesce(leads.product_line, 'unknown') as product_line,
        case
            when
                funnel.opportunity_at > matured.as_of
                and funnel.opportunity_at <= matured.matured_at
                then 1
            else 0
        end as converted
    from matured
    left join funnel
        on matured.lead_id = funnel.lead_id
    left join leads
        on matured.lead_id = leads.lead_id

)

select * from final
