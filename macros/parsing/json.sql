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


{#- True when a top-level field is a JSON string (not a number, boolean, object, array or null). -#}
{% macro json_field_is_string(expression, field) -%}
    {{ return(adapter.dispatch('json_field_is_string', 'facetlake')(expression, field)) }}
{%- endmacro %}

{% macro duckdb__json_field_is_string(expression, field) -%}
    coalesce(json_type({{ expression }}, '$.{{ field }}') = 'VARCHAR', false)
{%- endmacro %}

{#- Trino: a string is the only JSON value whose compact form starts with a quote. -#}
{% macro trino__json_field_is_string(expression, field) -%}
    coalesce(starts_with(json_format(json_extract({{ expression }}, '$.{{ field }}')), '"'), false)
{%- endmacro %}


{#- Rejection branches (`when ... then 'bad_value:<field>'`) for identifier fields that hold a JSON boolean,
    object or array: an identifier is a JSON string or a JSON number (taken as its text).

    Arguments:
      expression: the JSON object's text (null for lines that are not JSON objects).
      fields: a list of [field, text] pairs, text the field's column from json_text / json_text_fields.
    Cheap on both engines: the field's text already tells a string or number apart from the rest, except
    for the text `true`/`false` and a text starting with `{`/`[`, where one more look at the field's JSON
    type decides (a string "true" is an identifier, the boolean true is not). -#}
{% macro reject_non_identifier_json(expression, fields) -%}
    {%- for field, text in fields %}
            when ({{ text }} in ('true', 'false') or substr({{ text }}, 1, 1) in ('{', '['))
                and not {{ json_field_is_string(expression, field) }}
                then 'bad_value:{{ field }}'
    {%- endfor %}
{%- endmacro %}


{#- A top-level number field's own text, for exact decimals; other values (a string, absent) as `text`.

    Arguments:
      expression: the JSON object's text; field: the field name; text: its column from json_text(_fields).
    DuckDB reads JSON numbers as doubles, so its text of 9999999999999999.99 is 10000000000000000.0. -#}
{% macro json_number_text(expression, field, text) -%}
    {{ return(adapter.dispatch('json_number_text', 'facetlake')(expression, field, text)) }}
{%- endmacro %}

{#- DuckDB: the literal after the field's first `"field":` in the line, kept only when it is the same
    double as the parsed value (so a same-named key nested earlier, or a duplicate key, cannot substitute
    another number); else the parsed text. -#}
{% macro duckdb__json_number_text(expression, field, text) -%}
    {%- set literal = "regexp_extract(" ~ expression ~ ", '\"" ~ field ~ "\"\\s*:\\s*(-?[0-9][0-9.eE+-]*)', 1)" -%}
    case
        when try_cast({{ literal }} as double) = try_cast({{ text }} as double) then {{ literal }}
        else {{ text }}
    end
{%- endmacro %}

{#- Trino: json_extract_scalar keeps a number's own text already. -#}
{% macro trino__json_number_text(expression, field, text) -%}
    {{ text }}
{%- endmacro %}
