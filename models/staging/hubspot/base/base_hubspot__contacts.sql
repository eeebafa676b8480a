{#- Every landed HubSpot contact row, typed (portal-local times to UTC), with its row status. -#}
{%- set tz = var('hubspot_portal_timezone') -%}
with

source as (

    select
        {{ declared_columns(source('hubspot', 'contacts'), [
            'Record ID', 'First Name', 'Last Name', 'Email', 'Job Title', 'Phone Number',
            'Company Name', 'Associated Company ID', 'Country/Region', 'Lifecycle Stage',
            'Lead Status', 'Original Source', 'Original Source Drill-Down 1', 'Contact owner',
            'Marketing emails opened', 'Marketing emails clicked', 'Number of Pageviews',
            'Create Date', 'Last Modified Date', 'Became a Marketing Qualified Lead Date',
            'Became a Sales Qualified Lead Date', 'Became an Opportunity Date',
            'Became a Customer Date'
        ], required=['Record ID', 'Create Date']) }}
    from {{ source('hubspot', 'contacts') }}

),

renamed as (

    select
        ----------  ids
        {{ clean_text('"Record ID"') }} as hubspot_contact_id,
        {{ clean_text('"Associated Company ID"') }} as hubspot_company_id,
        {{ clean_text('"Contact owner"') }} as owner_name,

        ----------  strings
        {{ clean_text('"First Name"') }} as first_name,
        {{ clean_text('"Last Name"') }} as last_name,
        {{ normalize_email('"Email"') }} as email,
        {{ clean_text('"Job Title"') }} as job_title,
        {{ clean_text('"Phone Number"') }} as phone_number,
        {{ clean_text('"Company Name"') }} as company_name,
        {{ clean_text('"Country/Region"') }} as country,
        {{ clean_text('"Lifecycle Stage"') }} as lifecycle_stage,
        {{ clean_text('"Lead Status"') }} as lead_status,
        {{ clean_text('"Original Source"') }} as original_source,
        {{ clean_text('"Original Source Drill-Down 1"') }} as original_source_drill_down_1,

        ----------  numerics (lifetime counters as of the export: post-contact, never features)
        {{ dbt.safe_cast(dbt.safe_cast('"Marketing emails opened"', 'double'), 'integer') }}
            as lifetime_emails_opened,
        {{ dbt.safe_cast(dbt.safe_cast('"Marketing emails clicked"', 'double'), 'integer') }}
            as lifetime_emails_clicked,
        {{ dbt.safe_cast(dbt.safe_cast('"Number of Pageviews"', 'double'), 'integer') }}
            as lifetime_pageviews,

        ----------  booleans
        false as is_deleted,

        ----------  timestamps (portal-local in the export, UTC here)
        {{ local_to_utc_timestamp('"Create Date"', tz) }} as created_at,
        {{ local_to_utc_timestamp('"Last Modified Date"', tz) }} as last_modified_at,
        {{ local_to_utc_timestamp('"Became a Marketing Qualified Lead Date"', tz) }}
            as became_mql_at,
        {{ local_to_utc_timestamp('"Became a Sales Qualified Lead Date"', tz) }}
            as became_sql_at,
        {{ local_to_utc_timestamp('"Became an Opportunity Date"', tz) }}
            as became_opportunity_at,
        {{ local_to_utc_timestamp('"Became a Customer Date"', tz) }} as became_customer_at,

        ----------  row checks
        {{ is_invalid_email('"Email"') }} as has_invalid_email,
        {{ landed_row_checks('Record ID', local_to_utc_timestamp('"Create Date"', tz)) }}

    from source

),

final as (

    select
        *,
        {{ row_status('row_problem', 'is_deleted', 'hubspot_contact_id', 'last_modified_at') }}
            as row_status
    from renamed

)

select * from final
