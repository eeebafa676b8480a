{#-
    Typing landed rows by their contract (macros/contract.sql finds the table and its columns).

    `landed_rows(system, table, checks=[])` is the whole body of a base model: every landed row,
    each declared column typed under its `as` name, and the bookkeeping every base model has:

      row_problem        why the row cannot be used, first failing check (null when it can):
                         missing_<column> (missing_id for the key), unparseable_<column>,
                         out_of_bounds_<column> for a required column (or the delete flag),
                         then `checks`
                         ((sql condition on typed columns, reason) pairs of the model)
      parse_issues       optional columns whose landed value did not parse or was out of
                         bounds, comma-separated; those values are null and counted in
                         field_quality (never silently)
      is_deleted         soft-deleted in the source (its delete column or the connector's)
      is_superseded      an old version of a record (a connector's history mode)
      synced_at          when the connector last synced the row (null for files)
      landed_row_number  position in the landed table (1 = first data row)
      row_status         staged | deleted | superseded | rejected:<reason>; a second row with
                         the same key is rejected:duplicate_id (the latest one is kept; of
                         equally recent ones, the last landed)
      raw_record         the landed row as JSON text, on every row that is not staged
      custom_fields      the pass-through columns (var <system>__<table>_pass_through_columns,
                         e.g. ['utm_source__c']) as one JSON object of text values, null when
                         none are configured; they reach dim_leads.custom_fields

    Types: id (trimmed text; "123.0" from a float column is "123"), text, email (normalized),
    domain (bare host), boolean (true/false, t/f, 1/0, yes/no, y/n), integer, number,
    timestamp (UTC; ISO with Z or an offset, `YYYY-MM-DD HH:MM[:SS[.fff]]` in the layout's time
    zone, epoch milliseconds), date (a date, or the date part of a timestamp), json.
    Bounds: a column's min / max; every date and timestamp between the policy's earliest_date
    and the load time plus future_tolerance_days (policy_landing_bounds), unless future_ok.
-#}

{#- The landed text of a declared column (null when the table has no such column). -#}
{% macro landed_text(layout, spec, column, present) -%}
    {%- set matches = leadscore.matching_columns(layout, column, present) -%}
    {%- if matches -%}
        {%- set parts = [] -%}
        {%- for name in matches -%}
            {%- do parts.append("nullif(trim(cast(src." ~ adapter.quote(name) ~ " as "
                ~ dbt.type_string() ~ ")), '')") -%}
        {%- endfor -%}
        {{ return(parts[0] if parts | length == 1 else 'coalesce(' ~ (parts | join(', ')) ~ ')') }}
    {%- endif -%}
    {%- if column.get('attribute') and spec.get('attributes_column') -%}
        {%- set holder = leadscore.contract_table_column(spec, spec.attributes_column) -%}
        {%- set holder_matches = leadscore.matching_columns(layout, holder, present) -%}
        {%- if holder_matches -%}
            {{ return(leadscore.json_name_value(
                'cast(src.' ~ adapter.quote(holder_matches[0]) ~ ' as ' ~ dbt.type_string() ~ ')',
                column.attribute)) }}
        {%- endif -%}
    {%- endif -%}
    {%- if layout.get('json_column') and column.get('prefixed', true) -%}
        {%- set holders = [] -%}
        {%- for name in present
            if leadscore.contract_column_key(name) == leadscore.contract_column_key(layout.json_column) -%}
            {%- do holders.append(name) -%}
        {%- endfor -%}
        {%- if holders -%}
            {{ return("nullif(trim(" ~ leadscore.json_text_at(
                'src.' ~ adapter.quote(holders[0]), column.name) ~ "), '')") }}
        {%- endif -%}
    {%- endif -%}
    {{ return(none) }}
{%- endmacro %}


{% macro contract_table_column(spec, name) -%}
    {%- for column in spec.columns if column.name == name -%}
        {{ return(column) }}
    {%- endfor -%}
    {{ return(none) }}
{%- endmacro %}


{#- The typed value of landed text `raw` for a declared column. -#}
{% macro typed_value(layout, column, raw) -%}
    {%- set kind = column.get('type', 'text') -%}
    {%- if kind == 'id' -%}
        {%- set value = raw -%}
        {%- if column.get('first_of_list') -%}
            {%- set value = "nullif(trim(" ~ dbt.split_part(raw, "';'", 1) ~ "), '')" -%}
        {%- endif -%}
        {{ return(leadscore.regex_replace(value, "'^([0-9]+)\\.0+$'", "'\\1'")) }}
    {%- elif kind == 'text' -%}
        {{ return('lower(' ~ raw ~ ')' if column.get('lowercase') else raw) }}
    {%- elif kind == 'email' -%}
        {{ return(leadscore.normalize_email(raw)) }}
    {%- elif kind == 'domain' -%}
        {{ return(leadscore.normalize_domain(raw)) }}
    {%- elif kind == 'boolean' -%}
        {{ return(leadscore.parse_boolean(raw)) }}
    {%- elif kind == 'integer' -%}
        {{ return(dbt.safe_cast(dbt.safe_cast(raw, 'double'), 'integer')) }}
    {%- elif kind == 'number' -%}
        {{ return(dbt.safe_cast(raw, 'double')) }}
    {%- elif kind == 'timestamp' -%}
        {{ return(leadscore.parse_timestamp(raw, leadscore.layout_time_zone(layout))) }}
    {%- elif kind == 'date' -%}
        {{ return(leadscore.parse_any_date(raw, column.get('formats') or [])) }}
    {%- elif kind == 'json' -%}
        {{ return(leadscore.valid_json(raw)) }}
    {%- endif -%}
    {{ exceptions.raise_compiler_error(
        "Unknown column type '" ~ kind ~ "' for " ~ column.name ~ " in a landing contract."
    ) }}
{%- endmacro %}


{#-
    Date bounds in force (seeds/policy/policy_landing_bounds.csv), read when a model compiles
    and inlined as literals; defaults before the seed is loaded (lint, docs).
-#}
{% macro landing_date_bounds() -%}
    {%- set bounds = {'earliest_date': '1990-01-01', 'future_tolerance_days': '2'} -%}
    {%- if execute and flags.WHICH in ['run', 'build', 'test', 'show', 'compile'] -%}
        {%- set relation = adapter.get_relation(
            database=ref('policy_landing_bounds').database,
            schema=ref('policy_landing_bounds').schema,
            identifier=ref('policy_landing_bounds').identifier) -%}
        {%- if relation is not none -%}
            {%- set rows = run_query(
                "select key, value from " ~ relation ~ " where effective_from <= current_date"
                ~ " and (effective_to is null or effective_to > current_date)") -%}
            {%- for row in rows.rows -%}
                {%- do bounds.update({row[0]: row[1]}) -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endif -%}
    {{ return(bounds) }}
{%- endmacro %}


{#- True when a landed value is present but does not parse as the declared type. -#}
{% macro value_unparseable(column, raw, typed) -%}
    {%- set kind = column.get('type', 'text') -%}
    {%- set conditions = [] -%}
    {%- if kind not in ['id', 'text'] or column.get('integer_id') -%}
        {%- do conditions.append('(' ~ typed ~ ') is null') -%}
    {%- endif -%}
    {%- if column.get('integer_id') -%}
        {%- do conditions.append(dbt.safe_cast(raw, 'bigint') ~ ' is null') -%}
    {%- endif -%}
    {%- if not conditions -%}
        {{ return('false') }}
    {%- endif -%}
    {{ return('(' ~ raw ~ ' is not null and (' ~ (conditions | join(' or ')) ~ '))') }}
{%- endmacro %}


{#- True when a parsed value lies outside the column's bounds (min / max, the date window). -#}
{% macro value_out_of_bounds(column, typed, bounds={}) -%}
    {%- set kind = column.get('type', 'text') -%}
    {%- set conditions = [] -%}
    {%- if column.get('min') is not none -%}
        {%- do conditions.append('(' ~ typed ~ ') < ' ~ column.min) -%}
    {%- endif -%}
    {%- if column.get('max') is not none -%}
        {%- do conditions.append('(' ~ typed ~ ') > ' ~ column.max) -%}
    {%- endif -%}
    {%- if kind in ['timestamp', 'date'] and bounds -%}
        {%- do conditions.append('(' ~ typed ~ ") < cast('" ~ bounds.earliest_date ~ "' as date)") -%}
        {%- if not column.get('future_ok') -%}
            {%- do conditions.append('(' ~ typed ~ ') > ' ~ dbt.dateadd(
                'day', bounds.future_tolerance_days | int, 'current_timestamp')) -%}
        {%- endif -%}
    {%- endif -%}
    {%- if not conditions -%}
        {{ return('false') }}
    {%- endif -%}
    {{ return('coalesce(' ~ (conditions | join(' or ')) ~ ', false)') }}
{%- endmacro %}


{#-
    Pass-through (custom) columns of a table: var <system>__<table>_pass_through_columns, a
    list of names or {name, alias} (Fivetran's convention), matched by the spelling rule, so
    `Utm_Source__c` in an export and `utm_source_c` in Fivetran's table are one field.
    Returns (alias, landed text expression) pairs; a configured column the table lacks is null.
-#}
{% macro pass_through_columns(system, table, layout, present) -%}
    {%- set pairs = [] -%}
    {%- for item in var(system ~ '__' ~ table ~ '_pass_through_columns', []) -%}
        {%- set name = item if item is string else item.name -%}
        {%- set alias = (item.alias if item is mapping and item.get('alias') else
            modules.re.sub('_+', '_', modules.re.sub('[^a-z0-9]', '_', name | lower)).strip('_')) -%}
        {%- set found = leadscore.matching_columns(layout, {'name': name}, present) -%}
        {%- do pairs.append((alias, ("nullif(trim(cast(src." ~ adapter.quote(found[0]) ~ " as "
            ~ dbt.type_string() ~ ")), '')") if found else 'cast(null as ' ~ dbt.type_string() ~ ')')) -%}
    {%- endfor -%}
    {{ return(pairs) }}
{%- endmacro %}


{#- Landed columns of a connector's delete flags (not the table's own delete column). -#}
{% macro layout_flag_columns(layout, spec, present, role) -%}
    {%- set names = layout.get(role) or [] -%}
    {%- set names = [names] if names is string else names -%}
    {%- set own = [] -%}
    {%- if spec.get('deleted') -%}
        {%- set own = leadscore.matching_columns(
            layout, leadscore.contract_table_column(spec, spec.deleted), present) -%}
    {%- endif -%}
    {%- set found = [] -%}
    {%- for flag in names -%}
        {%- for name in present
            if leadscore.contract_column_key(name) == leadscore.contract_column_key(flag)
            and name not in own and name not in found -%}
            {%- do found.append(name) -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(found) }}
{%- endmacro %}


{#-
    Every landed row of (system, table), typed, with its row status. `checks` are the model's
    own (sql condition on the typed columns, reason) pairs, tested after the contract's.
-#}
{% macro landed_rows(system, table, checks=[]) -%}
    {%- set contract = leadscore.contract_system(system) -%}
    {%- set spec = leadscore.contract_table(system, table) -%}
    {%- set layout = leadscore.layout_spec(system, contract) -%}
    {%- set relation = leadscore.landed_table(system, table, contract) -%}
    {%- set present = leadscore.landed_column_names(relation) if execute else none -%}
    {%- if present is none -%}
        {%- set present = [] -%}
        {%- for column in spec.columns -%}
            {%- do present.append(column.name) -%}
        {%- endfor -%}
    {%- endif -%}
    {%- set text = 'cast(null as ' ~ dbt.type_string() ~ ')' -%}
    {%- set date_bounds = leadscore.landing_date_bounds() -%}
    {%- set keys = [spec.key] if spec.key is string else spec.key -%}
    {%- set items = [] -%}
    {%- set problems = [] -%}
    {%- set issues = [] -%}
    {%- set typed_of = {} -%}
    {%- set missing_required = [] -%}
    {%- set key_problems = [] -%}
    {%- for column in spec.columns -%}
        {%- set alias = column.get('as') or column.name -%}
        {%- set raw = leadscore.landed_text(layout, spec, column, present) -%}
        {%- if raw is none -%}
            {%- if column.get('required') -%}
                {%- do missing_required.append(column) -%}
            {%- endif -%}
            {%- set raw = text -%}
        {%- endif -%}
        {%- set typed = leadscore.typed_value(layout, column, raw) -%}
        {%- set unparseable = leadscore.value_unparseable(column, raw, typed) -%}
        {%- set out_of_bounds = leadscore.value_out_of_bounds(column, typed, date_bounds) -%}
        {%- set bad = unparseable if out_of_bounds == 'false'
            else '(' ~ unparseable ~ ' or ' ~ out_of_bounds ~ ')' -%}
        {%- if bad == 'false' -%}
            {%- set value = typed -%}
        {%- else -%}
            {%- set value = 'case when not ' ~ bad ~ ' then ' ~ typed ~ ' end' -%}
        {%- endif -%}
        {%- if column.get('default') is not none -%}
            {%- set value = 'coalesce(' ~ value ~ ', ' ~ column.default ~ ')' -%}
        {%- endif -%}
        {%- do typed_of.update({column.name: value}) -%}
        {%- if column.name != spec.get('deleted') -%}
            {%- do items.append(value ~ ' as ' ~ adapter.quote(alias)) -%}
        {%- endif -%}
        {%- if column.name in keys -%}
            {%- do key_problems.append(
                (raw ~ ' is null', 'missing_id' if keys | length == 1 else 'missing_' ~ alias)) -%}
        {%- elif column.get('required') -%}
            {%- do problems.append((raw ~ ' is null', 'missing_' ~ alias)) -%}
        {%- endif -%}
        {%- if column.get('required') or column.name == spec.get('deleted') -%}
            {%- if unparseable != 'false' -%}
                {%- do problems.append((unparseable, 'unparseable_' ~ alias)) -%}
            {%- endif -%}
            {%- if out_of_bounds != 'false' -%}
                {%- do problems.append((out_of_bounds, 'out_of_bounds_' ~ alias)) -%}
            {%- endif -%}
        {%- elif bad != 'false' -%}
            {%- do issues.append("case when " ~ bad ~ " then '" ~ alias ~ "' end") -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if missing_required and leadscore.contract_strict() -%}
        {%- set names = [] -%}
        {%- for column in missing_required -%}
            {%- do names.append(column.name ~ ' (looked for: '
                ~ (leadscore.column_spellings(layout, column) | join(', ')) ~ ')') -%}
        {%- endfor -%}
        {{ exceptions.raise_compiler_error(
            system ~ "." ~ table ~ " (layout " ~ layout.name ~ ", landed at "
            ~ leadscore.landing_file_of(relation) ~ ") lacks required column(s) "
            ~ (names | join('; ')) ~ ". Found columns: "
            ~ (present | join(', ')) ~ ". The declared columns of each layout are in "
            ~ "docs/contract.md."
        ) }}
    {%- endif -%}
    {%- set deleted_parts = [] -%}
    {%- if spec.get('deleted') -%}
        {%- do deleted_parts.append('coalesce(' ~ typed_of[spec.deleted] ~ ', false)') -%}
    {%- endif -%}
    {%- for name in leadscore.layout_flag_columns(layout, spec, present, 'deleted') -%}
        {%- do deleted_parts.append('coalesce(' ~ leadscore.parse_boolean(
            'cast(src.' ~ adapter.quote(name) ~ ' as ' ~ dbt.type_string() ~ ')') ~ ', false)') -%}
    {%- endfor -%}
    {%- set active = leadscore.layout_flag_columns(layout, spec, present, 'active') -%}
    {%- set synced = leadscore.layout_flag_columns(layout, spec, present, 'synced') -%}
    {%- set key_parts = [] -%}
    {%- for key in keys -%}
        {%- set column = leadscore.contract_table_column(spec, key) -%}
        {%- set part = 'typed.' ~ adapter.quote(column.get('as') or column.name) -%}
        {%- do key_parts.append('lower(' ~ part ~ ')' if column.get('fold_case_in_key') else part) -%}
    {%- endfor -%}
    {%- set latest = leadscore.contract_table_column(spec, spec.get('latest') or '') -%}

    {%- set custom = leadscore.pass_through_columns(system, table, layout, present) -%}
    {%- set custom_items = [] -%}
    {%- for alias, expr in custom -%}
        {%- do custom_items.append({'key': alias, 'value': expr}) -%}
    {%- endfor -%}
    -- date bounds from {{ ref('policy_landing_bounds') }} (read when the model compiles)
    select
        {{ leadscore.star_exclude('checked', ['duplicate_rank', 'landed_record']) }},
        case
            when checked.row_problem is not null then 'rejected:' || checked.row_problem
            when checked.is_superseded then 'superseded'
            when checked.is_deleted then 'deleted'
            when checked.duplicate_rank > 1 then 'rejected:duplicate_id'
            else 'staged'
        end as row_status,
        case
            when
                checked.row_problem is not null or checked.is_superseded or checked.is_deleted
                or checked.duplicate_rank > 1
                then {{ leadscore.row_struct_to_json('checked.landed_record') }}
        end as raw_record
    from (
        select
            {{ leadscore.star_exclude('typed', ['contract_problem']) }},
            row_number() over (
                partition by
                    {{ key_parts | join(', ') }},
                    typed.row_problem is null and not typed.is_deleted and not typed.is_superseded
                order by
                    {{ ('typed.' ~ adapter.quote(latest.get('as') or latest.name) ~ ' desc nulls last, ')
                        if latest else '' }}typed.landed_row_number desc
            ) as duplicate_rank
        from (
            select
                contracted.*,
                coalesce(
                    contracted.contract_problem
                    {%- if checks %},
                    case
                        {%- for condition, reason in checks %}
                        when {{ condition }} then '{{ reason }}'
                        {%- endfor %}
                    end
                    {%- endif %}
                ) as row_problem
            from (
                select
                    {{ items | join(',\n                    ') }},
                    {{ (deleted_parts | join(' or ')) if deleted_parts else 'false' }}
                        as is_deleted,
                    {{ ('coalesce(' ~ leadscore.parse_boolean('cast(src.' ~ adapter.quote(active[0])
                        ~ ' as ' ~ dbt.type_string() ~ ')') ~ ' = false, false)') if active
                        else 'false' }} as is_superseded,
                    {{ leadscore.parse_timestamp('cast(src.' ~ adapter.quote(synced[0]) ~ ' as '
                        ~ dbt.type_string() ~ ')', 'UTC') if synced
                        else 'cast(null as timestamp)' }} as synced_at,
                    case
                        {%- for condition, reason in key_problems + problems %}
                        when {{ condition }} then '{{ reason }}'
                        {%- endfor %}
                    end as contract_problem,
                    nullif(concat_ws(', ', {{ (issues or [text]) | join(', ') }}), '')
                        as parse_issues,
                    cast({{ leadscore.json_object_from(custom_items, 'key', 'value')
                        if custom_items else 'null' }} as {{ dbt.type_string() }}) as custom_fields,
                    {{ leadscore.landed_row_number() }} as landed_row_number,
                    {{ leadscore.row_struct('src') }} as landed_record
                from {{ relation }} as src
            ) as contracted
        ) as typed
    ) as checked
{%- endmacro %}
