{#-
    Incremental on DuckDB, by comparison on activity_id: the sources are whole exports (a file
    has no per-row load time, and a row can change without a new id: a lead merge moves an
    activity to another lead_id, a taxonomy seed re-maps its type, a source row is edited or
    soft-deleted), so every run computes the current activity set (`final`) and merges only
    its difference with this table: new activities are inserted, changed rows updated, and
    rows gone from the sources deleted. Those come to the merge as tombstones (the
    activity_id, every other column null; a real row always has a lead_id). The table equals a
    full rebuild after every run; `--full-refresh` rebuilds it from scratch.
    Spark (Parquet tables: no merge, no delete): a table rebuilt every run.
-#}
{{ config(
    materialized='table' if target.type == 'spark' else 'incremental',
    unique_key='activity_id',
    incremental_strategy='merge',
    on_schema_change='fail',
    merge_clauses={
        'when_matched': [
            {'condition': 'DBT_INTERNAL_SOURCE.lead_id is null', 'action': 'delete'},
            {'action': 'update', 'mode': 'by_name'},
        ],
        'when_not_matched': [
            {'condition': 'DBT_INTERNAL_SOURCE.lead_id is not null', 'action': 'insert',
                'mode': 'by_name'},
        ],
    },
) }}
{%- set compared = model.columns.keys() | reject('equalto', 'activity_id') | list %}
with

identities as (

    select * from {{ ref('int_lead_identities_resolved') }}

),

marketo_activities as (

    select * from {{ ref('stg_marketo__activities') }}

),

web_events as (

    select * from {{ ref('stg_web__events') }}

),

campaign_members as (

    select * from {{ ref('stg_salesforce__campaign_members') }}

),

campaigns as (

    select * from {{ ref('stg_salesforce__campaigns') }}

),

mapped as (

    select * from {{ ref('int_taxonomy_values_mapped') }}

),

categories as (

    select * from {{ ref('taxonomy_activity_categories') }}

),

marketo as (

    select
        identities.lead_id,
        'marketo' as source_system,
        'activities' as source_entity,
        marketo_activities.marketo_activity_id as source_activity_id,
        marketo_activities.activity_at,
        {{ activity_type_key('marketo_activities.activity_type_id',
            'marketo_activities.new_status') }} as raw_activity_type,
        marketo_activities.primary_attribute_value as asset_name,
        marketo_activities.marketo_campaign_id as campaign_id
    from marketo_activities
    inner join identities
        on
            identities.source_system = 'marketo'
            and marketo_activities.marketo_lead_id = identities.source_id

),

web as (

    select
        identities.lead_id,
        'web' as source_system,
        'events' as source_entity,
        web_events.event_id as source_activity_id,
        web_events.event_at as activity_at,
        coalesce(web_events.event_name, web_events.event_type) as raw_activity_type,
        web_events.page_path as asset_name,
        cast(null as {{ dbt.type_string() }}) as campaign_id
    from web_events
    inner join identities
        on
            identities.source_system = 'web'
            and web_events.anonymous_id = identities.source_id

),

campaign_responses as (

    select
        identities.lead_id,
        'salesforce' as source_system,
        'CampaignMember' as source_entity,
        campaign_members.sf_campaign_member_id as source_activity_id,
        coalesce(
            cast(campaign_members.first_responded_date as timestamp), campaign_members.created_at
        ) as activity_at,
        campaign_members.member_status as raw_activity_type,
        campaigns.campaign_name as asset_name,
        campaign_members.sf_campaign_id as campaign_id
    from campaign_members
    -- a member is a Lead when it names one, else a Contact: one equi-join on (entity, id);
    -- an `or` in this condition would make a nested-loop join, quadratic in rows
    inner join identities
        on
            identities.source_system = 'salesforce'
            and identities.source_entity
            = case when campaign_members.sf_lead_id is null then 'Contact' else 'Lead' end
            and identities.source_id
            = coalesce(campaign_members.sf_lead_id, campaign_members.sf_contact_id)
    left join campaigns
        on campaign_members.sf_campaign_id = campaigns.sf_campaign_id
    where campaign_members.has_responded

),

unioned as (

    select * from marketo
    union all
    select * from web
    union all
    select * from campaign_responses

),

final as (

    select
        {{ surrogate_key(['unioned.source_system', 'unioned.source_activity_id']) }}
            as activity_id,
        unioned.lead_id,
        unioned.activity_at,
        coalesce(mapped.mapped_value, 'unmapped') as activity_type,
        coalesce(categories.activity_name, unioned.raw_activity_type) as activity_name,
        coalesce(categories.engagement_category, 'unmapped') as engagement_category,
        coalesce(categories.is_engagement, false) as is_engagement,
        unioned.source_system,
        unioned.source_activity_id,
        unioned.raw_activity_type,
        unioned.asset_name,
        unioned.campaign_id
    from unioned
    left join mapped
        on
            mapped.field = 'activity_type'
            and unioned.source_system = mapped.source_system
            and unioned.raw_activity_type = mapped.raw_value
    left join categories
        on mapped.mapped_value = categories.activity_type

){% if is_incremental() %},

existing as (

    select * from {{ this }}

),

-- new activities, and activities whose content differs from this table's row
changed as (

    select final.*
    from final
    left join existing
        on final.activity_id = existing.activity_id
    where
        existing.activity_id is null
        or not (
            {%- for column in compared %}
            {{ 'and ' if not loop.first }}final.{{ column }} is not distinct from existing.{{ column }}
            {%- endfor %}
        )

),

-- activities no longer in the sources: tombstones that the merge deletes
removed as (

    select
        existing.activity_id
        {%- for column in compared %},
        cast(null as {{ model.columns[column].data_type }}) as {{ column }}
        {%- endfor %}
    from existing
    left join final
        on existing.activity_id = final.activity_id
    where final.activity_id is null

){% endif %},

changes as (

    select * from {{ 'changed' if is_incremental() else 'final' }}
    {%- if is_incremental() %}
    union all
    select * from removed
    {%- endif %}

)

select * from changes
