{#- Every landed HubSpot owner row (optional table), typed, with its row status. -#}
{{ config(materialized='table') }}

with

landed as (

    {{ landed_rows('hubspot', 'owners') }}

),

final as (

    select
        *,
        nullif(trim(concat_ws(' ', first_name, last_name)), '') as owner_name
    from landed

)

select * from final
