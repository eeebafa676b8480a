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


{#-
    A gate that says what is wrong: when `check_sql` returns rows at test time, stop with a
    message built from them (`describe`: the macro that renders one row as a line), so
    `dbt build` and `leadscore run` print which fields and values failed and what to do.
    The warn-level twin of a gate returns its rows instead (dbt counts them as a warning).
-#}
{% macro explain_gate(check_sql, title, describe, advice, limit=12) -%}
    {%- if execute and flags.WHICH in ['build', 'test'] -%}
        {%- set found = run_query(check_sql) -%}
        {%- if found.rows | length > 0 -%}
            {%- set lines = [] -%}
            {%- for row in found.rows[:limit] -%}
                {%- do lines.append('  - ' ~ context[describe](row)) -%}
            {%- endfor -%}
            {%- if found.rows | length > limit -%}
                {%- do lines.append('  - ... and ' ~ (found.rows | length - limit) ~ ' more') -%}
            {%- endif -%}
            {{ exceptions.raise_compiler_error(
                title ~ ':\n' ~ (lines | join('\n')) ~ '\n' ~ advice
            ) }}
        {%- endif -%}
    {%- endif -%}
    {{ check_sql }}
{%- endmacro %}


{% macro describe_unmapped_field(row) -%}
    {{- return(
        row['source_system'] ~ ' ' ~ row['source_entity'] ~ '.' ~ row['field'] ~ ': '
        ~ '%.1f' | format(100 * (row['unmapped_share'] or 0)) ~ '% of ' ~ row['valued_rows']
        ~ ' values unmapped (threshold ' ~ '%.0f' | format(100 * (row['threshold'] or 0))
        ~ '%); top: ' ~ (row['top_values'] or '')
    ) -}}
{%- endmacro %}


{#- Fields whose unmapped share is above a threshold column (warn_above / error_above). -#}
{% macro unmapped_share_check(threshold_column) -%}
    {%- set check_sql = leadscore.unmapped_share_sql(threshold_column) -%}
    {%- if threshold_column == 'error_above' -%}
        {{ leadscore.explain_gate(
            check_sql,
            'Taxonomy gate: raw values that no taxonomy row maps, above the policy share',
            'describe_unmapped_field',
            'Map them in seeds/user/taxonomy_user_mappings.csv (taxonomy,system,field,raw_value,'
            ~ 'mapped_value,note), run `dbt seed`, and rebuild; taxonomy_unmapped_values lists '
            ~ 'every unmapped value. Thresholds: seeds/policy/policy_quality_thresholds.csv.'
        ) }}
    {%- else -%}
        {{ check_sql }}
    {%- endif -%}
{%- endmacro %}


{% macro unmapped_share_sql(threshold_column) -%}

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
        cast(coalesce(sum(row_count) filter (where not is_mapped), 0) as double) / sum(row_count)
            as unmapped_share,
        {{ leadscore.ordered_string_agg(
            "case when not is_mapped then chr(39) || raw_value || chr(39) || ' x' || row_count end",
            "', '",
            'case when is_mapped then 0 else row_count end desc'
        ) }} as top_values
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


{% macro describe_unparseable_column(row) -%}
    {{- return(
        row['source_system'] ~ ' ' ~ row['source_entity'] ~ '.' ~ row['column_name'] ~ ' ('
        ~ row['declared_type'] ~ '): ' ~ row['unparseable_rows'] ~ ' of ' ~ row['total_rows']
        ~ ' staged rows did not parse or were out of bounds (threshold '
        ~ '%.0f' | format(100 * (row['threshold'] or 0)) ~ '%)'
    ) -}}
{%- endmacro %}


{#- Declared columns whose unparseable share is above a threshold column of the policy. -#}
{% macro unparseable_share_check(threshold_column) -%}
    {%- set check_sql = leadscore.unparseable_share_sql(threshold_column) -%}
    {%- if threshold_column == 'error_above' -%}
        {{ leadscore.explain_gate(
            check_sql,
            'Unparseable values above the policy share (staged as null, counted in field_quality)',
            'describe_unparseable_column',
            'Each row names its columns in base_<system>__<table>.parse_issues. Fix the export, '
            ~ 'or check the layout var (<system>_layout) and docs/contract.md for the accepted '
            ~ 'formats. Threshold: seeds/policy/policy_quality_thresholds.csv.'
        ) }}
    {%- else -%}
        {{ check_sql }}
    {%- endif -%}
{%- endmacro %}


{% macro unparseable_share_sql(threshold_column) -%}

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


{% macro describe_deleted_share(row) -%}
    {{- return(
        row['source_system'] ~ ' ' ~ row['source_entity'] ~ ': ' ~ row['deleted_rows'] ~ ' of '
        ~ row['landed_rows'] ~ ' landed rows are soft-deleted or superseded ('
        ~ '%.0f' | format(100 * (row['deleted_share'] or 0)) ~ '%, threshold '
        ~ '%.0f' | format(100 * (row['threshold'] or 0)) ~ '%)'
    ) -}}
{%- endmacro %}


{#- Landed tables whose soft-deleted share is above a threshold column of the policy. -#}
{% macro deleted_share_check(threshold_column) -%}
    {%- set check_sql -%}
with

reconciliation as (

    select * from {{ ref('staging_reconciliation') }}

),

measured as (

    select
        source_system,
        source_entity,
        landed_rows,
        deleted_rows + superseded_rows as deleted_rows,
        cast(deleted_rows + superseded_rows as double) / nullif(landed_rows, 0) as deleted_share,
        {{ quality_threshold('deleted_row_share', threshold_column) }} as threshold
    from reconciliation

),

final as (

    -- no threshold in force is a failure too, not a silent pass
    select * from measured
    where threshold is null or coalesce(deleted_share, 0) > threshold

)

select * from final
    {%- endset -%}
    {%- if threshold_column == 'error_above' -%}
        {{ leadscore.explain_gate(
            check_sql,
            'Soft-deleted rows above the policy share: the export is probably not the live table',
            'describe_deleted_share',
            'Export the live records (not the recycle bin or a history table), or raise '
            ~ 'deleted_row_share in seeds/policy/policy_quality_thresholds.csv.'
        ) }}
    {%- else -%}
        {{ check_sql }}
    {%- endif -%}
{%- endmacro %}



{#-
    field_quality's counting CTEs: for every landed table of every contract one scan of its
    base model (staged rows, and per declared column the filled and the unparseable values),
    unpivoted into `fills` (source_system, source_entity, column_name, declared_type,
    total_rows, filled_rows, unparseable_rows).
-#}
{% macro field_counts() -%}
    {%- set fill_selects = [] -%}
    {%- for contract, spec in leadscore.contract_tables() %}
        {%- set agg = 'counts_' ~ contract.name ~ '__' ~ spec.name -%}
        {%- set columns = [] -%}
        {%- for column in spec.columns if column.name != spec.get('deleted') -%}
            {%- do columns.append(column) -%}
        {%- endfor %}
{{ agg }} as (

    select
        count(case when row_status = 'staged' then 1 end) as total_rows
        {%- for column in columns %}
        {%- set alias = column.get('as') or column.name %},
        count(case when row_status = 'staged' then {{ adapter.quote(alias) }} end)
            as filled__{{ alias }},
        count(
            case
                when
                    row_status = 'staged'
                    and ', ' || parse_issues || ', ' like '%, {{ alias }}, %'
                    then 1
            end
        ) as unparseable__{{ alias }}
        {%- endfor %}
    from {{ ref(leadscore.contract_base_model(contract.name, spec)) }}

),
        {%- for column in columns -%}
            {%- set alias = column.get('as') or column.name -%}
            {%- do fill_selects.append(
                "select '" ~ contract.name ~ "' as source_system, '" ~ spec.entity
                ~ "' as source_entity, '" ~ alias ~ "' as column_name, '"
                ~ column.get('type', 'text') ~ "' as declared_type, total_rows, filled__" ~ alias
                ~ " as filled_rows, unparseable__" ~ alias ~ " as unparseable_rows from " ~ agg
            ) -%}
        {%- endfor -%}
    {%- endfor %}

fills as (

    {{ fill_selects | join('\n    union all\n    ') }}

),
{%- endmacro %}
