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
        case
            when {{ clean_text('"Id"') }} is null then 'missing_id'
            when {{ clean_text('"LeadId"') }} is null then 'missing_lead_id'
            when {{ to_utc_timestamp('"CreatedDate"') }} is null
                then 'unparseable_created_date'
        end as row_problem,
        row_number() over () as landed_row_number,
        {{ row_to_json('source') }} as raw_record

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
