with

events as (

    select * from {{ ref('int_funnel_events') }}

),

leads as (

    select * from {{ ref('int_lead_identities_resolved') }}

),

stage_order as (

    select * from {{ ref('taxonomy_funnel_stage_order') }}

),

lead_ids as (

    select distinct lead_id from leads

),

pivoted as (

    select
        lead_id,
        min(event_at) filter (where funnel_stage = 'new') as created_at,
        min(event_at) filter (where funnel_stage = 'mql') as mql_at,
        min(event_at) filter (where funnel_stage = 'sal') as sal_at,
        min(event_at) filter (where funnel_stage = 'sql') as sql_at,
        min(event_at) filter (where funnel_stage = 'opportunity') as opportunity_at,
        min(event_at) filter (where funnel_stage = 'won') as won_at,
        min(event_at) filter (where funnel_stage = 'lost') as lost_at,
        min(event_at) filter (where funnel_stage = 'disqualified') as disqualified_at,
        min(event_at) filter (where funnel_stage = 'recycled') as recycled_at,
        max(event_at) filter (where funnel_stage = 'recycled') as last_recycled_at
    from events
    group by lead_id

),

latest as (

    select
        events.lead_id,
        events.funnel_stage as current_stage,
        events.event_at as current_stage_at
    from events
    inner join stage_order
        on events.funnel_stage = stage_order.funnel_stage
    qualify row_number() over (
        partition by events.lead_id
        order by
            case when events.funnel_stage = 'new' then 1 else 0 end,
            events.event_at desc,
            stage_order.stage_order desc
    ) = 1

),

final as (

    select
        lead_ids.lead_id,
        pivoted.created_at,
        pivoted.mql_at,
        pivoted.sal_at,
        pivoted.sql_at,
        pivoted.opportunity_at,
        pivoted.won_at,
        pivoted.lost_at,
        pivoted.disqualified_at,
        pivoted.recycled_at,
        pivoted.last_recycled_at,
        coalesce(latest.current_stage, 'new') as current_stage,
        latest.current_stage_at,
        coalesce(stage_order.is_open, true) as is_open,
        pivoted.mql_at is not null as is_mql_ever,
        pivoted.opportunity_at is not null as has_opportunity,
        {{ dbt.datediff('pivoted.created_at', 'pivoted.opportunity_at', 'day') }}
            as days_to_opportunity
    from lead_ids
    left join pivoted
        on lead_ids.lead_id = pivoted.lead_id
    left join latest
        on lead_ids.lead_id = latest.lead_id
    left join stage_order
        on latest.current_stage = stage_order.funnel_stage

)

select * from final
