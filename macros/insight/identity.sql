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


{#- The account system an identifier belongs to, or null when it is not an account: the retail account
    (user_pin), the social login (union_id), or one brand's membership programme (member_id, 'brand:member').
    An identifier linked to more than K accounts of one system is shared (int_shared_identifiers_detected).

    Arguments:
      id_type: expression holding the identifier kind.
      id_value: expression holding the identifier value.
-#}
{% macro account_system(id_type, id_value) -%}
    case
        when {{ id_type }} = 'user_pin' then 'retail_account'
        when {{ id_type }} = 'union_id' then 'social_login'
        when {{ id_type }} = 'member_id'
            then 'membership:' || substr({{ id_value }}, 1, {{ dbt.position("':'", id_value) }} - 1)
    end
{%- endmacro %}


{#- A stable, opaque super_id named after a component's origin identifier (its earliest registered one):
    'sid_' and 16 hex digits of the MD5 of the origin's node key (dbt.hash runs on every engine).

    Arguments:
      node_key: expression holding the origin identifier's node key ('<id_type>:<id_value>').
-#}
{% macro super_id_of(node_key) -%}
    'sid_' || substr({{ dbt.hash(node_key) }}, 1, 16)
{%- endmacro %}
