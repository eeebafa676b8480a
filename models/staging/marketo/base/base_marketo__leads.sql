{#- Every landed Marketo lead row, typed, with its row status (see macro row_status). -#}
with

source as (

    select
        {{ declared_columns(source('marketo', 'leads'), [
            'id', 'email', 'firstName', 'lastName', 'company', 'title', 'industry',
            'numberOfEmployees', 'country', 'leadSource', 'leadStatus', 'sfdcLeadId',
            'sfdcContactId', 'sfdcAccountId', 'unsubscribed', 'createdAt', 'updatedAt'
        ], required=['id', 'createdAt']) }}
    from {{ source('marketo', 'leads') }}

),

renamed as (

    select
        ----------  ids
        {{ clean_text('"id"') }} as marketo_lead_id,
        {{ clean_text('"sfdcLeadId"') }} as sfdc_lead_id,
        {{ clean_text('"sfdcContactId"') }} as sfdc_contact_id,
        {{ clean_text('"sfdcAccountId"') }} as sfdc_account_id,

        ----------  strings
        {{ normalize_email('"email"') }} as email,
        {{ clean_text('"firstName"') }} as first_name,
        {{ clean_text('"lastName"') }} as last_name,
        {{ clean_text('"company"') }} as company_name,
        {{ clean_text('"title"') }} as job_title,
        {{ clean_text('"industry"') }} as industry,
        {{ clean_text('"numberOfEmployees"') }} as employees_raw,
        {{ clean_text('"country"') }} as country,
        {{ clean_text('"leadSource"') }} as lead_source,
        {{ clean_text('"leadStatus"') }} as lead_status,

        ----------  booleans
        {{ parse_boolean('"unsubscribed"') }} as is_unsubscribed,
        false as is_deleted,

        ----------  timestamps
        {{ to_utc_timestamp('"createdAt"') }} as created_at,
        {{ to_utc_timestamp('"updatedAt"') }} as updated_at,

        ----------  row checks
        {{ is_invalid_email('"email"') }} as has_invalid_email,
        {{ landed_row_checks('id', to_utc_timestamp('"createdAt"'), extra=[
            (dbt.safe_cast('"id"', 'bigint') ~ ' is null', 'invalid_id')
        ]) }}

    from source

),

final as (

    select
        *,
        {{ row_status('row_problem', 'is_deleted', 'marketo_lead_id', 'updated_at') }}
            as row_status
    from renamed

)

select * from final
