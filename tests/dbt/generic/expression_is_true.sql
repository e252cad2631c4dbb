{#- Generic test: every row satisfies a boolean SQL expression (our own, since no dbt packages here).
    Fails with the rows where the expression is false or null. -#}
{% test expression_is_true(model, expression) %}
    select *
    from {{ model }}
    where not coalesce({{ expression }}, false)
{% endtest %}
