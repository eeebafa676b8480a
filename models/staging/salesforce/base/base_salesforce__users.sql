{#- Every landed User row (record owners; optional table), typed, with its row status. -#}
{{ config(materialized='table') }}

with

landed as (

    {{ landed_rows('salesforce', 'user') }}

),

final as (

    select * from landed

)

select * from final
