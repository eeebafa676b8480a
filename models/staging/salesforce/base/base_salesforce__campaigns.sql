{#- Every landed Campaign row, typed by the Salesforce contract, with its row status. -#}
{{ config(materialized='table') }}

with

landed as (

    {{ landed_rows('salesforce', 'campaign') }}

),

final as (

    select * from landed

)

select * from final
