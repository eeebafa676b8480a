{#-
    The main product interest rule, one place: among a lead's product-line signals
    (int_lead_product_signals), the line with the most signals, ties to the latest signal, then
    by name. dim_leads applies it to every signal (the lead's product_line today);
    int_lead_features_point_in_time to the signals dated before each cutoff (the feature).
    Rank 1 is the main interest; use it in a query grouped by the partition and product line.
-#}
{% macro product_interest_rank(partition_by, alias=none) -%}
    {%- set p = alias ~ '.' if alias else '' -%}
    row_number() over (
        partition by {{ partition_by }}
        order by count(*) desc, max({{ p }}signal_at) desc, {{ p }}product_line asc
    )
{%- endmacro %}
