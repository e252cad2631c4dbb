{#- Fails for every row whose share column (crowd share, coverage) lies outside [0, 1].

    Arguments:
      model: the relation to check.
      column_name: the share column.
-#}
{% test is_share(model, column_name) %}

select *
from {{ model }}
where {{ column_name }} < 0 or {{ column_name }} > 1

{% endtest %}
