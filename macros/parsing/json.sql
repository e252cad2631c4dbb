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


{#- Several top-level fields of a JSON object as text, one select-list entry each.

    Arguments:
      expression: the JSON text (null for lines that are not JSON objects).
      fields: a list of [field, alias] pairs.
    DuckDB parses the object once for all fields (the identical list extraction is computed once);
    other engines take one json_text per field. -#}
{% macro json_text_fields(expression, fields) -%}
    {{ return(adapter.dispatch('json_text_fields', 'facetlake')(expression, fields)) }}
{%- endmacro %}

{% macro default__json_text_fields(expression, fields) -%}
    {%- for field, alias in fields %}
        {{ json_text(expression, field) }} as {{ alias }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{% macro duckdb__json_text_fields(expression, fields) -%}
    {%- set paths = [] -%}
    {%- for field, alias in fields %}{% do paths.append("'$." ~ field ~ "'") %}{% endfor -%}
    {%- for field, alias in fields %}
        json_extract_string({{ expression }}, [{{ paths | join(', ') }}])[{{ loop.index }}] as {{ alias }}
        {{- ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}
