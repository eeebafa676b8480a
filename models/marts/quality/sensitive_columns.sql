{#-
    Every model column tagged `meta: {sensitive: true}` in the project's yml (personal data:
    emails, names, titles, free-text custom fields), read from dbt's graph when the model runs.
    `leadscore publish` leaves these columns out of the copy BI tools read unless
    seeds/policy/policy_published_columns.csv opts one in. The tag is set once, on the column.
-#}
{%- set rows = [] -%}
{%- if execute -%}
    {%- for node in graph.nodes.values() | sort(attribute='name')
        if node.resource_type == 'model' -%}
        {%- for column in node.columns.values() | sort(attribute='name')
            if (column.meta or {}).get('sensitive') -%}
            {%- do rows.append(
                "select '" ~ node.name ~ "' as model_name, '" ~ column.name ~ "' as column_name, '"
                ~ ((column.meta.get('sensitive_reason') or 'personal data') | replace("'", "''"))
                ~ "' as reason"
            ) -%}
        {%- endfor -%}
    {%- endfor -%}
{%- endif %}
with

tagged as (

    {{ rows | join('\n    union all\n    ') if rows else
        "select cast(null as " ~ dbt.type_string() ~ ") as model_name, cast(null as "
        ~ dbt.type_string() ~ ") as column_name, cast(null as " ~ dbt.type_string()
        ~ ") as reason where 1 = 0" }}

),

final as (

    select
        {{ surrogate_key(['model_name', 'column_name']) }} as sensitive_column_id,
        model_name,
        column_name,
        reason
    from tagged

)

select * from final
