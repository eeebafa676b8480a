{#- Every landed CampaignMember row, typed, with its row status (see macro row_status). -#}
with

source as (

    select
        {{ declared_columns(source('salesforce', 'campaign_member'), [
            'Id', 'IsDeleted', 'CampaignId', 'LeadId', 'ContactId', 'Status', 'HasResponded',
            'FirstRespondedDate', 'CreatedDate'
        ], required=['Id', 'CampaignId', 'CreatedDate']) }}
    from {{ source('salesforce', 'campaign_member') }}

),

renamed as (

    select
        ----------  ids
        {{ clean_text('"Id"') }} as sf_campaign_member_id,
        {{ clean_text('"CampaignId"') }} as sf_campaign_id,
        {{ clean_text('"LeadId"') }} as sf_lead_id,
        {{ clean_text('"ContactId"') }} as sf_contact_id,

        ----------  strings
        {{ clean_text('"Status"') }} as member_status,

        ----------  booleans
        coalesce({{ parse_boolean('"HasResponded"') }}, false) as has_responded,
        coalesce({{ parse_boolean('"IsDeleted"') }}, false) as is_deleted,

        ----------  timestamps
        {{ parse_date('"FirstRespondedDate"') }} as first_responded_date,
        {{ to_utc_timestamp('"CreatedDate"') }} as created_at,

        ----------  row checks
        {{ landed_row_checks(
            'Id',
            to_utc_timestamp('"CreatedDate"'),
            required=[('CampaignId', 'missing_campaign_id')],
            extra=[(
                clean_text('"LeadId"') ~ ' is null and ' ~ clean_text('"ContactId"') ~ ' is null',
                'missing_member_id',
            )],
        ) }}

    from source

),

final as (

    select
        *,
        {{ row_status('row_problem', 'is_deleted', 'sf_campaign_member_id', 'created_at') }}
            as row_status
    from renamed

)

select * from final
