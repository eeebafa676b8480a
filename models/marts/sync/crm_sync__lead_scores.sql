{#- Spark: a table rebuilt each run (no merge into Parquet tables), so changed_at is this run's. -#}
{{ config(
    materialized='table' if target.type == 'spark' else 'incremental',
    incremental_strategy='merge',
    unique_key=['target', 'crm_id'],
    on_schema_change='sync_all_columns',
    merge_clauses={
        'when_matched': [
            {
                'condition': 'DBT_INTERNAL_DEST.payload_hash = DBT_INTERNAL_SOURCE.payload_hash',
                'action': 'update',
                'mode': 'explicit',
                'update': {'exclude': ['changed_at']},
            },
            {'action': 'update', 'mode': 'by_name'},
        ],
        'when_not_matched': [
            {'action': 'insert', 'mode': 'by_name'},
            {'by': 'source', 'action': 'delete'},
        ],
    },
) }}
{#-
    Pending CRM updates: one row per CRM record per target whose synced fields (the mapping's
    triggers_sync columns: score, grade, reasons, MQL flag) differ from the last acknowledged
    sync. The rule and the hash are the sync engine's (see macros/crm_sync.sql); every build
    re-evaluates all open leads against the ledger, and the merge keeps the table to exactly
    that set: new or changed payloads are upserted, rows that were acknowledged (or whose
    lead left lead_scores) are deleted, and `changed_at` survives rebuilds while the pending
    payload stays the same.
-#}
{%- set mapping = crm_sync_mapping(ref('crm_field_mapping')) -%}
{%- set carried = [] -%}
{%- for entry in mapping -%}
    {%- for column in [entry['key_column']] + (entry['fields'] | map(attribute='source_column') | list) -%}
        {%- if column not in carried and column != 'lead_id' -%}
            {%- do carried.append(column) -%}
        {%- endif -%}
    {%- endfor -%}
{%- endfor -%}
with

scores as (

    select * from {{ ref('lead_scores') }}

),

ledger as (

    select * from {{ ref('stg_leadscore__sync_ledger_entries') }}

),

{% for entry in mapping -%}
{{ entry['target'] }}_rows as (

    select
        '{{ entry["target"] }}' as target,
        cast({{ entry['key_column'] }} as {{ dbt.type_string() }}) as crm_id,
        lead_id,
        {%- for column in carried %}
        {{ column }},
        {%- endfor %}
        {{ json_object_from(entry['fields'], 'crm_field', 'source_column') }} as payload,
        {{ crm_sync_payload_hash(
            entry['fields'] | selectattr('triggers_sync') | map(attribute='source_column')
            | list) }} as payload_hash,
        scored_at as evaluated_at
    from scores
    where
        {{ entry['key_column'] }} is not null
        and trim(cast({{ entry['key_column'] }} as {{ dbt.type_string() }})) <> ''
    qualify row_number() over (partition by crm_id order by payload_hash) = 1

),

{% endfor -%}

current_rows as (

{%- for entry in mapping %}
    select * from {{ entry['target'] }}_rows
    {%- if not loop.last %}
    {{ union_all_by_name() }}
    {%- endif %}
{%- else %}
    {#- Parse / lint without a loaded seed: an empty relation of the same shape. #}
    select
        cast(null as {{ dbt.type_string() }}) as target,
        cast(null as {{ dbt.type_string() }}) as crm_id,
        lead_id,
        score,
        cast(null as {{ dbt.type_string() }}) as payload,
        cast(null as {{ dbt.type_string() }}) as payload_hash,
        scored_at as evaluated_at
    from scores
    where false
{%- endfor %}

),

acknowledged as (

    select
        target,
        crm_id,
        payload_hash
    from ledger
    where is_acknowledged
    qualify row_number() over (
        partition by target, crm_id
        order by acked_at desc, created_at desc
    ) = 1

),

final as (

    select
        {{ dbt.hash(dbt.concat(['current_rows.target', "'|'", 'current_rows.crm_id'])) }}
            as crm_sync_id,
        {{ star_exclude('current_rows', ['evaluated_at']) }}, -- noqa: RF02
        acknowledged.payload_hash as previous_hash,
        case
            when acknowledged.payload_hash is null then 'new' else 'changed'
        end as change_type,
        current_rows.evaluated_at as changed_at,
        current_rows.evaluated_at
    from current_rows
    left join acknowledged
        on
            current_rows.target = acknowledged.target
            and current_rows.crm_id = acknowledged.crm_id
    where acknowledged.payload_hash is distinct from current_rows.payload_hash

)

select * from final
