{#- Every landed Lead row, typed, with its row status: staged, deleted or rejected (reason). -#}
with

source as (

    select
        {{ declared_columns(source('salesforce', 'lead'), [
            'Id', 'IsDeleted', 'FirstName', 'LastName', 'Email', 'Company', 'Title',
            'Industry', 'NumberOfEmployees', 'AnnualRevenue', 'Country', 'State', 'City',
            'Website', 'LeadSource', 'Status', 'Rating', 'OwnerId', 'IsConverted',
            'ConvertedDate', 'ConvertedAccountId', 'ConvertedContactId',
            'ConvertedOpportunityId', 'HasOptedOutOfEmail', 'CreatedDate', 'LastModifiedDate'
        ], required=['Id', 'CreatedDate']) }}
    from {{ source('salesforce', 'lead') }}

),

renamed as (

    select
        ----------  ids
        {{ clean_text('"Id"') }} as sf_lead_id,
        {{ clean_text('"OwnerId"') }} as owner_id,
        {{ clean_text('"ConvertedAccountId"') }} as converted_account_id,
        {{ clean_text('"ConvertedContactId"') }} as converted_contact_id,
        {{ clean_text('"ConvertedOpportunityId"') }} as converted_opportunity_id,

        ----------  strings
        {{ clean_text('"FirstName"') }} as first_name,
        {{ clean_text('"LastName"') }} as last_name,
        {{ normalize_email('"Email"') }} as email,
        {{ clean_text('"Company"') }} as company_name,
        {{ clean_text('"Title"') }} as job_title,
        {{ clean_text('"Industry"') }} as industry,
        {{ clean_text('"Country"') }} as country,
        {{ clean_text('"State"') }} as state,
        {{ clean_text('"City"') }} as city,
        {{ clean_text('"Website"') }} as website,
        {{ normalize_domain('"Website"') }} as website_domain,
        {{ clean_text('"LeadSource"') }} as lead_source,
        {{ clean_text('"Status"') }} as lead_status,
        {{ clean_text('"Rating"') }} as rating,

        ----------  numerics
        {{ dbt.safe_cast(dbt.safe_cast('"NumberOfEmployees"', 'double'), 'integer') }}
            as number_of_employees,
        {{ dbt.safe_cast('"AnnualRevenue"', 'double') }} as annual_revenue,

        ----------  booleans
        coalesce({{ parse_boolean('"IsConverted"') }}, false) as is_converted,
        {{ parse_boolean('"HasOptedOutOfEmail"') }} as has_opted_out_of_email,
        coalesce({{ parse_boolean('"IsDeleted"') }}, false) as is_deleted,

        ----------  timestamps
        {{ parse_date('"ConvertedDate"') }} as converted_date,
        {{ to_utc_timestamp('"CreatedDate"') }} as created_at,
        {{ to_utc_timestamp('"LastModifiedDate"') }} as last_modified_at,

        ----------  row checks
        {{ is_invalid_email('"Email"') }} as has_invalid_email,
        {{ landed_row_checks('Id', to_utc_timestamp('"CreatedDate"')) }}

    from source

),

final as (

    select
        *,
        {{ row_status('row_problem', 'is_deleted', 'sf_lead_id', 'last_modified_at') }}
            as row_status
    from renamed

)

select * from final
