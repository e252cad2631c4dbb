{#- A model's primary key over several columns: fails for every key that more than one row carries.

    Nulls compare equal here (a null part of a key is a value of it), so a row with a null key part is
    checked too; a concatenated key (`a || '#' || b`) would be null and pass unchecked, and it costs a cast
    and a string per row.

    Arguments:
      model: the relation to check.
      columns: the key's columns.
-#}
{% test unique_columns(model, columns) %}

select
    {{ columns | join(', ') }},
    count(*) as rows_with_the_key
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1

{% endtest %}
