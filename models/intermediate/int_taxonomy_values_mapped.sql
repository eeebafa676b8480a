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

user_mappings as (

    select
        taxonomy,
        system,
        nullif(trim(field), '') as field,
        {{ vocab_key('raw_value') }} as vocab_key,
        trim(mapped_value) as mapped_value
    from {{ ref('taxonomy_user_mappings') }}

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

user_matches as (

    -- a user's own mapping (seeds/user/taxonomy_user_mappings.csv) wins over the shipped seeds;
    -- among user rows, one naming the system and the field wins over a wildcard
    select
        unioned.source_system,
        unioned.source_entity,
        unioned.field,
        unioned.raw_value,
        user_mapping.mapped_value,
        row_number() over (
            partition by
                unioned.source_system, unioned.source_entity, unioned.field, unioned.raw_value
            order by
                case when user_mapping.system = '*' then 1 else 0 end,
                case when user_mapping.field is null then 1 else 0 end
        ) as match_rank
    from unioned
    inner join user_mappings as user_mapping
        on
            unioned.taxonomy = user_mapping.taxonomy
            and user_mapping.system in ('*', unioned.source_system)
            and coalesce(user_mapping.field, unioned.field) = unioned.field
            and unioned.vocab_key = user_mapping.vocab_key

),

with_user_mappings as (

    select
        {{ star_exclude('unioned', ['mapped_value']) }},
        coalesce(user_matches.mapped_value, unioned.mapped_value) as mapped_value,
        case
            when user_matches.mapped_value is not null then 'user'
            when unioned.mapped_value is not null then 'shipped'
        end as mapping_source
    from unioned
    left join user_matches
        on
            unioned.source_system = user_matches.source_system
            and unioned.source_entity = user_matches.source_entity
            and unioned.field = user_matches.field
            and unioned.raw_value = user_matches.raw_value
            and user_matches.match_rank = 1

),

final as (

    select
        {{ surrogate_key(['source_system', 'source_entity', 'field', 'raw_value']) }}
            as taxonomy_value_id,
        *,
        mapped_value is not null as is_mapped
    from with_user_mappings

)

select * from final
