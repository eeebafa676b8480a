{#-
    Row status of a landed row, in this order:
      rejected:<problem>        a row problem found while typing it (missing id, bad date, ...)
      deleted                   soft-deleted in the source system
      rejected:duplicate_id     a second row with the same id (the latest modified one is kept)
      staged                    everything else
    Every landed row gets exactly one status, so raw = staged + deleted + rejected.
-#}
{% macro row_status(problem, is_deleted, id_column, order_column) -%}
    case
        when {{ problem }} is not null then 'rejected:' || {{ problem }}
        when {{ is_deleted }} then 'deleted'
        when row_number() over (
            partition by {{ id_column }}, ({{ problem }} is null and not {{ is_deleted }})
            order by {{ order_column }} desc nulls last
        ) > 1 then 'rejected:duplicate_id'
        else 'staged'
    end
{%- endmacro %}
