{#-
    The declared column spec of one export table (Fivetran-style).

    Returns a select list with one column per declared name, quoted with the export's own
    spelling, so the staging `source` CTE is stable whatever the export looks like:
      * spelling variants (camelCase, snake_case, "Title Case", other letter case) of a declared
        column are found and coalesced in file order;
      * a declared optional column missing from the file is filled with null;
      * a declared required column missing from the file stops the build with an error that
        names the file, the column and what was found.
    All landing files are read as text (all_varchar), casts happen in the `renamed` CTE.
-#}

{% macro column_key(name) -%}
    {{- return(modules.re.sub('[^a-z0-9]', '', name | lower)) -}}
{%- endmacro %}


{% macro landing_file_of(relation) -%}
    {%- set match = modules.re.search("'([^']+)'", relation | string) -%}
    {{- return(match.group(1) if match else relation | string) -}}
{%- endmacro %}


{% macro landed_columns(relation) -%}
    {#- Columns present in the landing file, or none when it cannot be read at compile time. -#}
    {%- if not execute or flags.WHICH not in ('run', 'build', 'compile', 'test', 'show') -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set path = leadscore.landing_file_of(relation) -%}
    {%- set found = run_query("select count(*) from glob('" ~ path ~ "')") -%}
    {%- if found is none or found.rows[0][0] == 0 -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set probe = run_query("select * from " ~ relation ~ " limit 0") -%}
    {{ return(probe.column_names | list) }}
{%- endmacro %}


{% macro declared_columns(relation, columns, required=[]) -%}
    {%- set present = leadscore.landed_columns(relation) -%}
    {%- set path = leadscore.landing_file_of(relation) -%}
    {%- set lines = [] -%}
    {%- for name in columns -%}
        {%- if present is none -%}
            {%- do lines.append(adapter.quote(name)) -%}
        {%- else -%}
            {%- set variants = [] -%}
            {%- for col in present -%}
                {%- if leadscore.column_key(col) == leadscore.column_key(name) -%}
                    {%- do variants.append(adapter.quote(col)) -%}
                {%- endif -%}
            {%- endfor -%}
            {%- if variants | length == 0 and name in required -%}
                {{ exceptions.raise_compiler_error(
                    "Landing file " ~ path ~ " is missing required column '" ~ name
                    ~ "'. Found columns: " ~ (present | join(', '))
                    ~ ". Fix the export (see docs/exports.md) before running dbt."
                ) }}
            {%- elif variants | length == 0 -%}
                {%- do lines.append("cast(null as " ~ dbt.type_string() ~ ") as "
                    ~ adapter.quote(name)) -%}
            {%- elif variants | length == 1 -%}
                {%- do lines.append(variants[0] ~ " as " ~ adapter.quote(name)) -%}
            {%- else -%}
                {%- do lines.append("coalesce(" ~ (variants | join(', ')) ~ ") as "
                    ~ adapter.quote(name)) -%}
            {%- endif -%}
        {%- endif -%}
    {%- endfor -%}
    {{ lines | join(',\n        ') }}
{%- endmacro %}
