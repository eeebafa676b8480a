{#-
    The scoring clock: the one instant every score and every matured label is measured from.
    Default: the newest event in the data (the export time), so a replayed export scores the
    same way whenever it is built, but never later than the load time (the build's clock): a
    row dated in the future cannot move it (staging also rejects such dates, see
    policy_landing_bounds). Pin it with --vars '{"as_of": "2026-06-30 00:00:00"}'.
-#}
with

observed as (

    -- candidate "now" instants of the dataset being built (macros/datasets.sql)
    select observed_at from {{ ref(leadscore.dataset_model('clock')) }}

),

final as (

    select
        {% if var('as_of', none) -%}
            max(cast('{{ var("as_of") }}' as timestamp))
        {%- else -%}
            least(
                max(observed_at),
                cast({{ dbt.current_timestamp() }} as {{ dbt.type_timestamp() }})
            )
        {%- endif %} as as_of
    from observed

)

select * from final
