{#- Every distinct raw vocabulary value per (system, entity, field), with its row count. -#}
with

records as (

    select * from {{ ref('int_person_records_unioned') }}

),

sf_accounts as (

    select * from {{ ref('stg_salesforce__accounts') }}

),

sf_opportunities as (

    select * from {{ ref('stg_salesforce__opportunities') }}

),

sf_lead_histories as (

    select * from {{ ref('stg_salesforce__lead_histories') }}

),

sf_campaign_members as (

    select * from {{ ref('stg_salesforce__campaign_members') }}

),

hubspot_companies as (

    select * from {{ ref('stg_hubspot__companies') }}

),

marketo_activities as (

    select * from {{ ref('stg_marketo__activities') }}

),

web_events as (

    select * from {{ ref('stg_web__events') }}

),

{%- set person_fields = [
    ('industry', 'industry', 'industry'),
    ('employees_range', 'employees', 'employees_range'),
    ('country', 'country', 'country'),
    ('job_title_seniority', 'job_title_seniority', 'job_title'),
    ('job_title_function', 'job_title_function', 'job_title'),
    ('lead_source', 'lead_source', 'lead_source'),
    ('lead_status', 'funnel_stage', 'lead_status'),
    ('lifecycle_stage', 'funnel_stage', 'lifecycle_stage'),
] %}

person_values as (

    {% for system, entity in [
        ('salesforce', 'Lead'), ('salesforce', 'Contact'), ('hubspot', 'contacts'),
        ('marketo', 'leads')
    ] -%}
        {%- set outer_loop = loop -%}
        {%- for field, taxonomy, column in person_fields -%}
    {{ observe_values(
        '(select * from records where source_system = \'' ~ system
        ~ '\' and source_entity = \'' ~ entity ~ '\')',
        system, entity, field, taxonomy, column
    ) }}
            {% if not (outer_loop.last and loop.last) %}union all{% endif %}
        {% endfor -%}
    {%- endfor %}

),

other_values as (

    {{ observe_values('sf_accounts', 'salesforce', 'Account', 'industry', 'industry',
        'industry') }}
    union all
    {{ observe_values('sf_accounts', 'salesforce', 'Account', 'country', 'country',
        'billing_country') }}
    union all
    {{ observe_values('hubspot_companies', 'hubspot', 'companies', 'industry', 'industry',
        'industry') }}
    union all
    {{ observe_values('hubspot_companies', 'hubspot', 'companies', 'country', 'country',
        'country') }}
    union all
    {{ observe_values('hubspot_companies', 'hubspot', 'companies', 'employees_range',
        'employees', 'employees_range') }}
    union all
    {{ observe_values('sf_opportunities', 'salesforce', 'Opportunity', 'stage_name',
        'funnel_stage', 'stage_name') }}
    union all
    {{ observe_values('sf_opportunities', 'salesforce', 'Opportunity', 'lead_source',
        'lead_source', 'lead_source') }}
    union all
    {{ observe_values(
        "(select * from sf_lead_histories where lower(field_name) = 'status')",
        'salesforce', 'LeadHistory', 'lead_status', 'funnel_stage', 'new_value'
    ) }}
    union all
    {{ observe_values(
        '(select * from sf_campaign_members where has_responded)',
        'salesforce', 'CampaignMember', 'activity_type', 'activity_type', 'member_status'
    ) }}
    union all
    {{ observe_values('marketo_activities', 'marketo', 'activities', 'activity_type',
        'activity_type', activity_type_key('activity_type_id', 'new_status')) }}
    union all
    {{ observe_values('web_events', 'web', 'events', 'activity_type', 'activity_type',
        'coalesce(event_name, event_type)') }}

),

final as (

    select * from person_values
    union all
    select * from other_values

)

select * from final
