with

surges as (

    select * from {{ ref('stg_intent__topic_surges') }}

),

accounts as (

    select * from {{ ref('dim_accounts') }}

),

final as (

    select
        surges.topic_surge_id as intent_signal_id,
        accounts.account_id,
        surges.domain,
        surges.company_name,
        surges.topic_name as topic,
        surges.topic_category,
        surges.week_start_date,
        surges.composite_score as surge_score
    from surges
    left join accounts
        on surges.domain = accounts.domain

)

select * from final
