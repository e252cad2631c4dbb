{#- Path strings built with a window instead of an ordered string aggregate. DuckDB keeps an ordered
    aggregate's rows per group in memory (string_agg(x, d order by y) ran out of memory at 10 GB on 2.3 million
    paths), while a window sorts its input and spills to disk. -#}


{#- The running string aggregate of `measure` over a window partition in order: on each row, the values from
    the partition's first row up to this one, joined by `delimiter_text` (a SQL string literal). Keep each
    partition's last row to get the whole ordered string. `order_by` must be unique within a partition. -#}
{% macro running_listagg(measure, delimiter_text, partition_by, order_by) -%}
    {{ return(adapter.dispatch('running_listagg', 'facetlake')(measure, delimiter_text, partition_by, order_by)) }}
{%- endmacro %}

{% macro default__running_listagg(measure, delimiter_text, partition_by, order_by) -%}
    array_join(
        array_agg({{ measure }}) over (
            partition by {{ partition_by }} order by {{ order_by }} rows between unbounded preceding and current row
        ),
        {{ delimiter_text }}
    )
{%- endmacro %}

{#- DuckDB's window string_agg follows the window's order (it has no array_join). -#}
{% macro duckdb__running_listagg(measure, delimiter_text, partition_by, order_by) -%}
    string_agg({{ measure }}, {{ delimiter_text }}) over (
        partition by {{ partition_by }} order by {{ order_by }} rows between unbounded preceding and current row
    )
{%- endmacro %}
