{#-
    Every opportunity with the grade its lead had when it converted: the lead's newest
    lead_score_history row scored at or before the opportunity was created. Opportunities of
    leads never scored before converting get grade 'ungraded'.
-#}
with

opportunities as (

    select * from {{ ref('fct_opportunities') }}

),

history as (

    select * from {{ ref('lead_score_history') }}

),

graded as (

    select
        opportunities.opportunity_id,
        opportunities.lead_id,
        opportunities.owner_id,
        opportunities.stage_name,
        opportunities.amount,
        opportunities.is_closed,
        opportunities.is_won,
        opportunities.created_at,
        history.grade,
        history.score,
        history.as_of as graded_at
    from opportunities
    left join history
        on
            opportunities.lead_id = history.lead_id
            and opportunities.created_at >= history.as_of
    qualify row_number() over (
        partition by opportunities.opportunity_id
        order by history.as_of desc nulls last
    ) = 1

),

final as (

    select
        opportunity_id,
        lead_id,
        owner_id,
        stage_name,
        amount,
        case when is_closed then 0 else coalesce(amount, 0) end as open_amount,
        is_closed,
        is_won,
        not is_closed as is_open,
        created_at,
        coalesce(grade, 'ungraded') as grade_at_conversion,
        score as score_at_conversion,
        graded_at
    from graded

)

select * from final
