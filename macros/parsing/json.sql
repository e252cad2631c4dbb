{#- True when a text value is a JSON object (not broken JSON, not an array or a scalar). -#}
{% macro is_json_object(expression) -%}
    {{ return(adapter.dispatch('is_json_object', 'facetlake')(expression)) }}
{%- endmacro %}

{% macro duckdb__is_json_object(expression) -%}
    {#- json_type raises on broken JSON and DuckDB does not short-circuit AND: guard inside. -#}
    coalesce(json_type(case when json_valid({{ expression }}) then {{ expression }} end) = 'OBJECT', false)
{%- endmacro %}

{#- Trino: a JSON object: valid JSON (Trino's parser is strict: no trailing commas, no NaN; DuckDB accepts
    both) whose first character is `{`. -#}
{% macro trino__is_json_object(expression) -%}
    coalesce(starts_with(json_format(try(json_parse({{ expression }}))), '{'), false)
{%- endmacro %}


{#- A top-level field of a JSON object as text (numbers as their text, JSON null as SQL null).
    The argument must already be null for lines that are not JSON objects. -#}
{% macro json_text(expression, field) -%}
    {{ return(adapter.dispatch('json_text', 'facetlake')(expression, field)) }}
{%- endmacro %}

{% macro duckdb__json_text(expression, field) -%}
    json_extract_string({{ expression }}, '$.{{ field }}')
{%- endmacro %}

{#- Trino: a top-level field as text, as DuckDB's json_extract_string gives it: a string unescaped,
    true/false, an object or array as compact JSON, JSON null as SQL null. A number keeps its own text
    (101.10, 1e3), where DuckDB rewrites it (101.1, 1000.0): the same value once cast to a number, which is
    what the models do with numbers; only a number kept as text would differ.
    One partial parse per field (json_extract_scalar stops at the field); a second only for a field that is
    absent, null, an object or an array. -#}
{% macro trino__json_text(expression, field) -%}
    coalesce(
        json_extract_scalar({{ expression }}, '$.{{ field }}'),
        nullif(json_format(json_extract({{ expression }}, '$.{{ field }}')), 'null')
    )
{%- endmacro %}


{#- Several top-level fields of a JSON object as text, one select-list entry each.

    Arguments:
      expression: the JSON text (null for lines that are not JSON objects).
      fields: a list of [field, alias] pairs.
    DuckDB parses the object once for all fields (the identical list extraction is computed once);
    other engines take one json_text per field (on Trino, parsing the object once into a map costs more:
    the map is not shared between the select-list entries). -#}
{% macro json_text_fields(expression, fields) -%}
    {{ return(adapter.dispatch('json_text_fields', 'facetlake')(expression, fields)) }}
{%- endmacro %}

{#- Portable: one json_text per field. -#}
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
