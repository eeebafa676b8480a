{#- Landed rows per export = staged + soft-deleted + rejected (by reason). -#}
{%- set exports = [
    ('salesforce', 'Lead', 'base_salesforce__leads'),
    ('salesforce', 'Account', 'base_salesforce__accounts'),
    ('salesforce', 'Contact', 'base_salesforce__contacts'),
    ('salesforce', 'Opportunity', 'base_salesforce__opportunities'),
    ('salesforce', 'Campaign', 'base_salesforce__campaigns'),
    ('salesforce', 'CampaignMember', 'base_salesforce__campaign_members'),
    ('salesforce', 'LeadHistory', 'base_salesforce__lead_histories'),
    ('hubspot', 'contacts', 'base_hubspot__contacts'),
    ('hubspot', 'companies', 'base_hubspot__companies'),
    ('marketo', 'leads', 'base_marketo__leads'),
    ('marketo', 'activities', 'base_marketo__activities'),
    ('web', 'events', 'base_web__events'),
    ('intent', 'topic_surges', 'base_intent__topic_surges'),
] -%}
with

{% for system, entity, model in exports %}
    {{ model }} as (

        select
            '{{ system }}' as source_system,
            '{{ entity }}' as source_entity,
            count(*) as landed_rows,
            count(*) filter (where row_status = 'staged') as staged_rows,
            count(*) filter (where row_status = 'deleted') as deleted_rows,
            count(*) filter (where row_status like 'rejected:%') as rejected_rows,
            count(*) filter (where row_status = 'rejected:duplicate_id') as duplicate_rows
        from {{ ref(model) }}

    ),
{% endfor %}

unioned as (

    {% for system, entity, model in exports -%}
        select * from {{ model }}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

final as (

    select
        source_system || ':' || source_entity as export_id,
        source_system,
        source_entity,
        landed_rows,
        staged_rows,
        deleted_rows,
        rejected_rows,
        duplicate_rows,
        rejected_rows * 1.0 / nullif(landed_rows, 0) as rejected_share,
        landed_rows = staged_rows + deleted_rows + rejected_rows as is_reconciled
    from unioned

)

select * from final
