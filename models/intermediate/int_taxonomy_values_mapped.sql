{#- Every observed raw value with its controlled value (null and is_mapped = false if none). -#}
with

observed as (

    select * from {{ ref('int_taxonomy_values_observed') }}

),

industries as (

    select * from {{ ref('taxonomy_industries') }}

),

employee_ranges as (

    select * from {{ ref('taxonomy_employee_ranges') }}

),

size_tiers as (

    select * from {{ ref('taxonomy_company_size_tiers') }}

),

countries as (

    select * from {{ ref('taxonomy_countries') }}

),

job_titles as (

    select * from {{ ref('taxonomy_job_titles') }}

),

lead_sources as (

    select * from {{ ref('taxonomy_lead_sources') }}

),

funnel_stages as (

    select * from {{ ref('taxonomy_funnel_stages') }}

),

activity_types as (

    select * from {{ ref('taxonomy_activity_types') }}

),

industry_matched as (

    {{ taxonomy_match(
        "(select * from observed where taxonomy = 'industry')", 'industries', ['industry']
    ) }}

),

range_matched as (

    {{ taxonomy_match(
        "(select * from observed where taxonomy = 'employees')", 'employee_ranges',
        ['employees_min']
    ) }}

),

size_matched as (

    select
        range_matched.*,
        size_tiers.size_tier
    from range_matched
    left join size_tiers
        on
            range_matched.employees_min between size_tiers.employees_min
            and size_tiers.employees_max

),

country_matched as (

    {{ taxonomy_match(
        "(select * from observed where taxonomy = 'country')", 'countries', ['country_code']
    ) }}

),

seniority_matched as (

    {{ taxonomy_match(
        "(select * from observed where taxonomy = 'job_title_seniority')", 'job_titles',
        ['mapped_value'], "t.dimension = 'seniority'"
    ) }}

),

function_matched as (

    {{ taxonomy_match(
        "(select * from observed where taxonomy = 'job_title_function')", 'job_titles',
        ['mapped_value'], "t.dimension = 'job_function'"
    ) }}

),

channel_matched as (

    {{ taxonomy_match(
        "(select * from observed where taxonomy = 'lead_source')", 'lead_sources', ['channel']
    ) }}

),

stage_matched as (

    {{ taxonomy_match(
        "(select * from observed where taxonomy = 'funnel_stage')", 'funnel_stages',
        ['funnel_stage'], 't.field = o.field'
    ) }}

),

activity_matched as (

    {{ taxonomy_match(
        "(select * from observed where taxonomy = 'activity_type')", 'activity_types',
        ['activity_type']
    ) }}

),

{%- set common = 'source_system, source_entity, field, taxonomy, raw_value, vocab_key, row_count' %}

unioned as (

    select {{ common }}, industry as mapped_value from industry_matched
    union all
    select {{ common }}, size_tier as mapped_value from size_matched
    union all
    select {{ common }}, country_code as mapped_value from country_matched
    union all
    select {{ common }}, mapped_value from seniority_matched
    union all
    select {{ common }}, mapped_value from function_matched
    union all
    select {{ common }}, channel as mapped_value from channel_matched
    union all
    select {{ common }}, funnel_stage as mapped_value from stage_matched
    union all
    select {{ common }}, activity_type as mapped_value from activity_matched

),

final as (

    select
        {{ surrogate_key(['source_system', 'source_entity', 'field', 'raw_value']) }}
            as taxonomy_value_id,
        *,
        mapped_value is not null as is_mapped
    from unioned

)

select * from final
