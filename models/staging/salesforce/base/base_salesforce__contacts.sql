{#- Every landed Contact row, typed by the Salesforce contract, with its row status. -#}
{{ config(materialized='table') }}

with

landed as (

    {{ landed_rows('salesforce', 'contact') }}

),

final as (

    select * from landed

)

select * from final
