{#-
    `sync_ledger` is created by `leadscore sync`, not by dbt: before the first sync it does
    not exist, and this model yields an empty, typed relation instead of failing.
-#}
{%- set ledger = source('leadscore_sync', 'sync_ledger') -%}
with

source as (

    {% if relation_exists(ledger) %}
        select * from {{ ledger }}
    {% else %}
        select
            cast(null as {{ dbt.type_string() }}) as batch_id,
            cast(null as {{ dbt.type_string() }}) as target, -- noqa: RF04
            cast(null as {{ dbt.type_string() }}) as crm_id,
            cast(null as {{ dbt.type_string() }}) as payload_hash,
            cast(null as {{ dbt.type_string() }}) as previous_hash,
            cast(null as timestamp) as created_at,
            cast(null as timestamp) as acked_at,
            cast(null as timestamp) as superseded_at
        where false
    {% endif %}

),

renamed as (

    select
        -- ids
        batch_id,
        target,
        crm_id,
        -- hashes
        payload_hash,
        previous_hash,
        -- booleans
        acked_at is not null as is_acknowledged,
        -- timestamps
        created_at,
        acked_at,
        superseded_at
    from source

)

select * from renamed
