{#- Demo: the newest activity and the newest lead creation; int_scoring_clock takes the max. -#}
with

activities as (

    select * from {{ ref('fct_lead_activities') }}

),

leads as (

    select * from {{ ref('dim_leads') }}

),

observed as (

    select max(activity_at) as observed_at from activities
    union all
    select max(created_at) as observed_at from leads

)

select * from observed
