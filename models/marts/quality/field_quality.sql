{#-
    Per declared column of every landed table (the system contracts): how many staged rows
    have a value, how many landed values did not parse as the declared type (staged as null,
    counted here against policy_quality_thresholds.unparseable_value_share), and for vocabulary
    fields how many values map to a controlled value.
-#}
{#- vocabulary field name in the taxonomy -> staging column, per entity -#}
{%- set vocab_columns = {
    'industry': 'industry', 'country': 'country', 'job_title': 'job_title',
    'lead_source': 'lead_source', 'lead_status': 'lead_status',
    'lifecycle_stage': 'lifecycle_stage', 'stage_name': 'stage_name',
    'billing_country': 'country', 'employees_range': 'employees_range',
    'employees_raw': 'employees_range', 'original_source': 'lead_source'
} -%}
with

mapped as (

    select * from {{ ref('int_taxonomy_values_mapped') }}

),

standardized as (

    select
        source_system,
        source_entity,
        case
            when field like 'job_title_%' then 'job_title'
            else field
        end as field,
        sum(row_count) filter (where is_mapped) as mapped_rows,
        sum(row_count) as valued_rows
    from mapped
    where field != 'job_title_function'
    group by 1, 2, 3

),

{{ field_counts() }}

with_fields as (

    select
        fills.*,
        case fills.column_name
            {%- for column, field in vocab_columns.items() %}
                when '{{ column }}' then '{{ field }}'
            {%- endfor %}
        end as taxonomy_field
    from fills

),

final as (

    select
        {{ surrogate_key(['with_fields.source_system', 'with_fields.source_entity',
            'with_fields.column_name']) }} as field_quality_id,
        with_fields.source_system,
        with_fields.source_entity,
        with_fields.column_name,
        with_fields.total_rows,
        with_fields.filled_rows,
        with_fields.declared_type,
        cast(with_fields.filled_rows as double) / nullif(with_fields.total_rows, 0) as fill_rate,
        with_fields.unparseable_rows,
        cast(with_fields.unparseable_rows as double) / nullif(with_fields.total_rows, 0)
            as unparseable_share,
        standardized.mapped_rows,
        cast(standardized.mapped_rows as double) / nullif(standardized.valued_rows, 0)
            as standardized_share,
        cast(standardized.mapped_rows as double) / nullif(with_fields.total_rows, 0)
            as standardized_fill_rate
    from with_fields
    left join standardized
        on
            with_fields.source_system = standardized.source_system
            and with_fields.source_entity = standardized.source_entity
            and with_fields.taxonomy_field = standardized.field

)

select * from final
