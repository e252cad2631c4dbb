{#- The rows a persisted identity model wrote on its previous run (`this`), or on a first build an empty
    relation of the same columns: the `previous` every persisted identity model (int_super_ids_assigned,
    super_id_merges, person_restatements) carries forward.

    Arguments:
      columns: {column name: SQL type} of the model's columns it reads back, in order.
-#}
{% macro previous_state(columns) -%}
    {%- if is_incremental() %}
        select
            {{ columns.keys() | join(',\n            ') }}
        from {{ this }}
    {%- else %}
        select
        {%- for column, type in columns.items() %}
            cast(null as {{ type }}) as {{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
        from (values (1)) as no_previous_run (placeholder)
        where 1 = 0
    {%- endif %}
{%- endmacro %}
