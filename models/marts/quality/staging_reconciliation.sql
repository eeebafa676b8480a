{#-
    Landed rows per table = staged + soft-deleted + superseded + rejected (by reason), for
    every table of every system contract (a disabled system shows zero rows).
-#}
with

{% for contract, spec in contract_tables() %}
    {{ contract.name }}__{{ spec.name }} as (

        select
            '{{ contract.name }}' as source_system,
            '{{ spec.entity }}' as source_entity,
            count(*) as landed_rows,
            count(case when row_status = 'staged' then 1 end) as staged_rows,
            count(case when row_status = 'deleted' then 1 end) as deleted_rows,
            count(case when row_status = 'superseded' then 1 end) as superseded_rows,
            count(case when row_status like 'rejected:%' then 1 end) as rejected_rows,
            count(case when row_status = 'rejected:duplicate_id' then 1 end) as duplicate_rows,
            count(parse_issues) as rows_with_unparseable_values
        from {{ ref(contract_base_model(contract.name, spec)) }}

    ),

{% endfor %}
unioned as (

    {% for contract, spec in contract_tables() -%}
        select * from {{ contract.name }}__{{ spec.name }}
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
        superseded_rows,
        rejected_rows,
        duplicate_rows,
        rows_with_unparseable_values,
        cast(rejected_rows as double) / nullif(landed_rows, 0) as rejected_share,
        landed_rows = staged_rows + deleted_rows + superseded_rows + rejected_rows
            as is_reconciled
    from unioned

)

select * from final
