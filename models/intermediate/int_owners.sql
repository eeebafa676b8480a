{#-
    Record owners from every CRM: Salesforce Users (by User id), HubSpot owners (by owner id,
    from a connector's owners table) and owners a HubSpot UI export names without an id (keyed
    `hubspot:<name>`, since that export has no owner id). One row per owner id.
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
        'salesforce' as source_system,
        coalesce(is_active, true) as is_active
    from sf_users

),

hubspot as (

    select
        hubspot_owner_id as owner_id,
        owner_name,
        'hubspot' as source_system,
        true as is_active
    from hubspot_owners

),

hubspot_named as (

    select distinct
        'hubspot:' || owner_name as owner_id,
        owner_name,
        'hubspot' as source_system,
        true as is_active
    from hubspot_contacts
    where hubspot_owner_id is null and owner_name is not null

),

final as (

    select * from salesforce
    union all
    select * from hubspot
    union all
    select * from hubspot_named

)

select * from final
