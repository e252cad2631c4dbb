{#- Fails for every link whose two ends carry different component labels: label propagation stopped before
    it converged (raise var identity_label_rounds).

    Arguments:
      model: the labelled nodes (node_key, component_label).
      links: the links relation (left_node_key, right_node_key); links touching a node absent from model
        (a shared identifier) are ignored.
-#}
{% test labels_converged(model, links) %}

with

labels as (
    select * from {{ model }}
),

links as (
    select * from {{ links }}
),

final as (
    select
        links.left_node_key,
        links.right_node_key,
        left_labels.component_label as left_label,
        right_labels.component_label as right_label
    from links
    inner join labels as left_labels on links.left_node_key = left_labels.node_key
    inner join labels as right_labels on links.right_node_key = right_labels.node_key
    where left_labels.component_label <> right_labels.component_label
)

select * from final

{% endtest %}
