{#- CTEs labelling connected components by min-label propagation, unrolled `rounds` times.

    Arguments:
      edges: a relation with node_number and neighbour_number (both directions, plus a self-loop per node).
      rounds: how many propagation rounds to unroll; after round r every node holds the smallest node number
        within r links, so `rounds` must reach the longest shortest path in a component.
    Ends with a CTE named component_labels (node_number, component_label). Plain SQL: no recursion, so it
    runs alike on DuckDB and Trino.
-#}
{% macro connected_components(edges, rounds) -%}
    label_round_1 as (
        select
            node_number,
            min(neighbour_number) as component_label
        from {{ edges }}
        group by node_number
    ),
    {%- for round in range(2, rounds + 1) %}

    label_round_{{ round }} as (
        select
            graph_edges.node_number,
            min(previous_round.component_label) as component_label
        from {{ edges }} as graph_edges
        inner join label_round_{{ round - 1 }} as previous_round
            on graph_edges.neighbour_number = previous_round.node_number
        group by graph_edges.node_number
    ),
    {%- endfor %}

    component_labels as (
        select
            node_number,
            component_label
        from label_round_{{ rounds }}
    )
{%- endmacro %}
