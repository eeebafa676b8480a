{#- Every landed HubSpot company row, typed by the HubSpot contract (UTC), with its row status. -#}
{{ config(materialized='table') }}

with

landed as (

    {{ landed_rows('hubspot', 'companies') }}

),

final as (

    select
        *,
        {{ normalize_domain('company_domain_raw') }} as company_domain
    from landed

)

select * from final
