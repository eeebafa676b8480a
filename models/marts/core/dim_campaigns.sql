with

campaigns as (

    select * from {{ ref('stg_salesforce__campaigns') }}

),

members as (

    select * from {{ ref('stg_salesforce__campaign_members') }}

),

member_counts as (

    select
        sf_campaign_id,
        count(*) as members,
        count(*) filter (where has_responded) as responders,
        min(first_responded_date) as first_response_date
    from members
    group by 1

),

final as (

    select
        campaigns.sf_campaign_id as campaign_id,
        'salesforce' as source_system,
        campaigns.campaign_name,
        campaigns.campaign_type,
        campaigns.campaign_status,
        campaigns.start_date,
        campaigns.end_date,
        campaigns.created_at,
        cast(coalesce(member_counts.members, 0) as integer) as members,
        cast(coalesce(member_counts.responders, 0) as integer) as responders,
        cast(member_counts.responders as double)
        / nullif(member_counts.members, 0) as response_rate,
        member_counts.first_response_date
    from campaigns
    left join member_counts
        on campaigns.sf_campaign_id = member_counts.sf_campaign_id

)

select * from final
