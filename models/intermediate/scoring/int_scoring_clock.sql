{#-
    The scoring clock: the one instant every score and every matured label is measured from.
    Default: the newest event in the data (the export time), so a replayed export scores the
    same way whenever it is built. Pin it with --vars '{"as_of": "2026-06-30 00:00:00"}'.
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
            max(observed_at)
        {%- endif %} as as_of
    from observed

)

select * from final
