{#-
    Map observed raw values to a taxonomy seed.

    `observed` is a relation or CTE with source_system, source_entity, field, raw_value and
    vocab_key. Seed rows match on system ('*' = any), optionally on extra conditions, and on
    the vocabulary key: exact equality or a regex. The lowest priority wins, exact before regex.
    Returns one row per observed value with the seed's `outputs` (null when nothing matched).
-#}
{% macro taxonomy_match(observed, seed, outputs, extra_condition='true') -%}
    select
        matched.*
    from (
        select
            o.*,
            {%- for output in outputs %}
            t.{{ output }},
            {%- endfor %}
            t.raw_value is not null as is_mapped,
            row_number() over (
                partition by o.source_system, o.source_entity, o.field, o.raw_value
                order by
                    t.priority nulls last,
                    case when t.match_type = 'exact' then 0 else 1 end,
                    t.raw_value
            ) as match_rank
        from {{ observed }} as o
        left join {{ seed }} as t
            on
                (t.system = '*' or t.system = o.source_system)
                and ({{ extra_condition }})
                and (
                    (t.match_type = 'exact' and t.raw_value = o.vocab_key)
                    or (
                        t.match_type = 'regex'
                        and {{ leadscore.regex_matches('o.vocab_key', 't.raw_value') }}
                    )
                )
    ) as matched
    where matched.match_rank = 1
{%- endmacro %}


{#- One observed-values select: distinct raw values of a column with their row counts. -#}
{% macro observe_values(relation, system, entity, field, taxonomy, expr) -%}
    select
        '{{ system }}' as source_system,
        '{{ entity }}' as source_entity,
        '{{ field }}' as field,
        '{{ taxonomy }}' as taxonomy,
        {{ expr }} as raw_value,
        {{ leadscore.vocab_key(expr) }} as vocab_key,
        count(*) as row_count
    from {{ relation }}
    where {{ expr }} is not null
    group by 1, 2, 3, 4, 5, 6
{%- endmacro %}


{#-
    Non-null value with the lowest ordering value within a group (survivorship). Ties on the
    ordering value are broken by the value itself, so a rebuild of the same data always picks
    the same value (without it, parallel aggregation picks either side of a tie).
-#}
{% macro first_non_null(expr, order_by) -%}
    {{ return(adapter.dispatch('first_non_null', 'leadscore')(expr, order_by)) }}
{%- endmacro %}

{% macro default__first_non_null(expr, order_by) -%}
    min_by({{ expr }}, {{ order_by }}) filter (where {{ expr }} is not null)
{%- endmacro %}

{% macro spark__first_non_null(expr, order_by) -%}
    min_by({{ expr }}, named_struct('k', {{ order_by }}, 'v', {{ expr }}))
    filter (where {{ expr }} is not null)
{%- endmacro %}

{% macro duckdb__first_non_null(expr, order_by) -%}
    arg_min({{ expr }}, {'k': {{ order_by }}, 'v': {{ expr }}})
    filter (where {{ expr }} is not null)
{%- endmacro %}


{#- Raw activity key of a Marketo activity: the type id, plus the new status for type 104. -#}
{% macro activity_type_key(type_id, new_status) -%}
    case
        when {{ type_id }} = 104 and {{ new_status }} is not null
            then cast({{ type_id }} as {{ dbt.type_string() }}) || ' ' || lower({{ new_status }})
        else cast({{ type_id }} as {{ dbt.type_string() }})
    end
{%- endmacro %}
