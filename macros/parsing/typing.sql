{#- An ISO-8601 text with an offset as a UTC timestamp without zone; null when it cannot be typed. -#}
{% macro try_to_utc_timestamp(expression) -%}
    {{ return(adapter.dispatch('try_to_utc_timestamp', 'facetlake')(expression)) }}
{%- endmacro %}

{% macro duckdb__try_to_utc_timestamp(expression) -%}
    cast(timezone('UTC', try_cast({{ expression }} as timestamptz)) as timestamp)
{%- endmacro %}

{#- Trino: ISO-8601 text to a UTC timestamp(6), null when it cannot be typed; the forms DuckDB's timestamptz
    cast takes: date, `T` or space, seconds required, fraction cut to microseconds, offset Z, +hh, +hhmm or
    +hh:mm (none = UTC, the session zone of both engines), surrounding blanks ignored. Out-of-range fields
    (2026-13-45, 25:61) give null. -#}
{% macro trino__try_to_utc_timestamp(expression) -%}
    {%- set canonical = "'^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,6})?(Z|[+-]\\d{2}:\\d{2})$'" -%}
    {%- set pattern = "'^(\\d{4}-\\d{2}-\\d{2})(?:[T ](\\d{2}:\\d{2}:\\d{2})(?:(\\.\\d{1,6})\\d*)?)?(Z|[+-]\\d{2}(?::?\\d{2})?)?$'" -%}
    {%- set text = "trim(" ~ expression ~ ")" -%}
    cast(
        case
            -- The raw contract's own form, parsed as it is; anything else is first rewritten into it.
            when regexp_like({{ expression }}, {{ canonical }})
                then try(from_iso8601_timestamp_nanos({{ expression }}))
            else try(from_iso8601_timestamp_nanos(
                regexp_extract({{ text }}, {{ pattern }}, 1)
                || 'T' || coalesce(regexp_extract({{ text }}, {{ pattern }}, 2), '00:00:00')
                || coalesce(regexp_extract({{ text }}, {{ pattern }}, 3), '')
                || case
                    when coalesce(regexp_extract({{ text }}, {{ pattern }}, 4), 'Z') = 'Z' then 'Z'
                    when length(regexp_extract({{ text }}, {{ pattern }}, 4)) = 3
                        then regexp_extract({{ text }}, {{ pattern }}, 4) || ':00'
                    when length(regexp_extract({{ text }}, {{ pattern }}, 4)) = 5
                        then substr(regexp_extract({{ text }}, {{ pattern }}, 4), 1, 3) || ':'
                        || substr(regexp_extract({{ text }}, {{ pattern }}, 4), 4)
                    else regexp_extract({{ text }}, {{ pattern }}, 4)
                end
            ))
        end at time zone 'UTC' as timestamp(6)
    )
{%- endmacro %}


{#- Text as a whole number; null for text that is not one ('1.5', 'n/a') or is out of bigint's range
    (>= 2^63), on every engine alike. -#}
{% macro try_to_integer(expression) -%}
    case
        when try_cast({{ expression }} as decimal(38, 6)) = floor(try_cast({{ expression }} as decimal(38, 6)))
            then try_cast(try_cast({{ expression }} as decimal(38, 6)) as bigint)
    end
{%- endmacro %}


{#- Text as a decimal amount (CNY); null when it is not a number. -#}
{% macro try_to_decimal(expression, scale=2) -%}
    try_cast({{ expression }} as decimal(18, {{ scale }}))
{%- endmacro %}
