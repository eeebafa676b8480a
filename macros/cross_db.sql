{#- Engine-specific SQL behind adapter.dispatch; default__ versions stay portable. -#}

{#- dbt.safe_cast compiles to a plain cast on DuckDB (errors on bad input): use try_cast. -#}
{% macro duckdb__safe_cast(field, type) -%}
    try_cast({{ field }} as {{ type }})
{%- endmacro %}


{#- A string with an offset or a trailing Z, as a UTC timestamp without time zone. -#}
{% macro to_utc_timestamp(expr) -%}
    {{ return(adapter.dispatch('to_utc_timestamp', 'leadscore')(expr)) }}
{%- endmacro %}

{% macro default__to_utc_timestamp(expr) -%}
    cast({{ dbt.safe_cast(expr, api.Column.translate_type('timestamp')) }} as timestamp)
{%- endmacro %}

{% macro duckdb__to_utc_timestamp(expr) -%}
    timezone('UTC', try_cast({{ expr }} as timestamptz))
{%- endmacro %}


{#- A local wall-clock string (no offset) in time zone tz, as a UTC timestamp. -#}
{% macro local_to_utc_timestamp(expr, tz) -%}
    {{ return(adapter.dispatch('local_to_utc_timestamp', 'leadscore')(expr, tz)) }}
{%- endmacro %}

{% macro default__local_to_utc_timestamp(expr, tz) -%}
    convert_timezone('{{ tz }}', 'UTC', {{ dbt.safe_cast(expr, 'timestamp') }})
{%- endmacro %}

{% macro duckdb__local_to_utc_timestamp(expr, tz) -%}
    timezone('UTC', timezone('{{ tz }}', try_cast({{ expr }} as timestamp)))
{%- endmacro %}


{#- A date string in a strptime format; null when it does not parse. -#}
{% macro parse_date(expr, fmt='%Y-%m-%d') -%}
    {{ return(adapter.dispatch('parse_date', 'leadscore')(expr, fmt)) }}
{%- endmacro %}

{% macro default__parse_date(expr, fmt) -%}
    try_to_date({{ expr }}, '{{ fmt }}')
{%- endmacro %}

{% macro duckdb__parse_date(expr, fmt) -%}
    cast(try_strptime({{ expr }}, '{{ fmt }}') as date)
{%- endmacro %}


{#- True when a pattern (POSIX-ish regex) matches anywhere in a string. -#}
{% macro regex_matches(expr, pattern) -%}
    {{ return(adapter.dispatch('regex_matches', 'leadscore')(expr, pattern)) }}
{%- endmacro %}

{% macro default__regex_matches(expr, pattern) -%}
    regexp_like({{ expr }}, {{ pattern }})
{%- endmacro %}

{% macro duckdb__regex_matches(expr, pattern) -%}
    regexp_matches({{ expr }}, {{ pattern }})
{%- endmacro %}


{#- The whole row of a relation alias as one JSON text (kept on rejected rows). -#}
{% macro row_to_json(alias) -%}
    {{ return(adapter.dispatch('row_to_json', 'leadscore')(alias)) }}
{%- endmacro %}

{% macro default__row_to_json(alias) -%}
    cast(null as {{ dbt.type_string() }})
{%- endmacro %}

{% macro duckdb__row_to_json(alias) -%}
    cast(to_json({{ alias }}) as varchar)
{%- endmacro %}


{#- Value of the {name, value} object called `name` in a JSON array text (Marketo attributes). -#}
{% macro json_name_value(expr, name) -%}
    {{ return(adapter.dispatch('json_name_value', 'leadscore')(expr, name)) }}
{%- endmacro %}

{% macro default__json_name_value(expr, name) -%}
    cast(null as {{ dbt.type_string() }})
{%- endmacro %}

{% macro duckdb__json_name_value(expr, name) -%}
    case when json_valid({{ expr }}) then
        list_filter(
            from_json({{ expr }}, '[{"name": "VARCHAR", "value": "VARCHAR"}]'),
            lambda x: x.name = '{{ name }}'
        )[1].value
    end
{%- endmacro %}


{#-
    Every column of a CTE or table alias except some, as a select list item: `alias.* exclude
    (...)` on DuckDB and Snowflake, `alias.* except (...)` on BigQuery and Databricks.
    (star_except in staging.sql does the same for a built relation by listing its columns.)
-#}
{% macro star_exclude(alias, columns) -%}
    {{ return(adapter.dispatch('star_exclude', 'leadscore')(alias, columns)) }}
{%- endmacro %}

{% macro default__star_exclude(alias, columns) -%}
    {{ exceptions.raise_compiler_error(
        "star_exclude has no implementation for the " ~ target.type ~ " adapter: add "
        ~ target.type ~ "__star_exclude to macros/cross_db.sql."
    ) }}
{%- endmacro %}

{% macro duckdb__star_exclude(alias, columns) -%}
    {{ alias }}.* exclude ({{ columns | join(', ') }})
{%- endmacro %}

{% macro snowflake__star_exclude(alias, columns) -%}
    {{ alias }}.* exclude ({{ columns | join(', ') }})
{%- endmacro %}

{% macro bigquery__star_exclude(alias, columns) -%}
    {{ alias }}.* except ({{ columns | join(', ') }})
{%- endmacro %}

{% macro databricks__star_exclude(alias, columns) -%}
    {{ alias }}.* except ({{ columns | join(', ') }})
{%- endmacro %}


{#- A JSON object of `items`: key = item[key], value = the column or expression item[value]. -#}
{% macro json_object_from(items, key, value) -%}
    {{ return(adapter.dispatch('json_object_from', 'leadscore')(items, key, value)) }}
{%- endmacro %}

{% macro default__json_object_from(items, key, value) -%}
    json_object(
        {%- for item in items %}
        '{{ item[key] }}', {{ item[value] }}{{ ',' if not loop.last }}
        {%- endfor %}
    )
{%- endmacro %}

{% macro snowflake__json_object_from(items, key, value) -%}
    object_construct_keep_null(
        {%- for item in items %}
        '{{ item[key] }}', {{ item[value] }}{{ ',' if not loop.last }}
        {%- endfor %}
    )
{%- endmacro %}

{% macro databricks__json_object_from(items, key, value) -%}
    to_json(named_struct(
        {%- for item in items %}
        '{{ item[key] }}', {{ item[value] }}{{ ',' if not loop.last }}
        {%- endfor %}
    ))
{%- endmacro %}


{#-
    A landed timestamp text as UTC (timestamp without time zone), null when it does not parse:
    ISO 8601 with `Z` or an offset (also `+0000`, ` +00:00`, ` UTC`), `YYYY-MM-DD[ T]HH:MM[:SS[.f]]`
    or a bare date in time zone `tz`, and epoch milliseconds (13 digits).
-#}
{% macro parse_timestamp(expr, tz='UTC') -%}
    {{ return(adapter.dispatch('parse_timestamp', 'leadscore')(expr, tz)) }}
{%- endmacro %}

{% macro default__parse_timestamp(expr, tz) -%}
    convert_timezone('{{ tz }}', 'UTC', {{ dbt.safe_cast(expr, 'timestamp') }})
{%- endmacro %}

{% macro duckdb__parse_timestamp(expr, tz) -%}
    (case
        when regexp_full_match({{ expr }}, '[0-9]{13}')
            then make_timestamp(try_cast({{ expr }} as bigint) * 1000)
        when regexp_matches({{ expr }}, '(Z|[+-][0-9]{2}(:?[0-9]{2})?|\sUTC|\sGMT)$')
            then timezone('UTC', try_cast(
                regexp_replace({{ expr }}, '\s+([+-][0-9]{2}:?[0-9]{2})$', '\1') as timestamptz
            ))
        {%- if tz == 'UTC' %}
        else try_cast({{ expr }} as timestamp)
        {%- else %}
        else timezone('UTC', timezone('{{ tz }}', try_cast({{ expr }} as timestamp)))
        {%- endif %}
    end)
{%- endmacro %}


{#-
    A landed date text as a date, null when it does not parse: `YYYY-MM-DD`, the date part of
    a timestamp text (`2024-03-05 00:00:00`, `2024-03-05T00:00:00.000Z`: connectors land date
    fields as midnight timestamps), epoch milliseconds (UTC), and the `formats` a column
    declares (`us_date`: MM/DD/YYYY).
-#}
{% macro parse_any_date(expr, formats=[]) -%}
    {{ return(adapter.dispatch('parse_any_date', 'leadscore')(expr, formats)) }}
{%- endmacro %}

{% macro default__parse_any_date(expr, formats) -%}
    {{ dbt.safe_cast(dbt.safe_cast(expr, 'timestamp'), 'date') }}
{%- endmacro %}

{% macro duckdb__parse_any_date(expr, formats) -%}
    (case
        when regexp_full_match({{ expr }}, '[0-9]{13}')
            then cast(make_timestamp(try_cast({{ expr }} as bigint) * 1000) as date)
        when regexp_matches({{ expr }}, '^[0-9]{4}-[0-9]{2}-[0-9]{2}([ T].*)?$')
            then try_cast(left({{ expr }}, 10) as date)
        {%- if 'us_date' in formats %}
        when regexp_full_match({{ expr }}, '[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}')
            then cast(try_strptime({{ expr }}, '%m/%d/%Y') as date)
        {%- endif %}
    end)
{%- endmacro %}


{#- The text when it is valid JSON, else null. -#}
{% macro valid_json(expr) -%}
    {{ return(adapter.dispatch('valid_json', 'leadscore')(expr)) }}
{%- endmacro %}

{% macro default__valid_json(expr) -%}
    case when try_parse_json({{ expr }}) is not null then {{ expr }} end
{%- endmacro %}

{% macro duckdb__valid_json(expr) -%}
    case when json_valid({{ expr }}) then {{ expr }} end
{%- endmacro %}


{#- Text of a top-level key of a JSON object column (Airbyte's `properties`). -#}
{% macro json_text_at(expr, key) -%}
    {{ return(adapter.dispatch('json_text_at', 'leadscore')(expr, key)) }}
{%- endmacro %}

{% macro default__json_text_at(expr, key) -%}
    json_extract_path_text({{ expr }}, '{{ key }}')
{%- endmacro %}

{% macro duckdb__json_text_at(expr, key) -%}
    json_extract_string(cast({{ expr }} as json), '$."{{ key }}"')
{%- endmacro %}


{#-
    The whole landed row of a table alias, carried as one value until the row's status is
    known; row_struct_to_json turns it into JSON text only for the rows that keep it (the
    rejected, deleted and superseded ones). Engines without row values keep null.
-#}
{% macro row_struct(alias) -%}
    {{ return(adapter.dispatch('row_struct', 'leadscore')(alias)) }}
{%- endmacro %}

{% macro default__row_struct(alias) -%}
    cast(null as {{ dbt.type_string() }})
{%- endmacro %}

{% macro duckdb__row_struct(alias) -%}
    {{ alias }}
{%- endmacro %}

{% macro row_struct_to_json(expr) -%}
    {{ return(adapter.dispatch('row_struct_to_json', 'leadscore')(expr)) }}
{%- endmacro %}

{% macro default__row_struct_to_json(expr) -%}
    cast({{ expr }} as {{ dbt.type_string() }})
{%- endmacro %}

{% macro duckdb__row_struct_to_json(expr) -%}
    cast(to_json({{ expr }}) as varchar)
{%- endmacro %}


{#- Distinct non-null values of `expr` in a group as one sorted, comma-separated text. -#}
{% macro string_agg_distinct(expr) -%}
    {{ return(adapter.dispatch('string_agg_distinct', 'leadscore')(expr)) }}
{%- endmacro %}

{% macro default__string_agg_distinct(expr) -%}
    string_agg(distinct {{ expr }}, ', ' order by {{ expr }})
{%- endmacro %}
