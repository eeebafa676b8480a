{#-
    The scoring clock: the one instant every score and every matured label is measured from.
    Default: the newest event in the data (the export time), so a replayed export scores the
    same way whenever it is built. Pin it with --vars '{"as_of": "2026-06-30 00:00:00"}'.
-#}
with

activities as (

    select * from {{ ref('fct_lead_activities') }}

),

leads as (

    select * from {{ ref('dim_leads') }}

),

observed as (

    select max(activity_at) as observed_at from activities
    union all
    select max(created_at) as observed_at from leads

),

final as (

    select
        {% if var('as_of', none) -%}
            cast('{{ var("as_of") }}' as timestamp)
        {%- else -%}
            max(observed_at)
        {%- endif %} as as_of
    from observed

)

select * from final
