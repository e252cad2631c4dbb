{#- One row per identifier that is not shared, with the label of its connected component in the identifier
    graph: the smallest node number it is connected to.

    Connected components by min-label propagation unrolled into var identity_label_rounds rounds (default 12),
    plain SQL on every engine (no recursive CTE): after round r a node holds the smallest number within r
    links. The labels_converged test checks that no link still joins two labels; when it fails (a graph with
    longer chains), raise identity_label_rounds. -#}

with

nodes as (
    select * from {{ ref('int_identifier_nodes_numbered') }}
),

{{ connected_components(ref('int_identifier_graph_edges_numbered'), var('identity_label_rounds')) }},

final as (
    select
        nodes.node_key,
        nodes.id_type,
        nodes.id_value,
        nodes.first_seen_dt,
        nodes.node_number,
        coalesce(component_labels.component_label, nodes.node_number) as component_label
    from nodes
    left join component_labels on nodes.node_number = component_labels.node_number
)

select * from final
