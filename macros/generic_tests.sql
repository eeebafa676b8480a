{#- Primary key over several columns: no combination appears twice. -#}
{% test unique_combination_of_columns(model, combination_of_columns) -%}
with

grouped as (

    select
        {{ combination_of_columns | join(', ') }},
        count(*) as occurrences
    from {{ model }}
    group by {{ combination_of_columns | join(', ') }}
    having count(*) > 1

)

select * from grouped
{%- endtest %}


{#- Governance check as a model: the model must have no rows. -#}
{% test is_empty(model) -%}
select * from {{ model }}
{%- endtest %}


{#-
    Gate on a base staging model: the share of landed rows routed to rejected rows is above
    the policy threshold (policy_quality_thresholds, check rejected_row_share). Staging models
    depend on that seed too, so an error here skips the staged model and all downstream.
-#}
{% test rejected_share_below_policy(model, threshold_column='error_above') -%}
with

shares as (

    select
        count(*) as landed_rows,
        count(*) filter (where row_status like 'rejected:%') as rejected_rows,
        min(case when row_status like 'rejected:%' then row_status end) as example_reason
    from {{ model }}

),

measured as (

    select
        *,
        cast(rejected_rows as double) / nullif(landed_rows, 0) as rejected_share,
        {{ quality_threshold('rejected_row_share', threshold_column) }} as threshold
    from shares

),

final as (

    -- no threshold in force is a failure too, not a silent pass
    select * from measured
    where threshold is null or rejected_share > threshold

)

select * from final
{%- endtest %}


{#- Numeric column within [min_value, max_value] (nulls allowed; test not_null separately). -#}
{% test value_between(model, column_name, min_value, max_value) -%}
select {{ column_name }}
from {{ model }}
where {{ column_name }} < {{ min_value }} or {{ column_name }} > {{ max_value }}
{%- endtest %}


{#- Text column matching a regular expression (nulls allowed; test not_null separately). -#}
{% test value_matches(model, column_name, pattern) -%}
select {{ column_name }}
from {{ model }}
where
    {{ column_name }} is not null
    and not {{ regex_matches(column_name, "'" ~ pattern ~ "'") }}
{%- endtest %}
