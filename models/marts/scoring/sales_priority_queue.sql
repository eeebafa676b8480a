{#-
    Each owner's call list: open, scorable leads ranked by expected value (1 = call first), at
    most `max_queue_per_owner` (scoring_policy) per owner; the rest stay scored in lead_scores.
-#}
with

scores as (

    select * from {{ ref('lead_scores') }}

),

clock as (

    select * from {{ ref('int_scoring_clock') }}

),

scoring_policy as (

    select * from {{ ref('scoring_policy') }}

),

queue_cap as (

    select cast(scoring_policy.value as integer) as max_per_owner
    from scoring_policy
    cross join clock
    where
        scoring_policy.key = 'max_queue_per_owner'
        and {{ in_force('clock.as_of', 'scoring_policy', has_end=false) }}

),

leads as (

    select * from {{ ref('dim_leads') }}

),

final as (

    select
        scores.lead_id,
        scores.owner_id,
        scores.owner_name,
        scores.owner_key,
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
        scores.hubspot_record_id,
        scores.effective_grade,
        scores.effective_is_mql,
        scores.override_set_by,
        scores.override_reason
    from scores
    inner join leads
        on scores.lead_id = leads.lead_id
    cross join queue_cap
    where
        scores.score_status in ('scored', 'rules_fallback')
        and scores.priority_rank <= queue_cap.max_per_owner

)

select * from final
