{#-
    Record owners from every CRM: Salesforce Users (by User id), HubSpot owners (by owner id,
    from a connector's owners table) and owners a HubSpot UI export names without an id (keyed
    `hubspot:<name>`, since that export has no owner id). One row per owner id.

    owner_key is the person behind the ids: a rep is often a Salesforce User and a HubSpot
    owner at once, and gets one call list. Owners with the same email are one person; an owner
    known only by name (the HubSpot UI export) is the one owner with an email who has that
    name, when exactly one has it. The key is a hash (no email in the marts).
-#}
with

sf_users as (

    select * from {{ ref('stg_salesforce__users') }}

),

hubspot_owners as (

    select * from {{ ref('stg_hubspot__owners') }}

),

hubspot_contacts as (

    select * from {{ ref('stg_hubspot__contacts') }}

),

salesforce as (

    select
        sf_user_id as owner_id,
        coalesce(user_name, nullif(trim(concat_ws(' ', first_name, last_name)), ''))
            as owner_name,
        email as owner_email,
        'salesforce' as source_system,
        coalesce(is_active, true) as is_active
    from sf_users

),

hubspot as (

    select
        hubspot_owner_id as owner_id,
        owner_name,
        email as owner_email,
        'hubspot' as source_system,
        true as is_active
    from hubspot_owners

),

hubspot_named as (

    select distinct
        'hubspot:' || owner_name as owner_id,
        owner_name,
        cast(null as {{ dbt.type_string() }}) as owner_email,
        'hubspot' as source_system,
        true as is_active
    from hubspot_contacts
    where hubspot_owner_id is null and owner_name is not null

),

unioned as (

    select * from salesforce
    union all
    select * from hubspot
    union all
    select * from hubspot_named

),

identified as (

    select
        *,
        case when owner_email is not null then 'email:' || lower(trim(owner_email)) end
            as email_identity,
        lower(trim(owner_name)) as name_identity
    from unioned

),

-- names that belong to exactly one emailed person
unique_names as (

    select
        name_identity,
        min(email_identity) as email_identity
    from identified
    where email_identity is not null and name_identity is not null
    group by name_identity
    having count(distinct email_identity) = 1

),

final as (

    select
        identified.owner_id,
        identified.owner_name,
        identified.source_system,
        identified.is_active,
        coalesce(
            {{ dbt.hash(
                "coalesce(identified.email_identity, unique_names.email_identity, "
                ~ "'name:' || identified.name_identity)"
            ) }},
            {{ unlisted_owner_key('identified.owner_id') }}
        ) as owner_key
    from identified
    left join unique_names
        on
            identified.email_identity is null
            and identified.name_identity = unique_names.name_identity

)

select * from final
