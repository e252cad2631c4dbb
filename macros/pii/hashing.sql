{#- Lower-case hex SHA-256 of a text value (UTF-8). -#}
{% macro sha256_hex(expression) -%}
    {{ return(adapter.dispatch('sha256_hex', 'facetlake')(expression)) }}
{%- endmacro %}

{% macro duckdb__sha256_hex(expression) -%}
    sha256({{ expression }})
{%- endmacro %}

{#- Trino: lower-case hex of the UTF-8 bytes' digest, as DuckDB's sha256() gives it. -#}
{% macro trino__sha256_hex(expression) -%}
    lower(to_hex(sha256(to_utf8({{ expression }}))))
{%- endmacro %}


{#- Replace every match of a regular expression. -#}
{% macro regexp_replace_all(expression, pattern, replacement) -%}
    {{ return(adapter.dispatch('regexp_replace_all', 'facetlake')(expression, pattern, replacement)) }}
{%- endmacro %}

{% macro duckdb__regexp_replace_all(expression, pattern, replacement) -%}
    regexp_replace({{ expression }}, '{{ pattern }}', '{{ replacement }}', 'g')
{%- endmacro %}

{#- Trino: regexp_replace replaces every match already (Java-style $1 group references in the
    replacement, where DuckDB writes \1). -#}
{% macro trino__regexp_replace_all(expression, pattern, replacement) -%}
    regexp_replace({{ expression }}, '{{ pattern }}', '{{ replacement }}')
{%- endmacro %}


{#- A phone as E.164 (+8613800138000): mainland numbers typed with or without 86/+86/0086, spaces,
    dashes or brackets; other numbers written with a leading + keep their country code. Null when the
    text holds no usable number. -#}
{% macro normalize_phone_e164(expression) -%}
    {%- set digits = regexp_replace_all(expression, '[^0-9]', '') -%}
    case
        when length({{ digits }}) = 11 and {{ digits }} like '1%' then '+86' || {{ digits }}
        when length({{ digits }}) = 13 and {{ digits }} like '861%' then '+' || {{ digits }}
        when length({{ digits }}) = 15 and {{ digits }} like '00861%' then '+' || substr({{ digits }}, 3)
        when trim({{ expression }}) like '+%' and length({{ digits }}) between 8 and 15 then '+' || {{ digits }}
    end
{%- endmacro %}


{#- SHA-256 of a phone normalised to E.164 (the raw contract's phone_sha256). -#}
{% macro phone_sha256(expression) -%}
    {{ sha256_hex(normalize_phone_e164(expression)) }}
{%- endmacro %}


{#- SHA-256 of an email trimmed and lower-cased; null for text without an @. -#}
{% macro email_sha256(expression) -%}
    case when {{ expression }} like '%@%' then {{ sha256_hex('lower(trim(' ~ expression ~ '))') }} end
{%- endmacro %}
