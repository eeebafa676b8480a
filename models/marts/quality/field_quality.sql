{#-
    Fill rate and standardized share per field and source: how many rows have a value, and
    (for vocabulary fields) how many of those map to a controlled value.
-#}
{%- set staged = [
    ('salesforce', 'Lead', 'stg_salesforce__leads'),
    ('salesforce', 'Account', 'stg_salesforce__accounts'),
    ('salesforce', 'Contact', 'stg_salesforce__contacts'),
    ('salesforce', 'Opportunity', 'stg_salesforce__opportunities'),
    ('hubspot', 'contacts', 'stg_hubspot__contacts'),
    ('hubspot', 'companies', 'stg_hubspot__companies'),
    ('marketo', 'leads', 'stg_marketo__leads'),
] -%}
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

{%- set fill_selects = [] -%}
{%- for system, entity, model in staged -%}
    {%- set relation = ref(model) -%}
    {%- for column in (adapter.get_columns_in_relation(relation) if execute else []) -%}
        {%- do fill_selects.append(
            "select '" ~ system ~ "' as source_system, '" ~ entity ~ "' as source_entity, '"
            ~ column.name ~ "' as column_name, count(*) as total_rows, count("
            ~ adapter.quote(column.name) ~ ") as filled_rows from " ~ relation
        ) -%}
    {%- endfor -%}
{%- endfor %}

fills as (

    {{ fill_selects | join('\n    union all\n    ') if fill_selects else
        "select '' as source_system, '' as source_entity, '' as column_name, "
        ~ "0 as total_rows, 0 as filled_rows" }}

),

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
        with_fields.filled_rows * 1.0 / nullif(with_fields.total_rows, 0) as fill_rate,
        standardized.mapped_rows,
        standardized.mapped_rows * 1.0 / nullif(standardized.valued_rows, 0)
            as standardized_share,
        standardized.mapped_rows * 1.0 / nullif(with_fields.total_rows, 0)
            as standardized_fill_rate
    from with_fields
    left join standardized
        on
            with_fields.source_system = standardized.source_system
            and with_fields.source_entity = standardized.source_entity
            and with_fields.taxonomy_field = standardized.field

)

select * from final
