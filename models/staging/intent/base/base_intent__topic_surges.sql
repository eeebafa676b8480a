{#- Every landed intent surge row, typed by the intent contract, with its row status. -#}
{{ config(materialized='table') }}

with

landed as (

    {{ landed_rows('intent', 'topic_surges') }}

),

final as (

    select
        {{ surrogate_key(['domain', 'lower(topic_name)', 'week_start_date']) }}
            as topic_surge_id,
        *
    from landed

)

select * from final
