{#-
    Connected components of the identity graph by label propagation: every node takes the
    smallest label among its neighbours, repeated a fixed number of rounds (the graph of one
    person is small; the test assert_identity_graph_converged checks no edge is left split).
    Labels sort emails first, so a person with any email is anchored on the smallest
    normalized email; lead_id = md5(anchor), deterministic across runs.
-#}
{%- set rounds = var('identity_resolution_rounds', 8) -%}
with

nodes as (

    select * from {{ ref('int_identity_nodes') }}

),

edges as (

    select * from {{ ref('int_identity_edges') }}

),

undirected as (

    select
        from_node as node_key,
        to_node as neighbour_key
    from edges
    union
    select
        to_node as node_key,
        from_node as neighbour_key
    from edges

),

all_nodes as (

    select node_key from undirected
    union
    select node_key from nodes

),

neighbourhood as (

    select
        node_key,
        neighbour_key
    from undirected
    union all
    select
        node_key,
        node_key as neighbour_key
    from all_nodes

),

crossref_nodes as (

    select from_node as node_key from edges
    where link_type = 'crossref'
    union
    select to_node as node_key from edges
    where link_type = 'crossref'

),

labels_0 as (

    select
        node_key,
        case
            when node_key like 'email:%' then '0|' || node_key
            else '1|' || node_key
        end as component_label
    from all_nodes

),

{% for i in range(1, rounds + 1) %}
    labels_{{ i }} as (

        select
            neighbourhood.node_key,
            min(previous.component_label) as component_label
        from neighbourhood
        inner join labels_{{ i - 1 }} as previous
            on neighbourhood.neighbour_key = previous.node_key
        group by neighbourhood.node_key

    ),
{% endfor %}

resolved as (

    select
        nodes.record_id,
        nodes.source_system,
        nodes.source_entity,
        nodes.source_id,
        nodes.email,
        nodes.created_at,
        labels.component_label as anchor,
        {{ dbt.hash('labels.component_label') }} as lead_id,
        crossref_nodes.node_key is not null as has_crossref
    from nodes
    inner join labels_{{ rounds }} as labels
        on nodes.node_key = labels.node_key
    left join crossref_nodes
        on nodes.node_key = crossref_nodes.node_key

),

final as (

    select
        record_id,
        lead_id,
        source_system,
        source_entity,
        source_id,
        email,
        created_at,
        anchor,
        case
            when email is not null then 'email'
            when has_crossref then 'crossref'
            else 'single_record'
        end as matched_by
    from resolved

)

select * from final
