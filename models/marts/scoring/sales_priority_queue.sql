{#- Each owner's queue: open, scorable leads ranked by expected value (1 = call first). -#}
with

scores as (

    select * from {{ ref('lead_scores') }}

),

leads as (

    select * from {{ ref('dim_leads') }}

),

final as (

    select
        scores.lead_id,
        coalesce(scores.owner_id, 'unassigned') as owner_id,
        scores.priority_rank,
        leads.first_name,
        leads.last_name,
        leads.company_name,
        leads.job_title,
        scores.grade,
        scores.score,
        scores.conversion_probability,
        scores.expected_value,
        scores.is_mql,
        scores.reason_1,
        scores.reason_2,
        scores.reason_3,
        scores.score_status,
        scores.sf_lead_id,
        scores.hubspot_record_id
    from scores
    inner join leads
        on scores.lead_id = leads.lead_id
    where scores.score_status in ('scored', 'rules_fallback')

)

select * from final
