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


{#- True when a text matches a regular expression (anywhere; anchor with ^ and $). -#}
{% macro regexp_matches_text(expression, pattern) -%}
    {{ return(adapter.dispatch('regexp_matches_text', 'facetlake')(expression, pattern)) }}
{%- endmacro %}

{% macro duckdb__regexp_matches_text(expression, pattern) -%}
    regexp_matches({{ expression }}, '{{ pattern }}')
{%- endmacro %}

{% macro trino__regexp_matches_text(expression, pattern) -%}
    regexp_like({{ expression }}, '{{ pattern }}')
{%- endmacro %}


{#- An identifier (user_pin, device_id, union_id, member_id, ...) as it may leave staging: a value that is
    a whole email address becomes `email_sha256:<hash>`, one that is a whole phone number (digits with
    optional +, spaces, dashes, brackets, that normalize_phone_e164 takes) becomes `phone_sha256:<hash>`,
    the hashes being the contract's phone_sha256 / email_sha256 of that value; a value holding one inside
    (`wx_13800138000`) becomes `sha256:<hash of the whole value>` (not scrubbed: two such identifiers must
    stay apart); any other value is kept.
    The same value gives the same result in every source, so joins between sources still hold. -#}
{% macro pseudonymize_identifier(expression) -%}
    case
        when {{ regexp_matches_text(expression, '^\\s*[^@\\s]+@[^@\\s]+\\.[^@\\s]+\\s*$') }}
            then 'email_sha256:' || {{ email_sha256(expression) }}
        when {{ regexp_matches_text(expression, '^\\s*[+(]?[0-9][0-9 ()+-]{6,}$') }}
            and {{ normalize_phone_e164(expression) }} is not null
            then 'phone_sha256:' || {{ phone_sha256(expression) }}
        when {{ regexp_matches_text(expression, _pii_pattern()) }}
            then 'sha256:' || {{ sha256_hex(expression) }}
        else {{ expression }}
    end
{%- endmacro %}


{#- Free text (a search keyword, a name) with every email replaced by `[email]` and every phone number by
    `[phone]`: a mainland mobile (1[3-9] and 9 more digits, spaces or dashes between, an optional
    +86/0086/86 in front, bracketed or not) and any +<country><digits> number (E.164, 8 to 15 digits). -#}
{% macro scrub_free_text(expression) -%}
    {%- set without_email = regexp_replace_all(expression, _email_pattern(), '[email]') -%}
    {%- set without_mobile = regexp_replace_all(without_email, _mobile_pattern(), '[phone]') -%}
    {{ regexp_replace_all(without_mobile, _e164_pattern(), '[phone]') }}
{%- endmacro %}

{#- Private: the patterns scrub_free_text replaces and pseudonymize_identifier looks for inside a value. -#}
{% macro _email_pattern() %}[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+([.][A-Za-z0-9-]+)+{% endmacro %}
{% macro _mobile_pattern() %}([(]?([+]|00)?86[)]?[ -]*)?1[3-9][0-9]([ -]*[0-9]){8}{% endmacro %}
{% macro _e164_pattern() %}[+][1-9]([ -]*[0-9]){7,14}{% endmacro %}
{#- Inside an identifier, a phone counts only as a digit run of its own (not part of a longer number). -#}
{% macro _pii_pattern() -%}
    {{ _email_pattern() }}|(^|[^0-9])({{ _mobile_pattern() }}|{{ _e164_pattern() }})([^0-9]|$)
{%- endmacro %}
