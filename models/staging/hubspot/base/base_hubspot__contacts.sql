{#- Every landed HubSpot contact row, typed by the HubSpot contract (UTC), with its row status. -#}
{{ config(materialized='table') }}

with

landed as (

    {{ landed_rows('hubspot', 'contacts') }}

),

final as (

    select * from landed

)

select * from final
