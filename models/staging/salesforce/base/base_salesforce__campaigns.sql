{#- Every landed Campaign row, typed, with its row status (see macro row_status). -#}
with

source as (

    select
        {{ declared_columns(source('salesforce', 'campaign'), [
            'Id', 'IsDeleted', 'Name', 'Type', 'Status', 'StartDate', 'EndDate', 'CreatedDate'
        ], required=['Id', 'CreatedDate']) }}
    from {{ source('salesforce', 'campaign') }}

),

renamed as (

    select
        ----------  ids
        {{ clean_text('"Id"') }} as sf_campaign_id,

        ----------  strings
        {{ clean_text('"Name"') }} as campaign_name,
        {{ clean_text('"Type"') }} as campaign_type,
        {{ clean_text('"Status"') }} as campaign_status,

        ----------  booleans
        coalesce({{ parse_boolean('"IsDeleted"') }}, false) as is_deleted,

        ----------  timestamps
        {{ parse_date('"StartDate"') }} as start_date,
        {{ parse_date('"EndDate"') }} as end_date,
        {{ to_utc_timestamp('"CreatedDate"') }} as created_at,

        ----------  row checks
        {{ landed_row_checks('Id', to_utc_timestamp('"CreatedDate"')) }}

    from source

),

final as (

    select
        *,
        {{ row_status('row_problem', 'is_deleted', 'sf_campaign_id', 'created_at') }}
            as row_status
    from renamed

)

select * from final
