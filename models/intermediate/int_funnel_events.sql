{#-
    Dated funnel events per lead from every system: Salesforce LeadHistory status changes
    (and lead creation), lead conversion to an opportunity and its close, HubSpot
    "Became a ... Date" properties, and record creation everywhere.
-#}
with

identities as (

    select * from {{ ref('int_lead_identities_resolved') }}

),

sf_leads as (

    select * from {{ ref('stg_salesforce__leads') }}

),

sf_lead_histories as (

    select * from {{ ref('stg_salesforce__lead_histories') }}

),

sf_opportunities as (

    select * from {{ ref('stg_salesforce__opportunities') }}

),

hubspot_contacts as (

    select * from {{ ref('stg_hubspot__contacts') }}

),

mapped as (

    select * from {{ ref('int_taxonomy_values_mapped') }}

),

sf_lead_ids as (

    select
        lead_id,
        source_id as sf_lead_id
    from identities
    where source_system = 'salesforce' and source_entity = 'Lead'

),

hubspot_ids as (

    select
        lead_id,
        source_id as hubspot_contact_id
    from identities
    where source_system = 'hubspot'

),

created as (

    select
        lead_id,
        'new' as funnel_stage,
        created_at as event_at,
        source_system || ':' || source_entity as event_source
    from identities
    where created_at is not null

),

status_changes as (

    select
        sf_lead_ids.lead_id,
        mapped.mapped_value as funnel_stage,
        sf_lead_histories.created_at as event_at,
        'salesforce:LeadHistory' as event_source
    from sf_lead_histories
    inner join sf_lead_ids
        on sf_lead_histories.sf_lead_id = sf_lead_ids.sf_lead_id
    inner join mapped
        on
            mapped.source_system = 'salesforce'
            and mapped.source_entity = 'LeadHistory'
            and mapped.field = 'lead_status'
            and sf_lead_histories.new_value = mapped.raw_value
    where lower(sf_lead_histories.field_name) = 'status'

),

conversions as (

    select
        sf_lead_ids.lead_id,
        sf_opportunities.sf_opportunity_id,
        sf_opportunities.created_at as opportunity_created_at,
        sf_opportunities.is_closed,
        sf_opportunities.is_won,
        cast(sf_opportunities.close_date as timestamp) as closed_at
    from sf_leads
    inner join sf_lead_ids
        on sf_leads.sf_lead_id = sf_lead_ids.sf_lead_id
    inner join sf_opportunities
        on sf_leads.converted_opportunity_id = sf_opportunities.sf_opportunity_id

),

opportunity_events as (

    select
        lead_id,
        'opportunity' as funnel_stage,
        opportunity_created_at as event_at,
        'salesforce:Opportunity' as event_source
    from conversions
    union all
    select
        lead_id,
        case when is_won then 'won' else 'lost' end as funnel_stage,
        closed_at as event_at,
        'salesforce:Opportunity' as event_source
    from conversions
    where is_closed and closed_at is not null

),

hubspot_events as (

    {%- for column, stage in [
        ('became_mql_at', 'mql'), ('became_sql_at', 'sql'),
        ('became_opportunity_at', 'opportunity'), ('became_customer_at', 'won'),
    ] %}
        select
            hubspot_ids.lead_id,
            '{{ stage }}' as funnel_stage,
            hubspot_contacts.{{ column }} as event_at,
            'hubspot:contacts' as event_source
        from hubspot_contacts
        inner join hubspot_ids
            on hubspot_contacts.hubspot_contact_id = hubspot_ids.hubspot_contact_id
        where hubspot_contacts.{{ column }} is not null
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

unioned as (

    select * from created
    union all
    select * from status_changes
    union all
    select * from opportunity_events
    union all
    select * from hubspot_events

),

final as (

    select
        {{ surrogate_key(['lead_id', 'funnel_stage', 'event_at', 'event_source']) }}
            as funnel_event_id,
        lead_id,
        funnel_stage,
        event_at,
        event_source
    from unioned
    where event_at is not null
    group by lead_id, funnel_stage, event_at, event_source

)

select * from final
