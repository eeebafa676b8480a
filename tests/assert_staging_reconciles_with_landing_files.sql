{#-
    No row disappears without a reason: for every table of every system contract, the rows
    landed (counted straight from the landing file or connector table) equal staged +
    soft-deleted + superseded + rejected rows. Returns one row per table that does not reconcile.
-#}
{{ config(severity='error') }}
with

counts as (

    {% for contract, spec in contract_tables() -%}
        select
            '{{ contract.name }}' as source_system,
            '{{ spec.entity }}' as source_entity,
            (select count(*) from {{ landed_table(contract.name, spec.name) }} as landed)
                as landed_rows,
            (select count(*) from {{ ref(contract_staged_model(contract.name, spec)) }})
                as staged_rows,
            (
                select count(*) from {{ ref(contract_base_model(contract.name, spec)) }}
                where row_status in ('deleted', 'superseded')
            ) as deleted_rows,
            (
                select count(*) from {{ ref('stg_' ~ contract.name ~ '__rejected_rows') }}
                where source_entity = '{{ spec.entity }}'
            ) as rejected_rows
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

final as (

    select
        *,
        landed_rows - staged_rows - deleted_rows - rejected_rows as unexplained_rows
    from counts
    where landed_rows != staged_rows + deleted_rows + rejected_rows

)

select * from final
