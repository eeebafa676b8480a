{#-
    Identity resolution ran enough label-propagation rounds: no identity edge joins two
    nodes that ended with different lead_ids. Raise var identity_resolution_rounds if not.
-#}
{{ config(severity='error') }}
with

edges as (

    select * from {{ ref('int_identity_edges') }}

),

identities as (

    select * from {{ ref('int_lead_identities_resolved') }}

),

node_leads as (

    select
        source_system || ':' || source_entity || ':' || source_id as node_key,
        lead_id
    from identities

),

final as (

    select
        edges.from_node,
        edges.to_node,
        from_lead.lead_id as from_lead_id,
        to_lead.lead_id as to_lead_id
    from edges
    inner join node_leads as from_lead
        on edges.from_node = from_lead.node_key
    inner join node_leads as to_lead
        on edges.to_node = to_lead.node_key
    where from_lead.lead_id != to_lead.lead_id

)

select * from final
