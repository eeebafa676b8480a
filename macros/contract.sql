{#-
    The landing-contract engine: reads the per-system contracts (macros/systems/<system>.sql,
    one macro `system__<system>` each, found by name so a new system is a new file) and turns
    them into staging SQL. Python reads the same contracts (src/leadscore/contract.py) for
    `leadscore validate`, the generator's layouts and docs/contract.md, with the same
    spelling rule (`contract_column_key`), so validation and staging accept the same files.

    Per system, dbt vars (Fivetran's package names where they exist):
      <system>_enabled            false: the system's models are empty, the DAG still builds
      <system>__<table>_enabled   false: one optional table is empty
      <system>_layout             export (files as the tool exports them, the default),
                                  fivetran or airbyte (connector tables)
      <system>_schema / <system>_database
                                  read warehouse tables there instead of landing files
      <system>_<table>_identifier the table's name when it differs from the layout's default
      <system>__<table>_pass_through_columns
                                  extra (custom) columns to carry as text, e.g. ['utm_source__c']
-#}

{#- Every system contract, sorted by name. -#}
{% macro contract_systems() -%}
    {%- set found = [] -%}
    {%- for name in context.keys() | sort
        if name.startswith('system__') and not name.endswith('__yaml') -%}
        {%- do found.append(context[name]()) -%}
    {%- endfor -%}
    {{ return(found) }}
{%- endmacro %}


{% macro contract_system(system) -%}
    {%- set declared = context.get('system__' ~ system) -%}
    {%- if declared is not none -%}
        {{ return(declared()) }}
    {%- endif -%}
    {{ exceptions.raise_compiler_error(
        "No landing contract for system '" ~ system ~ "' (expected a macro system__" ~ system
        ~ " in macros/systems/" ~ system ~ ".sql)."
    ) }}
{%- endmacro %}


{% macro contract_table(system, table) -%}
    {%- for spec in leadscore.contract_system(system).tables if spec.name == table -%}
        {{ return(spec) }}
    {%- endfor -%}
    {{ exceptions.raise_compiler_error(
        "The " ~ system ~ " contract has no table '" ~ table ~ "'."
    ) }}
{%- endmacro %}


{#-
    True when dbt is about to read landed data (run, build, test): only then does a missing
    table or required column stop it. Compiling, docs and lint work without landing data.
-#}
{% macro contract_strict() -%}
    {{ return(execute and flags.WHICH in ['run', 'build', 'test', 'show']) }}
{%- endmacro %}


{#- Enabled systems' (system, table) pairs, for models that cover every landed table. -#}
{% macro contract_tables() -%}
    {%- set pairs = [] -%}
    {%- for contract in leadscore.contract_systems() -%}
        {%- for spec in contract.tables -%}
            {%- do pairs.append((contract, spec)) -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(pairs) }}
{%- endmacro %}


{#- The base model of a table, by convention base_<system>__<model>. -#}
{% macro contract_base_model(system, spec) -%}
    {{ return('base_' ~ system ~ '__' ~ spec.model) }}
{%- endmacro %}


{#- The staged model of a table, by convention stg_<system>__<model>. -#}
{% macro contract_staged_model(system, spec) -%}
    {{ return('stg_' ~ system ~ '__' ~ spec.model) }}
{%- endmacro %}


{% macro system_enabled(system) -%}
    {{ return(var(system ~ '_enabled', true) | string | lower not in ['false', '0', 'no']) }}
{%- endmacro %}


{% macro table_enabled(system, table) -%}
    {{ return(
        leadscore.system_enabled(system)
        and var(system ~ '__' ~ table ~ '_enabled', true) | string | lower not in ['false', '0', 'no']
    ) }}
{%- endmacro %}


{% macro system_layout(system, contract=none) -%}
    {%- set contract = contract or leadscore.contract_system(system) -%}
    {%- set layout = var(system ~ '_layout', 'export') -%}
    {%- if layout not in contract.layouts -%}
        {{ exceptions.raise_compiler_error(
            "Unknown layout '" ~ layout ~ "' for " ~ system ~ " (var " ~ system
            ~ "_layout). Known: " ~ (contract.layouts.keys() | list | join(', ')) ~ "."
        ) }}
    {%- endif -%}
    {{ return(layout) }}
{%- endmacro %}


{#- Layout settings of a system (time zone, delete and sync columns, column prefix). -#}
{% macro layout_spec(system, contract=none) -%}
    {%- set contract = contract or leadscore.contract_system(system) -%}
    {%- set layout = dict(contract.layouts[leadscore.system_layout(system, contract)] or {}) -%}
    {%- do layout.update({'name': leadscore.system_layout(system, contract)}) -%}
    {{ return(layout) }}
{%- endmacro %}


{#- The time zone of timestamps written without an offset, for the current layout. -#}
{% macro layout_time_zone(spec) -%}
    {%- if spec.get('time_zone_var') -%}
        {{ return(var(spec.time_zone_var, spec.get('time_zone', 'UTC'))) }}
    {%- endif -%}
    {{ return(spec.get('time_zone', 'UTC')) }}
{%- endmacro %}


{#- True when the system is read from warehouse tables (its schema or database var is set). -#}
{% macro reads_tables(system) -%}
    {{ return(
        var(system ~ '_schema', none) is not none or var(system ~ '_database', none) is not none
    ) }}
{%- endmacro %}


{#- The spelling rule: lower case, letters and digits only ("Create Date" = createdate). -#}
{% macro contract_column_key(name) -%}
    {{- return(modules.re.sub('[^a-z0-9]', '', name | lower)) -}}
{%- endmacro %}


{#- Spellings a declared column may have in the current layout, in order of preference. -#}
{% macro column_spellings(layout, column) -%}
    {%- set names = [column.name] -%}
    {%- for other in [column.get('header')] + (column.get('labels') or [])
        + [column.get('fivetran'), column.get('airbyte')] if other -%}
        {%- do names.append(other) -%}
    {%- endfor -%}
    {%- if layout.get('column_prefix') and column.get('prefixed', true) -%}
        {%- do names.append(layout.column_prefix ~ column.name) -%}
    {%- endif -%}
    {{ return(names) }}
{%- endmacro %}


{#- Landed column names matching a declared column (spellings in order, then file order). -#}
{% macro matching_columns(layout, column, present) -%}
    {%- set found = [] -%}
    {%- for spelling in leadscore.column_spellings(layout, column) -%}
        {%- set key = leadscore.contract_column_key(spelling) -%}
        {%- for name in present
            if leadscore.contract_column_key(name) == key and name not in found -%}
            {%- do found.append(name) -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(found) }}
{%- endmacro %}


{#- Where a table lands, as a relation or table expression, and whether it exists. -#}
{% macro landed_location(system, spec, layout, identifier=none) -%}
    {%- set name = identifier or var(
        system ~ '_' ~ spec.name ~ '_identifier',
        (spec.get('identifiers') or {}).get(layout.name, spec.name)
    ) -%}
    {%- if leadscore.reads_tables(system) -%}
        {%- set src = source(system, spec.name) -%}
        {%- set relation = adapter.get_relation(
            database=src.database, schema=src.schema, identifier=name
        ) if execute else none -%}
        {{ return({
            'expression': relation | string if relation is not none
                else src.database ~ '.' ~ src.schema ~ '.' ~ name,
            'exists': relation is not none, 'described': src.schema ~ '.' ~ name,
            'is_file': false,
        }) }}
    {%- endif -%}
    {%- set raw_dir = leadscore.raw_dir() -%}
    {%- set files = spec.get('files') or {} -%}
    {%- set patterns = [files[layout.name]] if (files.get(layout.name) and not identifier)
        else [name ~ '.parquet', name ~ '.csv'] -%}
    {%- for pattern in patterns -%}
        {%- set path = raw_dir ~ '/' ~ system ~ '/' ~ pattern -%}
        {%- set found = run_query("select count(*) from glob('" ~ path ~ "')").rows[0][0]
            if execute else 1 -%}
        {%- if found > 0 or loop.last -%}
            {%- if pattern.endswith('.parquet') -%}
                {%- set expression = "read_parquet('" ~ path ~ "', union_by_name = true)" -%}
            {%- else -%}
                {%- set expression = "read_csv('" ~ path ~ "', header = true, all_varchar = true, "
                    ~ "delim = ',', quote = '\"', escape = '\"')" -%}
            {%- endif -%}
            {{ return({
                'expression': expression, 'exists': found > 0,
                'described': path, 'is_file': true,
            }) }}
        {%- endif -%}
    {%- endfor -%}
{%- endmacro %}


{#- The landing folder: var raw_dir, else env LEADSCORE_RAW_DIR, else data/raw. -#}
{% macro raw_dir() -%}
    {%- set configured = var('raw_dir', none) -%}
    {%- if configured is none or (configured | string).startswith('{') -%}
        {{ return(env_var('LEADSCORE_RAW_DIR', 'data/raw')) }}
    {%- endif -%}
    {{ return(configured) }}
{%- endmacro %}


{#- Column names of a landed table expression (none before execution). -#}
{% macro landed_column_names(expression) -%}
    {%- if not execute -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(run_query("select * from " ~ expression ~ " limit 0").column_names | list) }}
{%- endmacro %}


{#- A zero-row table with the declared columns, for a disabled system or an absent table. -#}
{% macro empty_landing(spec) -%}
    (select
        {%- for column in spec.columns %}
        cast(null as {{ dbt.type_string() }}) as {{ adapter.quote(column.name) }}
        {{- ',' if not loop.last }}
        {%- endfor %}
    where 1 = 0)
{%- endmacro %}


{#-
    A table split by the connector into one table per type (Fivetran's Marketo activities):
    union the tables that exist, each mapped to the declared columns; their other columns
    become one JSON object in the table's attributes column, so nothing is dropped.
-#}
{% macro union_landing(system, spec, layout, tables) -%}
    {%- set selects = [] -%}
    {%- set skip_keys = [] -%}
    {%- for column in spec.columns -%}
        {%- for spelling in leadscore.column_spellings(layout, column) -%}
            {%- do skip_keys.append(leadscore.contract_column_key(spelling)) -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- for meta in [layout.get('synced'), layout.get('active')] + (layout.get('deleted') or [])
        if meta -%}
        {%- do skip_keys.append(leadscore.contract_column_key(meta)) -%}
    {%- endfor -%}
    {%- for name in tables -%}
        {%- set location = leadscore.landed_location(system, spec, layout, identifier=name) -%}
        {%- if location.exists -%}
            {%- set present = leadscore.landed_column_names(location.expression) -%}
            {%- set items = [] -%}
            {%- for column in spec.columns -%}
                {%- set matches = leadscore.matching_columns(layout, column, present) -%}
                {%- if column.name == spec.get('attributes_column') -%}
                    {%- set extras = [] -%}
                    {%- for col in present
                        if leadscore.contract_column_key(col) not in skip_keys -%}
                        {%- do extras.append({'key': col, 'value': 'part.' ~ adapter.quote(col)}) -%}
                    {%- endfor -%}
                    {%- do items.append(
                        (leadscore.json_object_from(extras, 'key', 'value') if extras
                            else 'cast(null as ' ~ dbt.type_string() ~ ')')
                        ~ ' as ' ~ adapter.quote(column.name)) -%}
                {%- elif matches -%}
                    {%- do items.append('cast(part.' ~ adapter.quote(matches[0]) ~ ' as '
                        ~ dbt.type_string() ~ ') as ' ~ adapter.quote(column.name)) -%}
                {%- else -%}
                    {%- do items.append('cast(null as ' ~ dbt.type_string() ~ ') as '
                        ~ adapter.quote(column.name)) -%}
                {%- endif -%}
            {%- endfor -%}
            {%- for meta in [layout.get('synced'), layout.get('active')]
                + (layout.get('deleted') or []) if meta -%}
                {%- set meta_found = [] -%}
                {%- for col in present
                    if leadscore.contract_column_key(col) == leadscore.contract_column_key(meta) -%}
                    {%- do meta_found.append(col) -%}
                {%- endfor -%}
                {%- do items.append(
                    ('cast(part.' ~ adapter.quote(meta_found[0]) ~ ' as ' ~ dbt.type_string() ~ ')'
                        if meta_found else 'cast(null as ' ~ dbt.type_string() ~ ')')
                    ~ ' as ' ~ adapter.quote(meta)) -%}
            {%- endfor -%}
            {%- do selects.append('select ' ~ (items | join(', ')) ~ ' from '
                ~ location.expression ~ ' as part') -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if not selects -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return('(' ~ (selects | join('\n    union all\n    ')) ~ ')') }}
{%- endmacro %}


{#-
    The landed table of (system, table) as a table expression: a landing file, a warehouse
    table, the union of a connector's per-type tables, or an empty table when the system or
    table is disabled (or an optional table is absent). A missing required table stops the
    build with a message that says where it was looked for and how to switch it off.
-#}
{% macro landed_table(system, table, contract=none) -%}
    {%- set contract = contract or leadscore.contract_system(system) -%}
    {%- set spec = leadscore.contract_table(system, table) -%}
    {%- if not leadscore.table_enabled(system, table) -%}
        {{ return(leadscore.empty_landing(spec)) }}
    {%- endif -%}
    {%- set src = source(system, table) -%}
    {%- if not execute -%}
        {{ return(src) }}
    {%- endif -%}
    {%- set layout = leadscore.layout_spec(system, contract) -%}
    {%- set union_tables = (spec.get('union_tables') or {}).get(layout.name) -%}
    {%- if union_tables -%}
        {%- set union_tables = var(system ~ '__' ~ table ~ '_tables', union_tables) -%}
        {%- set expression = leadscore.union_landing(system, spec, layout, union_tables) -%}
        {%- set location = {
            'expression': expression, 'exists': expression is not none,
            'described': 'any of ' ~ (union_tables | join(', ')),
        } -%}
    {%- else -%}
        {%- set location = leadscore.landed_location(system, spec, layout) -%}
    {%- endif -%}
    {%- if location.exists -%}
        {{ return(location.expression) }}
    {%- endif -%}
    {%- if not leadscore.contract_strict() -%}
        {{ return(leadscore.empty_landing(spec)) }}
    {%- endif -%}
    {%- set switch = system ~ '__' ~ table ~ '_enabled' if spec.get('optional')
        else system ~ '_enabled' -%}
    {%- if spec.get('optional') -%}
        {{ log("leadscore: " ~ system ~ "." ~ table ~ " not found (" ~ location.described
            ~ "); staging it as empty. Set " ~ switch ~ ": false to say so.", info=true) }}
        {{ return(leadscore.empty_landing(spec)) }}
    {%- endif -%}
    {{ exceptions.raise_compiler_error(
        system ~ "." ~ table ~ " (" ~ spec.entity ~ ", layout " ~ layout.name ~ ") was not found: "
        ~ location.described ~ ". Land it there (LEADSCORE_RAW_DIR is the landing folder), "
        ~ "point the " ~ system ~ "_schema var at the connector's schema, or run without "
        ~ contract.label ~ ": --vars '{" ~ switch ~ ": false}'."
    ) }}
{%- endmacro %}
