{#- One row per person record in any system (SF leads and contacts, HubSpot, Marketo). -#}
with

sf_leads as (

    select * from {{ ref('stg_salesforce__leads') }}

),

sf_contacts as (

    select * from {{ ref('stg_salesforce__contacts') }}

),

sf_accounts as (

    select * from {{ ref('stg_salesforce__accounts') }}

),

hubspot_contacts as (

    select * from {{ ref('stg_hubspot__contacts') }}

),

hubspot_companies as (

    select * from {{ ref('stg_hubspot__companies') }}

),

marketo_leads as (

    select * from {{ ref('stg_marketo__leads') }}

),

leads as (

    select
        'salesforce' as source_system,
        'Lead' as source_entity,
        sf_lead_id as source_id,
        2 as source_priority,
        email,
        first_name,
        last_name,
        company_name,
        job_title,
        industry,
        number_of_employees as employees_count,
        cast(null as {{ dbt.type_string() }}) as employees_range,
        country,
        lead_source,
        lead_status,
        cast(null as {{ dbt.type_string() }}) as lifecycle_stage,
        owner_id,
        website_domain as company_domain,
        converted_account_id as sf_account_id,
        cast(null as {{ dbt.type_string() }}) as hubspot_company_id,
        converted_contact_id as linked_sf_contact_id,
        cast(null as {{ dbt.type_string() }}) as linked_sf_lead_id,
        converted_opportunity_id as sf_opportunity_id,
        is_converted,
        annual_revenue,
        created_at,
        last_modified_at,
        custom_fields
    from sf_leads

),

contacts as (

    select
        'salesforce' as source_system,
        'Contact' as source_entity,
        sf_contacts.sf_contact_id as source_id,
        1 as source_priority,
        sf_contacts.email,
        sf_contacts.first_name,
        sf_contacts.last_name,
        sf_accounts.account_name as company_name,
        sf_contacts.job_title,
        cast(null as {{ dbt.type_string() }}) as industry,
        cast(null as integer) as employees_count,
        cast(null as {{ dbt.type_string() }}) as employees_range,
        cast(null as {{ dbt.type_string() }}) as country,
        sf_contacts.lead_source,
        cast(null as {{ dbt.type_string() }}) as lead_status,
        cast(null as {{ dbt.type_string() }}) as lifecycle_stage,
        sf_contacts.owner_id,
        sf_accounts.website_domain as company_domain,
        sf_contacts.sf_account_id,
        cast(null as {{ dbt.type_string() }}) as hubspot_company_id,
        cast(null as {{ dbt.type_string() }}) as linked_sf_contact_id,
        cast(null as {{ dbt.type_string() }}) as linked_sf_lead_id,
        cast(null as {{ dbt.type_string() }}) as sf_opportunity_id,
        false as is_converted,
        cast(null as double) as annual_revenue,
        sf_contacts.created_at,
        sf_contacts.last_modified_at,
        sf_contacts.custom_fields
    from sf_contacts
    left join sf_accounts
        on sf_contacts.sf_account_id = sf_accounts.sf_account_id

),

hubspot as (

    select
        'hubspot' as source_system,
        'contacts' as source_entity,
        hubspot_contacts.hubspot_contact_id as source_id,
        3 as source_priority,
        hubspot_contacts.email,
        hubspot_contacts.first_name,
        hubspot_contacts.last_name,
        coalesce(hubspot_contacts.company_name, hubspot_companies.company_name)
            as company_name,
        hubspot_contacts.job_title,
        cast(null as {{ dbt.type_string() }}) as industry,
        cast(null as integer) as employees_count,
        cast(null as {{ dbt.type_string() }}) as employees_range,
        hubspot_contacts.country,
        hubspot_contacts.original_source
        || coalesce(' / ' || hubspot_contacts.original_source_drill_down_1, '')
            as lead_source,
        hubspot_contacts.lead_status,
        hubspot_contacts.lifecycle_stage,
        -- connectors give the owner id; the UI export only a name (keyed as int_owners does)
        coalesce(
            hubspot_contacts.hubspot_owner_id, 'hubspot:' || hubspot_contacts.owner_name
        ) as owner_id,
        hubspot_companies.company_domain,
        cast(null as {{ dbt.type_string() }}) as sf_account_id,
        hubspot_contacts.hubspot_company_id,
        cast(null as {{ dbt.type_string() }}) as linked_sf_contact_id,
        cast(null as {{ dbt.type_string() }}) as linked_sf_lead_id,
        cast(null as {{ dbt.type_string() }}) as sf_opportunity_id,
        false as is_converted,
        cast(null as double) as annual_revenue,
        hubspot_contacts.created_at,
        hubspot_contacts.last_modified_at,
        hubspot_contacts.custom_fields
    from hubspot_contacts
    left join hubspot_companies
        on hubspot_contacts.hubspot_company_id = hubspot_companies.hubspot_company_id

),

marketo as (

    select
        'marketo' as source_system,
        'leads' as source_entity,
        marketo_lead_id as source_id,
        4 as source_priority,
        email,
        first_name,
        last_name,
        company_name,
        job_title,
        industry,
        {{ dbt.safe_cast(dbt.safe_cast('employees_raw', 'double'), 'integer') }}
            as employees_count,
        case
            when {{ dbt.safe_cast('employees_raw', 'double') }} is null then employees_raw
        end as employees_range,
        country,
        lead_source,
        lead_status,
        cast(null as {{ dbt.type_string() }}) as lifecycle_stage,
        cast(null as {{ dbt.type_string() }}) as owner_id,
        cast(null as {{ dbt.type_string() }}) as company_domain,
        sfdc_account_id as sf_account_id,
        cast(null as {{ dbt.type_string() }}) as hubspot_company_id,
        sfdc_contact_id as linked_sf_contact_id,
        sfdc_lead_id as linked_sf_lead_id,
        cast(null as {{ dbt.type_string() }}) as sf_opportunity_id,
        false as is_converted,
        cast(null as double) as annual_revenue,
        created_at,
        updated_at as last_modified_at,
        custom_fields
    from marketo_leads

),

unioned as (

    select * from leads
    union all
    select * from contacts
    union all
    select * from hubspot
    union all
    select * from marketo

),

final as (

    select
        {{ surrogate_key(['source_system', 'source_entity', 'source_id']) }} as record_id,
        *,
        {{ email_domain('email') }} as email_domain
    from unioned

)

select * from final
