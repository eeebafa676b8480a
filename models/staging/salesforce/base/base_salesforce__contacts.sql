{#- Every landed Contact row, typed, with its row status (see macro row_status). -#}
with

source as (

    select
        {{ declared_columns(source('salesforce', 'contact'), [
            'Id', 'IsDeleted', 'AccountId', 'FirstName', 'LastName', 'Email', 'Title',
            'LeadSource', 'OwnerId', 'CreatedDate', 'LastModifiedDate'
        ], required=['Id', 'CreatedDate']) }}
    from {{ source('salesforce', 'contact') }}

),

renamed as (

    select
        ----------  ids
        {{ clean_text('"Id"') }} as sf_contact_id,
        {{ clean_text('"AccountId"') }} as sf_account_id,
        {{ clean_text('"OwnerId"') }} as owner_id,

        ----------  strings
        {{ clean_text('"FirstName"') }} as first_name,
        {{ clean_text('"LastName"') }} as last_name,
        {{ normalize_email('"Email"') }} as email,
        {{ clean_text('"Title"') }} as job_title,
        {{ clean_text('"LeadSource"') }} as lead_source,

        ----------  booleans
        coalesce({{ parse_boolean('"IsDeleted"') }}, false) as is_deleted,

        ----------  timestamps
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
        {{ row_status('row_problem', 'is_deleted', 'sf_contact_id', 'last_modified_at') }}
            as row_status
    from renamed

)

select * from final
