{#- Every landed Account row, typed, with its row status (see macro row_status). -#}
with

source as (

    select
        {{ declared_columns(source('salesforce', 'account'), [
            'Id', 'IsDeleted', 'Name', 'Website', 'Industry', 'NumberOfEmployees',
            'AnnualRevenue', 'BillingCountry', 'BillingState', 'Type', 'OwnerId',
            'CreatedDate', 'LastModifiedDate'
        ], required=['Id', 'CreatedDate']) }}
    from {{ source('salesforce', 'account') }}

),

renamed as (

    select
        ----------  ids
        {{ clean_text('"Id"') }} as sf_account_id,
        {{ clean_text('"OwnerId"') }} as owner_id,

        ----------  strings
        {{ clean_text('"Name"') }} as account_name,
        {{ clean_text('"Website"') }} as website,
        {{ normalize_domain('"Website"') }} as website_domain,
        {{ clean_text('"Industry"') }} as industry,
        {{ clean_text('"BillingCountry"') }} as billing_country,
        {{ clean_text('"BillingState"') }} as billing_state,
        {{ clean_text('"Type"') }} as account_type,

        ----------  numerics
        {{ dbt.safe_cast(dbt.safe_cast('"NumberOfEmployees"', 'double'), 'integer') }}
            as number_of_employees,
        {{ dbt.safe_cast('"AnnualRevenue"', 'double') }} as annual_revenue,

        ----------  booleans
        coalesce({{ parse_boolean('"IsDeleted"') }}, false) as is_deleted,

        ----------  timestamps
        {{ to_utc_timestamp('"CreatedDate"') }} as created_at,
        {{ to_utc_timestamp('"LastModifiedDate"') }} as last_modified_at,

        ----------  row checks
        {{ landed_row_checks('Id', to_utc_timestamp('"CreatedDate"')) }}

    from source

),

final as (

    select
        *,
        {{ row_status('row_problem', 'is_deleted', 'sf_account_id', 'last_modified_at') }}
            as row_status
    from renamed

)

select * from final
