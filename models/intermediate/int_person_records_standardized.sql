{#- Person records with every vocabulary field mapped to its controlled value. -#}
with

records as (

    select * from {{ ref('int_person_records_unioned') }}

),

mapped as (

    select * from {{ ref('int_taxonomy_values_mapped') }}

),

size_tiers as (

    select * from {{ ref('taxonomy_company_size_tiers') }}

),

free_mail_domains as (

    select * from {{ ref('taxonomy_free_mail_domains') }}

),

{%- set lookups = [
    ('industry', 'industry', 'industry_standard'),
    ('employees_range', 'employees_range', 'size_tier_from_range'),
    ('country', 'country', 'country_code'),
    ('job_title_seniority', 'job_title', 'seniority'),
    ('job_title_function', 'job_title', 'job_function'),
    ('lead_source', 'lead_source', 'channel'),
    ('lead_status', 'lead_status', 'lead_status_stage'),
    ('lifecycle_stage', 'lifecycle_stage', 'lifecycle_stage_stage'),
] %}

standardized as (

    select
        records.*,
        {%- for field, column, alias in lookups %}
            m_{{ alias }}.mapped_value as {{ alias }},
        {%- endfor %}
        size_tiers.size_tier as size_tier_from_count
    from
        records
    {%- for field, column, alias in lookups %}
        left join mapped as m_{{ alias }}
            on
                records.source_system = m_{{ alias }}.source_system
                and records.source_entity = m_{{ alias }}.source_entity
                and m_{{ alias }}.field = '{{ field }}'
                and records.{{ column }} = m_{{ alias }}.raw_value
    {%- endfor %}
    left join size_tiers
        on records.employees_count between size_tiers.employees_min and size_tiers.employees_max

),

final as (

    select
        {{ star_exclude(
            'standardized', ['size_tier_from_range', 'size_tier_from_count']
        ) }}, -- noqa: RF02
        coalesce(standardized.size_tier_from_count, standardized.size_tier_from_range)
            as size_tier,
        email_free.domain is not null as is_free_mail,
        coalesce(
            case when email_free.domain is null then standardized.email_domain end,
            case when company_free.domain is null then standardized.company_domain end
        ) as account_domain
    from standardized
    left join free_mail_domains as email_free
        on standardized.email_domain = email_free.domain
    left join free_mail_domains as company_free
        on standardized.company_domain = company_free.domain

)

select * from final
