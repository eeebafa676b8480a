{#- Every landed LeadHistory row, typed, with its row status (see macro row_status). -#}
with

source as (

    select
        {{ declared_columns(source('salesforce', 'lead_history'), [
            'Id', 'IsDeleted', 'LeadId', 'Field', 'OldValue', 'NewValue', 'CreatedDate'
        ], required=['Id', 'LeadId', 'CreatedDate']) }}
    from {{ source('salesforce', 'lead_history') }}

),

renamed as (

    select
        ----------  ids
        {{ clean_text('"Id"') }} as sf_lead_history_id,
        {{ clean_text('"LeadId"') }} as sf_lead_id,

        ----------  strings
        {{ clean_text('"Field"') }} as field_name,
        {{ clean_text('"OldValue"') }} as old_value,
        {{ clean_text('"NewValue"') }} as new_value,

        ----------  booleans
        coalesce({{ parse_boolean('"IsDeleted"') }}, false) as is_deleted,

        ----------  timestamps
        {{ to_utc_timestamp('"CreatedDate"') }} as created_at,

        ----------  row checks
        {{ landed_row_checks(
            'Id',
            to_utc_timestamp('"CreatedDate"'),
            required=[('LeadId', 'missing_lead_id')],
        ) }}

    from source

),

final as (

    select
        *,
        {{ row_status('row_problem', 'is_deleted', 'sf_lead_history_id', 'created_at') }}
            as row_status
    from renamed

)

select * from final
