{#- Columns of a built relation except some, as a select list (portable `select * exclude`). -#}
{% macro star_except(relation, except=[]) -%}
    {%- if not execute -%}
        {{ return('*') }}
    {%- endif -%}
    {%- set lowered = except | map('lower') | list -%}
    {%- set cols = [] -%}
    {%- for col in adapter.get_columns_in_relation(relation) -%}
        {%- if col.name | lower not in lowered -%}
            {%- do cols.append(adapter.quote(col.name)) -%}
        {%- endif -%}
    {%- endfor -%}
    {#- not built yet (e.g. linting against an empty warehouse): every column -#}
    {{ return(cols | join(',\n        ') if cols else '*') }}
{%- endmacro %}


{#- The staged rows of a base model, without the bookkeeping columns. -#}
{% macro staged_rows(base_model) -%}
-- depends_on: {{ ref('policy_quality_thresholds') }}
with

base as (

    select * from {{ ref(base_model) }}

),

final as (

    select
        {{ star_except(ref(base_model),
            ['row_problem', 'row_status', 'raw_record', 'is_deleted', 'is_superseded',
                'parse_issues', 'landed_row_number']) }}
    from base
    where row_status = 'staged'

)

select * from final
{%- endmacro %}


{#- One select of a base model's rejected rows (one-table datasets' rejected_rows models). -#}
{% macro rejected_rows_from(base_model, system, entity, id_column) -%}
    select
        {{ surrogate_key(["'" ~ system ~ "'", "'" ~ entity ~ "'", 'landed_row_number']) }}
            as rejected_row_id,
        '{{ system }}' as source_system,
        '{{ entity }}' as source_entity,
        cast({{ id_column }} as {{ dbt.type_string() }}) as source_id,
        substr(row_status, {{ 'rejected:' | length + 1 }}) as rejection_reason,
        landed_row_number,
        raw_record
    from {{ ref(base_model) }}
    where row_status like 'rejected:%'
{%- endmacro %}


{#-
    Every rejected row of one system's landed tables (the tables its contract declares), with
    its reason: the body of stg_<system>__rejected_rows.
-#}
{% macro system_rejected_rows(system) -%}
    {%- set contract = leadscore.contract_system(system) -%}
    {%- for spec in contract.tables %}
    {%- set keys = [spec.key] if spec.key is string else spec.key -%}
    {%- set key_columns = [] -%}
    {%- for key in keys -%}
        {%- set column = leadscore.contract_table_column(spec, key) -%}
        {%- do key_columns.append('cast(' ~ adapter.quote(column.get('as') or column.name)
            ~ ' as ' ~ dbt.type_string() ~ ')') -%}
    {%- endfor %}
    select
        {{ surrogate_key(["'" ~ system ~ "'", "'" ~ spec.entity ~ "'", 'landed_row_number']) }}
            as rejected_row_id,
        '{{ system }}' as source_system,
        '{{ spec.entity }}' as source_entity,
        {{ key_columns[0] if key_columns | length == 1
            else "concat_ws('|', " ~ (key_columns | join(', ')) ~ ")" }} as source_id,
        substr(row_status, {{ 'rejected:' | length + 1 }}) as rejection_reason,
        landed_row_number,
        raw_record
    from {{ ref(leadscore.contract_base_model(system, spec)) }}
    where row_status like 'rejected:%'
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
{%- endmacro %}


{#-
    The bookkeeping every base model selects: why a landed row cannot be used (the reason of
    the first failing check; null when the row is fine), its position in the file and the raw
    row. `checks`: ordered (sql condition, reason) pairs.
-#}
{% macro row_checks(checks) -%}
        case
            {%- for condition, reason in checks %}
            when {{ condition }} then '{{ reason }}'
            {%- endfor %}
        end as row_problem,
        {{ leadscore.landed_row_number() }} as landed_row_number,
        {{ row_to_json('source') }} as raw_record
{%- endmacro %}


{#-
    row_checks for a CRM record: missing id, then missing required references (`required`:
    (column, reason) pairs), then `extra` (sql condition, reason) pairs, then an unparseable
    created date.
-#}
{% macro landed_row_checks(id_column, created_at_expr, required=[], extra=[]) -%}
    {%- set checks = [(clean_text('"' ~ id_column ~ '"') ~ ' is null', 'missing_id')] -%}
    {%- for column, reason in required -%}
        {%- do checks.append((clean_text('"' ~ column ~ '"') ~ ' is null', reason)) -%}
    {%- endfor -%}
    {%- do checks.extend(extra) -%}
    {%- do checks.append((created_at_expr ~ ' is null', 'unparseable_created_date')) -%}
    {{ row_checks(checks) }}
{%- endmacro %}
