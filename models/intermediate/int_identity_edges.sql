{#-
    Links between identity nodes. A node is a source record (system, entity, id) or a
    normalized email. Links, in order of trust:
      email      every record to its normalized email (web: anonymousId to the email of its
                 first identify event)
      crossref   Marketo sfdcLeadId / sfdcContactId and converted Lead -> Contact, only when
                 both ends have no conflicting emails (stale cross-references are ignored)
-#}
with

nodes as (

    select * from {{ ref('int_identity_nodes') }}

),

email_edges as (

    select
        node_key as from_node,
        'email:' || email as to_node,
        'email' as link_type
    from nodes
    where email is not null

),

crossref_candidates as (

    select
        referrer.node_key as from_node,
        referenced.node_key as to_node,
        referrer.email as from_email,
        referenced.email as to_email
    from nodes as referrer
    inner join nodes as referenced
        on
            referenced.source_system = 'salesforce'
            and referenced.source_entity = 'Lead'
            and referrer.linked_sf_lead_id = referenced.source_id
    union all
    select
        referrer.node_key as from_node,
        referenced.node_key as to_node,
        referrer.email as from_email,
        referenced.email as to_email
    from nodes as referrer
    inner join nodes as referenced
        on
            referenced.source_system = 'salesforce'
            and referenced.source_entity = 'Contact'
            and referrer.linked_sf_contact_id = referenced.source_id

),

crossref_edges as (

    select
        from_node,
        to_node,
        'crossref' as link_type
    from crossref_candidates
    where from_email is null or to_email is null or from_email = to_email

),

unioned as (

    select * from email_edges
    union
    select * from crossref_edges

),

final as (

    select
        {{ surrogate_key(['from_node', 'to_node', 'link_type']) }} as identity_edge_id,
        from_node,
        to_node,
        link_type
    from unioned

)

select * from final
