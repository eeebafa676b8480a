{#-
    Whether a row of a dated policy seed is in force at `as_of`: effective_from <= as_of <
    effective_to, an empty bound being open. The one SQL spelling of the rule
    leadscore.pipeline._in_force applies to the seeds the Python models read. `alias`
    qualifies the columns; `has_end=false` for seeds without effective_to (scoring_policy).
-#}
{% macro in_force(as_of, alias=none, has_end=true) -%}
    {%- set p = alias ~ '.' if alias else '' -%}
    ({{ p }}effective_from is null or cast({{ p }}effective_from as timestamp) <= {{ as_of }})
    {%- if has_end %}
    and ({{ p }}effective_to is null or cast({{ p }}effective_to as timestamp) > {{ as_of }})
    {%- endif %}
{%- endmacro %}


{#-
    The value of one key of a key/value policy seed as `kind`, as an aggregate over the seed's
    rows in force (select it from the seed, filtered with in_force).
-#}
{% macro policy_value(alias, key, kind) -%}
    max(case when {{ alias }}.key = '{{ key }}' then cast({{ alias }}.value as {{ kind }}) end)
{%- endmacro %}
