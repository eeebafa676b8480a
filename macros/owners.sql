{#- The owner key of an owner id no owners table lists (int_owners keys the listed ones). -#}
{% macro unlisted_owner_key(owner_id) -%}
    {{ dbt.hash("'id:' || " ~ owner_id) }}
{%- endmacro %}
