{#- Every landed Opportunity row, typed, with its row status (see macro row_status). -#}
with

source as (

    select
        {{ declared_columns(source('salesforce', 'opportunity'), [
            'Id', 'IsDeleted', 'AccountId', 'Name', 'StageName', 'Amount', 'CloseDate',
            'IsClosed', 'IsWon', 'LeadSource', 'Type', 'OwnerId', 'CreatedDate',
            'LastModifiedDate'
        ], required=['Id', 'CreatedDate']) }}
    from {{ source('salesforce', 'opportunity') }}

),

renamed as (

    select
        ----------  ids
        {{ clean_text('"Id"') }} as sf_opportunity_id,
        {{ clean_text('"AccountId"') }} as sf_account_id,
        {{ clean_text('"OwnerId"') }} as owner_id,

        ----------  strings
        {{ clean_text('"Name"') }} as opportunity_name,
        {{ clean_text('"StageName"') }} as stage_name,
        {{ clean_text('"LeadSource"') }} as lead_source,
        {{ clean_text('"Type"') }} as opportunity_type,

        ----------  numerics
        {{ dbt.safe_cast('"Amount"', 'double') }} as amount,

        ----------  booleans
        coalesce({{ parse_boolean('"IsClosed"') }}, false) as is_closed,
        coalesce({{ parse_boolean('"IsWon"') }}, false) as is_won,
        coalesce({{ parse_boolean('"IsDeleted"') }}, false) as is_deleted,

        ----------  timestamps
        {{ parse_date('"CloseDate"') }} as close_date,
        {{ to_utc_timestamp('"CreatedDate"') }} as created_at,
        {{ to_utc_timestamp('"LastModifiedDate"') }} as last_modified_at,

        ----------  row checks
        {{ landed_row_checks('Id', to_utc_timestamp('"CreatedDate"')) }}

    from source

),

final as (

    select
        *,
        {{ row_status('row_problem', 'is_deleted', 'sf_opportunity_id', 'last_modified_at') }}
            as row_status
    from renamed

)

select * from final
