{#- Every day from a first to a last day (both included) as a select with one date column: a calendar for
    models that keep date intervals (valid_from .. valid_to) rather than a row per day.

    Arguments:
      bounds: a relation or CTE name with one row holding the two days (no rows, or nulls: no days).
      first_day: the column of bounds with the first day.
      last_day: the column of bounds with the last day.
      name: the name of the output column.
-#}
{% macro days_between(bounds, first_day, last_day, name) -%}
    {{ return(adapter.dispatch('days_between', 'facetlake')(bounds, first_day, last_day, name)) }}
{%- endmacro %}

{% macro duckdb__days_between(bounds, first_day, last_day, name) -%}
    select
        cast(unnest(generate_series(
            cast({{ first_day }} as timestamp), cast({{ last_day }} as timestamp), interval 1 day
        )) as date) as {{ name }}
    from {{ bounds }}
{%- endmacro %}

{% macro trino__days_between(bounds, first_day, last_day, name) -%}
    select days.{{ name }}
    from {{ bounds }}
    cross join unnest(sequence({{ first_day }}, {{ last_day }}, interval '1' day)) as days ({{ name }})
{%- endmacro %}
