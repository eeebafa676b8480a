{#-
    Identity nodes: every person record (SF Lead, SF Contact, HubSpot contact, Marketo lead)
    and every web anonymousId that identified itself (with the email of its first identify).
-#}
with

records as (

    select * from {{ ref('int_person_records_unioned') }}

),

web_events as (

    select * from {{ ref('stg_web__events') }}

),

record_nodes as (

    select
        record_id,
        source_system || ':' || source_entity || ':' || source_id as node_key,
        source_system,
        source_entity,
        source_id,
        email,
        linked_sf_lead_id,
        linked_sf_contact_id,
        created_at
    from records

),

web_identities as (

    select
        anonymous_id,
        {{ first_non_null('traits_email', 'event_at') }} as email,
        min(event_at) as first_identified_at
    from web_events
    where event_type = 'identify'
    group by 1

),

web_nodes as (

    select
        {{ surrogate_key(["'web'", "'events'", 'anonymous_id']) }} as record_id,
        'web:events:' || anonymous_id as node_key,
        'web' as source_system,
        'events' as source_entity,
        anonymous_id as source_id,
        email,
        cast(null as {{ dbt.type_string() }}) as linked_sf_lead_id,
        cast(null as {{ dbt.type_string() }}) as linked_sf_contact_id,
        first_identified_at as created_at
    from web_identities
    where email is not null

),

final as (

    select * from record_nodes
    union all
    select * from web_nodes

)

select * from final
