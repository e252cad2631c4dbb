{#- Trino variants of the personal-data macros (macros/pii/). -#}


{#- Lower-case hex SHA-256 of the UTF-8 bytes, as DuckDB's sha256() gives it. -#}
{% macro trino__sha256_hex(expression) -%}
    lower(to_hex(sha256(to_utf8({{ expression }}))))
{%- endmacro %}


{#- Trino's regexp_replace replaces every match already (Java-style $1 group references in the
    replacement, where DuckDB writes \1). -#}
{% macro trino__regexp_replace_all(expression, pattern, replacement) -%}
    regexp_replace({{ expression }}, '{{ pattern }}', '{{ replacement }}')
{%- endmacro %}
