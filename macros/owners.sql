{#- The owner key of an owner id known by nothing but its id: one not listed by an owners
    table (dim_leads, dim_owners) or listed without email or name (int_owners). -#}
{% macro unlisted_owner_key(owner_id) -%}
    {{ dbt.hash("'id:' || " ~ owner_id) }}
{%- endmacro %}
