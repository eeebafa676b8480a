{#- Every landed HubSpot company row, typed (portal-local times to UTC), with its row status. -#}
{%- set tz = var('hubspot_portal_timezone') -%}
with

source as (

    select
        {{ declared_columns(source('hubspot', 'companies'), [
            'Record ID', 'Company name', 'Company Domain Name', 'Industry',
            'Number of Employees', 'Annual Revenue', 'Country/Region', 'Create Date',
            'Last Modified Date'
        ], required=['Record ID', 'Create Date']) }}
    from {{ source('hubspot', 'companies') }}

),

renamed as (

    select
        ----------  ids
        {{ clean_text('"Record ID"') }} as hubspot_company_id,

        ----------  strings
        {{ clean_text('"Company name"') }} as company_name,
        {{ normalize_domain('"Company Domain Name"') }} as company_domain,
        {{ clean_text('"Industry"') }} as industry,
        {{ clean_text('"Number of Employees"') }} as employees_range,
        {{ clean_text('"Country/Region"') }} as country,

        ----------  numerics
        {{ dbt.safe_cast('"Annual Revenue"', 'double') }} as annual_revenue,

        ----------  booleans
        false as is_deleted,

        ----------  timestamps (portal-local in the export, UTC here)
        {{ local_to_utc_timestamp('"Create Date"', tz) }} as created_at,
        {{ local_to_utc_timestamp('"Last Modified Date"', tz) }} as last_modified_at,

        ----------  row checks
        {{ landed_row_checks('Record ID', local_to_utc_timestamp('"Create Date"', tz)) }}

    from source

),

final as (

    select
        *,
        {{ row_status('row_problem', 'is_deleted', 'hubspot_company_id', 'last_modified_at') }}
            as row_status
    from renamed

)

select * from final
