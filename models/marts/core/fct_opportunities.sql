with

opportunities as (

    select * from {{ ref('stg_salesforce__opportunities') }}

),

sf_accounts as (

    select * from {{ ref('stg_salesforce__accounts') }}

),

sf_leads as (

    select * from {{ ref('stg_salesforce__leads') }}

),

identities as (

    select * from {{ ref('int_lead_identities_resolved') }}

),

accounts as (

    select * from {{ ref('dim_accounts') }}

),

mapped as (

    select * from {{ ref('int_taxonomy_values_mapped') }}

),

converted_leads as (

    select
        sf_leads.converted_opportunity_id as sf_opportunity_id,
        min(identities.lead_id) as lead_id,
        min(sf_leads.sf_lead_id) as sf_lead_id,
        min(sf_leads.converted_date) as converted_date
    from sf_leads
    inner join identities
        on
            identities.source_system = 'salesforce'
            and identities.source_entity = 'Lead'
            and sf_leads.sf_lead_id = identities.source_id
    where sf_leads.converted_opportunity_id is not null
    group by 1

),

final as (

    select
        opportunities.sf_opportunity_id as opportunity_id,
        converted_leads.lead_id,
        converted_leads.sf_lead_id,
        accounts.account_id,
        opportunities.sf_account_id,
        opportunities.owner_id,
        opportunities.opportunity_name,
        opportunities.opportunity_type,
        opportunities.stage_name,
        coalesce(stage_map.mapped_value, 'unmapped') as funnel_stage,
        opportunities.lead_source,
        channel.mapped_value as channel,
        opportunities.amount,
        opportunities.is_closed,
        opportunities.is_won,
        opportunities.created_at,
        converted_leads.converted_date,
        opportunities.close_date,
        opportunities.last_modified_at
    from opportunities
    left join converted_leads
        on opportunities.sf_opportunity_id = converted_leads.sf_opportunity_id
    left join sf_accounts
        on opportunities.sf_account_id = sf_accounts.sf_account_id
    left join accounts
        on sf_accounts.website_domain = accounts.domain
    left join mapped as stage_map
        on
            stage_map.source_system = 'salesforce'
            and stage_map.source_entity = 'Opportunity'
            and stage_map.field = 'stage_name'
            and opportunities.stage_name = stage_map.raw_value
    left join mapped as channel
        on
            channel.source_system = 'salesforce'
            and channel.source_entity = 'Opportunity'
            and channel.field = 'lead_source'
            and opportunities.lead_source = channel.raw_value

)

select * from final
