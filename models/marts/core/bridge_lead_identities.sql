with

identities as (

    select * from {{ ref('int_lead_identities_resolved') }}

),

final as (

    select
        record_id as identity_id,
        lead_id,
        source_system,
        source_entity,
        source_id,
        email,
        matched_by,
        created_at as source_created_at
    from identities

)

select * from final
