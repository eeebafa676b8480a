{#- Current threshold of a check from policy_quality_thresholds, as a scalar subquery. -#}
{% macro quality_threshold(check_name, column) -%}
    (
        select max({{ column }})
        from {{ ref('policy_quality_thresholds') }}
        where
            check_name = '{{ check_name }}'
            and {{ in_force('current_date') }}
    )
{%- endmacro %}


{#- Fields whose unmapped share is above a threshold column (warn_above / error_above). -#}
{% macro unmapped_share_check(threshold_column) -%}
with

mapped as (

    select * from {{ ref('int_taxonomy_values_mapped') }}

),

shares as (

    select
        source_system,
        source_entity,
        field,
        sum(row_count) filter (where not is_mapped) as unmapped_rows,
        sum(row_count) as valued_rows,
        coalesce(sum(row_count) filter (where not is_mapped), 0) * 1.0 / sum(row_count)
            as unmapped_share
    from mapped
    group by 1, 2, 3

),

measured as (

    select
        *,
        {{ quality_threshold('taxonomy_unmapped_share', threshold_column) }} as threshold
    from shares

),

final as (

    -- no threshold in force is a failure too, not a silent pass
    select * from measured
    where threshold is null or unmapped_share > threshold

)

select * from final
{%- endmacro %}


{#- Declared columns whose unparseable share is above a threshold column of the policy. -#}
{% macro unparseable_share_check(threshold_column) -%}
with

fields as (

    select * from {{ ref('field_quality') }}

),

measured as (

    select
        source_system,
        source_entity,
        column_name,
        declared_type,
        unparseable_rows,
        total_rows,
        unparseable_share,
        {{ quality_threshold('unparseable_value_share', threshold_column) }} as threshold
    from fields

),

final as (

    -- no threshold in force is a failure too, not a silent pass
    select * from measured
    where threshold is null or coalesce(unparseable_share, 0) > threshold

)

select * from final
{%- endmacro %}
