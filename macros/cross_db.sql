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


{#-
    Apache Spark (dbt-spark). The profile sets spark.sql.parser.escapedStringLiterals, so a
    backslash in a string literal is a backslash, as in DuckDB and standard SQL; Java regexes
    (Spark) and RE2 (DuckDB) agree on the patterns used here. dbt-spark's own datediff,
    dateadd and split_part fail on nulls (assert_true) or index out of range, so the project
    spells them here; dbt's dispatch finds a root project's spark__ macro first.
-#}
{% macro spark__safe_cast(field, type) -%}
    {%- if type | lower in ['integer', 'int', 'bigint', 'smallint', 'tinyint'] -%}
        {#- DuckDB's try_cast rounds '2.5' -> 3, '123.0' -> 123, 2.5 -> 3; Spark's truncates -#}
        try_cast(round(try_cast({{ field }} as double)) as {{ type }})
    {%- else -%}
        try_cast({{ field }} as {{ type }})
    {%- endif -%}
{%- endmacro %}

{#- Differences count boundaries crossed, as DuckDB's date_diff does (10:00:59 -> 10:02:00
    is 2 minutes), and are null when either side is null. -#}
{% macro spark__datediff(first_date, second_date, datepart) -%}
    {%- if datepart == 'day' -%}
        cast(datediff(cast({{ second_date }} as date), cast({{ first_date }} as date)) as bigint)
    {%- elif datepart in ['hour', 'minute', 'second'] -%}
        {%- set seconds = {'hour': 3600, 'minute': 60, 'second': 1}[datepart] -%}
        cast((
            unix_seconds(date_trunc('{{ datepart }}', cast({{ second_date }} as timestamp)))
            - unix_seconds(date_trunc('{{ datepart }}', cast({{ first_date }} as timestamp)))
        ) / {{ seconds }} as bigint)
    {%- else -%}
        {{ exceptions.raise_compiler_error(
            "datediff by " ~ datepart ~ " has no Spark spelling in macros/cross_db.sql") }}
    {%- endif -%}
{%- endmacro %}

{% macro spark__dateadd(datepart, interval, from_date_or_timestamp) -%}
    timestampadd({{ datepart | upper }}, cast({{ interval }} as bigint),
        cast({{ from_date_or_timestamp }} as timestamp))
{%- endmacro %}

{% macro spark__split_part(string_text, delimiter_text, part_number) -%}
    split_part({{ string_text }}, {{ delimiter_text }}, {{ part_number }})
{%- endmacro %}

{% macro spark__star_exclude(alias, columns) -%}
    {{ alias }}.* except ({{ columns | join(', ') }})
{%- endmacro %}

{#- Keeps null fields (DuckDB's json_object does); Spark's to_json drops them by default. -#}
{% macro spark__json_object_from(items, key, value) -%}
    to_json(named_struct(
        {%- for item in items %}
        '{{ item[key] }}', {{ item[value] }}{{ ',' if not loop.last }}
        {%- endfor %}
    ), map('ignoreNullFields', 'false', 'timestampFormat', 'yyyy-MM-dd HH:mm:ss[.SSSSSS]'))
{%- endmacro %}

{% macro spark__to_utc_timestamp(expr) -%}
    try_cast({{ expr }} as timestamp)
{%- endmacro %}

{% macro spark__local_to_utc_timestamp(expr, tz) -%}
    to_utc_timestamp(try_cast({{ expr }} as timestamp), '{{ tz }}')
{%- endmacro %}

{#- strptime formats (%Y-%m-%d, %m/%d/%Y) as Spark datetime patterns. -#}
{% macro spark__parse_date(expr, fmt) -%}
    {%- set pattern = fmt | replace('%Y', 'yyyy') | replace('%m', 'MM') | replace('%d', 'dd') -%}
    try_to_date({{ expr }}, '{{ pattern }}')
{%- endmacro %}

{#- rlike finds a match anywhere, as DuckDB's regexp_matches. -#}
{% macro spark__regex_matches(expr, pattern) -%}
    regexp_like({{ expr }}, {{ pattern }})
{%- endmacro %}

{% macro spark__row_to_json(alias) -%}
    to_json(struct({{ alias }}.*), map('ignoreNullFields', 'false'))
{%- endmacro %}

{% macro spark__json_name_value(expr, name) -%}
    filter(
        from_json({{ expr }}, 'array<struct<name:string,value:string>>'),
        x -> x.name = '{{ name }}'
    )[0].value
{%- endmacro %}

{% macro spark__parse_timestamp(expr, tz) -%}
    (case
        when regexp_like({{ expr }}, '^[0-9]{13}$')
            then timestamp_millis(cast({{ expr }} as bigint))
        when regexp_like({{ expr }}, '(Z|[+-][0-9]{2}(:?[0-9]{2})?|\sUTC|\sGMT)$')
            then try_cast(
                regexp_replace({{ expr }}, '\s+([+-][0-9]{2}:?[0-9]{2})$', '$1') as timestamp
            )
        {%- if tz == 'UTC' %}
        else try_cast({{ expr }} as timestamp)
        {%- else %}
        else to_utc_timestamp(try_cast({{ expr }} as timestamp), '{{ tz }}')
        {%- endif %}
    end)
{%- endmacro %}

{% macro spark__parse_any_date(expr, formats) -%}
    (case
        when regexp_like({{ expr }}, '^[0-9]{13}$')
            then cast(timestamp_millis(cast({{ expr }} as bigint)) as date)
        when regexp_like({{ expr }}, '^[0-9]{4}-[0-9]{2}-[0-9]{2}([ T].*)?$')
            then try_cast(left({{ expr }}, 10) as date)
        {%- if 'us_date' in formats %}
        when regexp_like({{ expr }}, '^[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}$')
            then try_to_date({{ expr }}, 'M/d/yyyy')
        {%- endif %}
    end)
{%- endmacro %}

{% macro spark__valid_json(expr) -%}
    case when try_parse_json({{ expr }}) is not null then {{ expr }} end
{%- endmacro %}

{% macro spark__json_text_at(expr, key) -%}
    get_json_object({{ expr }}, '$["{{ key }}"]')
{%- endmacro %}

{% macro spark__row_struct(alias) -%}
    struct({{ alias }}.*)
{%- endmacro %}

{% macro spark__row_struct_to_json(expr) -%}
    to_json({{ expr }}, map('ignoreNullFields', 'false',
        'timestampFormat', 'yyyy-MM-dd HH:mm:ss[.SSSSSS]'))
{%- endmacro %}


{#-
    Position of each landed row in its table (1 = first): DuckDB numbers rows as it scans
    them; Spark needs an order, and monotonically_increasing_id follows the files' order.
-#}
{% macro landed_row_number() -%}
    {{ return(adapter.dispatch('landed_row_number', 'leadscore')()) }}
{%- endmacro %}

{% macro default__landed_row_number() -%}
    row_number() over ()
{%- endmacro %}

{% macro spark__landed_row_number() -%}
    row_number() over (order by monotonically_increasing_id())
{%- endmacro %}


{#- regexp_replace of the first match; `replacement` names groups as \1 (DuckDB's spelling). -#}
{% macro regex_replace(expr, pattern, replacement, every=false) -%}
    {{ return(adapter.dispatch('regex_replace', 'leadscore')(expr, pattern, replacement, every)) }}
{%- endmacro %}

{% macro default__regex_replace(expr, pattern, replacement, every) -%}
    regexp_replace({{ expr }}, {{ pattern }}, {{ replacement }}{{ ", 'g'" if every }})
{%- endmacro %}

{#- Spark replaces every match and names groups $1: patterns passed here without `every`
    are anchored (one match at most), so the results agree. -#}
{% macro spark__regex_replace(expr, pattern, replacement, every) -%}
    regexp_replace({{ expr }}, {{ pattern }}, {{ modules.re.sub('\\\\([0-9])', '$\\1', replacement) }})
{%- endmacro %}


{#- string_agg of `expr` in the order of `order_by`. -#}
{% macro ordered_string_agg(expr, separator, order_by) -%}
    {{ return(adapter.dispatch('ordered_string_agg', 'leadscore')(expr, separator, order_by)) }}
{%- endmacro %}

{% macro default__ordered_string_agg(expr, separator, order_by) -%}
    string_agg(
            {{ expr }},
            {{ separator }}
            order by {{ order_by }}
        )
{%- endmacro %}

{% macro spark__ordered_string_agg(expr, separator, order_by) -%}
    string_agg({{ expr }}, {{ separator }}) within group (order by {{ order_by }})
{%- endmacro %}


{#- UNION ALL of selects with the same columns in the same order (by name on DuckDB). -#}
{% macro union_all_by_name() -%}
    {{ return(adapter.dispatch('union_all_by_name', 'leadscore')()) }}
{%- endmacro %}

{% macro default__union_all_by_name() -%}
    union all
{%- endmacro %}

{% macro duckdb__union_all_by_name() -%}
    union all by name
{%- endmacro %}


{#- One row per day from `start` to `end` (exclusive), as date_day. -#}
{% macro date_days(start, end) -%}
    {{ return(adapter.dispatch('date_days', 'leadscore')(start, end)) }}
{%- endmacro %}

{% macro default__date_days(start, end) -%}
    select cast(range as date) as date_day
    from range(date '{{ start }}', date '{{ end }}', interval 1 day)
{%- endmacro %}

{% macro spark__date_days(start, end) -%}
    select explode(sequence(date '{{ start }}', date_sub(date '{{ end }}', 1), interval 1 day))
        as date_day
{%- endmacro %}


{#- Distinct non-null values of `expr` in a group as one sorted, comma-separated text. -#}
{% macro string_agg_distinct(expr) -%}
    {{ return(adapter.dispatch('string_agg_distinct', 'leadscore')(expr)) }}
{%- endmacro %}

{% macro default__string_agg_distinct(expr) -%}
    string_agg(distinct {{ expr }}, ', ' order by {{ expr }})
{%- endmacro %}

{% macro spark__string_agg_distinct(expr) -%}
    array_join(array_sort(collect_set({{ expr }})), ', ')
{%- endmacro %}


{#-
    A 64-bit hash of one row's values (`row_hash`), and an order-free digest of a group's rows
    (`hash_sum`: the sum of each row's hash, so an added, removed or changed row changes it;
    pair it with count(*)). Fingerprints for incremental models: compared only with values the
    same engine wrote (DuckDB's hash() may change between DuckDB versions; a changed
    fingerprint only recomputes rows).
-#}
{% macro row_hash(columns) -%}
    {{ return(adapter.dispatch('row_hash', 'leadscore')(columns)) }}
{%- endmacro %}

{% macro default__row_hash(columns) -%}
    hash({{ columns | join(', ') }})
{%- endmacro %}

{% macro spark__row_hash(columns) -%}
    xxhash64({{ columns | join(', ') }})
{%- endmacro %}

{% macro hash_sum(columns) -%}
    {{ return(adapter.dispatch('hash_sum', 'leadscore')(columns)) }}
{%- endmacro %}

{% macro default__hash_sum(columns) -%}
    sum(hash({{ columns | join(', ') }}))
{%- endmacro %}

{% macro spark__hash_sum(columns) -%}
    sum(cast(xxhash64({{ columns | join(', ') }}) as decimal(38, 0)))
{%- endmacro %}
