with

mapped as (

    select * from {{ ref('int_taxonomy_values_mapped') }}

),

field_totals as (

    select
        source_system,
        source_entity,
        field,
        sum(row_count) as field_rows
    from mapped
    group by 1, 2, 3

),

final as (

    select
        mapped.taxonomy_value_id,
        mapped.source_system,
        mapped.source_entity,
        mapped.field,
        mapped.taxonomy,
        mapped.raw_value,
        mapped.vocab_key,
        mapped.row_count,
        cast(mapped.row_count as double) / field_totals.field_rows as share
    from mapped
    inner join field_totals
        on
            mapped.source_system = field_totals.source_system
            and mapped.source_entity = field_totals.source_entity
            and mapped.field = field_totals.field
    where not mapped.is_mapped

)

select * from final
