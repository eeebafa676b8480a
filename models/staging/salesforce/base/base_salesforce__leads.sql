{#- Every landed Lead row, typed by the Salesforce contract, with its row status. -#}
{{ config(materialized='table') }}

with

landed as (

    {{ landed_rows('salesforce', 'lead') }}

),

final as (

    select
        *,
        {{ normalize_domain('website') }} as website_domain
    from landed

)

select * from final
