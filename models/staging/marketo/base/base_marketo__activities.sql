{#-
    Every landed Marketo activity row (one log, or the connector's per-type tables unioned),
    typed by the Marketo contract, with its row status.
-#}
{{ config(materialized='table') }}

with

landed as (

    {{ landed_rows('marketo', 'activities') }}

),

final as (

    select * from landed

)

select * from final
