{#-
    No row disappears without a reason: for every export, the rows in the landing file
    (counted straight from the source) equal staged + soft-deleted + rejected rows.
    Returns one row per export that does not reconcile.
-#}
{{ config(severity='error') }}
{%- set exports = [
    ('salesforce', 'lead', 'Lead', 'stg_salesforce__leads', 'base_salesforce__leads',
        'stg_salesforce__rejected_rows'),
    ('salesforce', 'account', 'Account', 'stg_salesforce__accounts',
        'base_salesforce__accounts', 'stg_salesforce__rejected_rows'),
    ('salesforce', 'contact', 'Contact', 'stg_salesforce__contacts',
        'base_salesforce__contacts', 'stg_salesforce__rejected_rows'),
    ('salesforce', 'opportunity', 'Opportunity', 'stg_salesforce__opportunities',
        'base_salesforce__opportunities', 'stg_salesforce__rejected_rows'),
    ('salesforce', 'campaign', 'Campaign', 'stg_salesforce__campaigns',
        'base_salesforce__campaigns', 'stg_salesforce__rejected_rows'),
    ('salesforce', 'campaign_member', 'CampaignMember', 'stg_salesforce__campaign_members',
        'base_salesforce__campaign_members', 'stg_salesforce__rejected_rows'),
    ('salesforce', 'lead_history', 'LeadHistory', 'stg_salesforce__lead_histories',
        'base_salesforce__lead_histories', 'stg_salesforce__rejected_rows'),
    ('hubspot', 'contacts', 'contacts', 'stg_hubspot__contacts', 'base_hubspot__contacts',
        'stg_hubspot__rejected_rows'),
    ('hubspot', 'companies', 'companies', 'stg_hubspot__companies',
        'base_hubspot__companies', 'stg_hubspot__rejected_rows'),
    ('marketo', 'leads', 'leads', 'stg_marketo__leads', 'base_marketo__leads',
        'stg_marketo__rejected_rows'),
    ('marketo', 'activities', 'activities', 'stg_marketo__activities',
        'base_marketo__activities', 'stg_marketo__rejected_rows'),
    ('web', 'events', 'events', 'stg_web__events', 'base_web__events',
        'stg_web__rejected_rows'),
    ('intent', 'topic_surges', 'topic_surges', 'stg_intent__topic_surges',
        'base_intent__topic_surges', 'stg_intent__rejected_rows'),
] -%}
with

counts as (

    {% for system, table, entity, staged, base, rejected in exports -%}
        select
            '{{ system }}' as source_system,
            '{{ entity }}' as source_entity,
            (select count(*) from {{ source(system, table) }}) as landed_rows,
            (select count(*) from {{ ref(staged) }}) as staged_rows,
            (
                select count(*) from {{ ref(base) }}
                where row_status = 'deleted'
            ) as deleted_rows,
            (
                select count(*) from {{ ref(rejected) }}
                where source_entity = '{{ entity }}'
            ) as rejected_rows
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

final as (

    select
        *,
        landed_rows - staged_rows - deleted_rows - rejected_rows as unexplained_rows
    from counts
    where landed_rows != staged_rows + deleted_rows + rejected_rows

)

select * from final
