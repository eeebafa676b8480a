{#- Every landed Marketo activity row, typed, with its row status (see macro row_status). -#}
with

source as (

    select
        {{ declared_columns(source('marketo', 'activities'), [
            'marketoGUID', 'leadId', 'activityDate', 'activityTypeId', 'activityTypeName',
            'primaryAttributeValueId', 'primaryAttributeValue', 'campaignId', 'attributes'
        ], required=['marketoGUID', 'leadId', 'activityDate', 'activityTypeId']) }}
    from {{ source('marketo', 'activities') }}

),

renamed as (

    select
        ----------  ids
        {{ clean_text('"marketoGUID"') }} as marketo_activity_id,
        {{ clean_text('"leadId"') }} as marketo_lead_id,
        {{ clean_text('"campaignId"') }} as marketo_campaign_id,
        {{ clean_text('"primaryAttributeValueId"') }} as primary_attribute_value_id,

        ----------  strings
        {{ clean_text('"activityTypeName"') }} as activity_type_name,
        {{ clean_text('"primaryAttributeValue"') }} as primary_attribute_value,
        {{ clean_text('"attributes"') }} as attributes,
        {{ json_name_value('"attributes"', 'New Status') }} as new_status,

        ----------  numerics
        {{ dbt.safe_cast(dbt.safe_cast('"activityTypeId"', 'double'), 'integer') }}
            as activity_type_id,

        ----------  booleans
        false as is_deleted,

        ----------  timestamps
        {{ to_utc_timestamp('"activityDate"') }} as activity_at,

        ----------  row checks
        {{ row_checks([
            (clean_text('"marketoGUID"') ~ ' is null', 'missing_id'),
            (clean_text('"leadId"') ~ ' is null', 'missing_lead_id'),
            (to_utc_timestamp('"activityDate"') ~ ' is null', 'unparseable_activity_date'),
            (dbt.safe_cast(dbt.safe_cast('"activityTypeId"', 'double'), 'integer') ~ ' is null',
                'invalid_activity_type_id')
        ]) }}

    from source

),

final as (

    select
        *,
        {{ row_status('row_problem', 'is_deleted', 'marketo_activity_id', 'activity_at') }}
            as row_status
    from renamed

)

select * from final
