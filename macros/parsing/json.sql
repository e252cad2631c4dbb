{#- True when a text value is a JSON object (not broken JSON, not an array or a scalar). -#}
{% macro is_json_object(expression) -%}
    {{ return(adapter.dispatch('is_json_object', 'facetlake')(expression)) }}
{%- endmacro %}

{% macro duckdb__is_json_object(expression) -%}
    {#- json_type raises on broken JSON and DuckDB does not short-circuit AND: guard inside. -#}
    coalesce(json_type(case when json_valid({{ expression }}) then {{ expression }} end) = 'OBJECT', false)
{%- endmacro %}


{#- A top-level field of a JSON object as text (numbers as their text, JSON null as SQL null).
    The argument must already be null for lines that are not JSON objects. -#}
{% macro json_text(expression, field) -%}
    {{ return(adapter.dispatch('json_text', 'facetlake')(expression, field)) }}
{%- endmacro %}

{% macro duckdb__json_text(expression, field) -%}
    json_extract_string({{ expression }}, '$.{{ field }}')
{%- endmacro %}
