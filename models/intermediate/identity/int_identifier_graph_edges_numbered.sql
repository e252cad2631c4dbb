{#- One row per directed edge of the identifier graph as numbers, ready for label propagation: both
    directions of every link between two identifiers that are not shared, plus a self-loop per linked node
    (so a node's own label takes part in each round's minimum). Identifiers without links are left out:
    each is its own component. -#}

with

nodes as (
    select * from {{ ref('int_identifier_nodes_numbered') }}
),

links as (
    select * from {{ ref('int_identifier_links_collected') }}
),

numbered_links as (
    select distinct
        left_nodes.node_number as left_node_number,
        right_nodes.node_number as right_node_number
    from links
    inner join nodes as left_nodes on links.left_node_key = left_nodes.node_key
    inner join nodes as right_nodes on links.right_node_key = right_nodes.node_key
),

directed as (
    select
        left_node_number as node_number,
        right_node_number as neighbour_number
    from numbered_links
    union all
    select
        right_node_number as node_number,
        left_node_number as neighbour_number
    from numbered_links
    union all
    select
        left_node_number as node_number,
        left_node_number as neighbour_number
    from numbered_links
    union all
    select
        right_node_number as node_number,
        right_node_number as neighbour_number
    from numbered_links
),

final as (
    select distinct
        node_number,
        neighbour_number
    from directed
)

select * from final
