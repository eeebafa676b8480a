{#- Every landed LeadHistory row, typed by the Salesforce contract, with its row status. -#}
{{ config(materialized='table') }}

with

landed as (

    {{ landed_rows('salesforce', 'lead_history') }}

),

final as (

    select * from landed

)

select * from final
