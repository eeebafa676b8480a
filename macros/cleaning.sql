{#- Small, portable cleaning helpers used by every staging model. -#}

{#- Trimmed text; empty string becomes null. -#}
{% macro clean_text(expr) -%}
    nullif(trim({{ expr }}), '')
{%- endmacro %}


{#- Lower/trimmed email when it looks like an address, else null. -#}
{% macro normalize_email(expr) -%}
    case
        when {{ leadscore.regex_matches(
            'lower(trim(' ~ expr ~ '))',
            "'^[a-z0-9._%+''-]+@[a-z0-9.-]+\\.[a-z]{2,}$'"
        ) }}
            then lower(trim({{ expr }}))
    end
{%- endmacro %}


{#- True when a non-empty email is present but does not look like an address. -#}
{% macro is_invalid_email(expr) -%}
    (
        nullif(trim({{ expr }}), '') is not null
        and ({{ leadscore.normalize_email(expr) }}) is null
    )
{%- endmacro %}


{#- Domain part of a normalized email. -#}
{% macro email_domain(email_expr) -%}
    nullif({{ dbt.split_part(email_expr, "'@'", 2) }}, '')
{%- endmacro %}


{#- Bare registrable host from a website or URL: no scheme, www., path, port or case. -#}
{% macro normalize_domain(expr) -%}
    nullif(
        {{ dbt.split_part(dbt.split_part(
            "regexp_replace(lower(trim(" ~ expr ~ ")), '^([a-z]+://)?(www[0-9]*\\.)?', '')",
            "'/'", 1), "':'", 1) }},
        ''
    )
{%- endmacro %}


{#- Boolean from true/false, 1/0, yes/no exports; anything else is null. -#}
{% macro parse_boolean(expr) -%}
    case
        when lower(trim({{ expr }})) in ('true', 't', '1', 'yes', 'y') then true
        when lower(trim({{ expr }})) in ('false', 'f', '0', 'no', 'n') then false
    end
{%- endmacro %}


{#-
    Vocabulary key: lower case, underscores and runs of space as one space, and a whole
    number written as a float ("250.0", as connectors land numeric picklists) as "250".
-#}
{% macro vocab_key(expr) -%}
    nullif(
        {{ leadscore.regex_replace(
            'trim(' ~ leadscore.regex_replace(
                "lower(replace(" ~ expr ~ ", '_', ' '))", "'\\s+'", "' '", every=true) ~ ')',
            "'^([0-9]+)\\.0+$'", "'\\1'") }},
        ''
    )
{%- endmacro %}


{#- Deterministic surrogate key (md5 of the parts joined by |, nulls as empty). -#}
{% macro surrogate_key(parts) -%}
    {%- set casted = [] -%}
    {%- for part in parts -%}
        {%- do casted.append("coalesce(cast(" ~ part ~ " as " ~ dbt.type_string() ~ "), '')") -%}
    {%- endfor -%}
    {{ dbt.hash(casted | join(" || '|' || ")) }}
{%- endmacro %}
