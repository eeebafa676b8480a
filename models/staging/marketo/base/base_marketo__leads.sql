{#- Every landed Marketo lead row, typed by the Marketo contract, with its row status. -#}
{{ config(materialized='table') }}

with

landed as (

    {{ landed_rows('marketo', 'leads') }}

),

final as (

    select * from landed

)

select * from final
