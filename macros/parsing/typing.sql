{#- An ISO-8601 date-time with an offset (Z, +hh, +hhmm or +hh:mm) as a UTC timestamp without zone; null when
    it cannot be typed, and for a text without offset or without time (`2026-10-01T08:00:00`, `2026-10-01`):
    the raw contract requires the offset, so staging quarantines such a line (`bad_timestamp:<field>`). -#}
{% macro try_to_utc_timestamp(expression) -%}
    {{ return(adapter.dispatch('try_to_utc_timestamp', 'facetlake')(expression)) }}
{%- endmacro %}

{#- DuckDB: the cast alone would also take a text without offset (as UTC) and a date alone: the pattern
    first holds the contract's forms, the same as the Trino variant takes. -#}
{% macro duckdb__try_to_utc_timestamp(expression) -%}
    case
        when regexp_full_match(
            trim({{ expression }}),
            '[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}([.][0-9]+)?(Z|[+-][0-9]{2}(:?[0-9]{2})?)'
        )
            then cast(timezone('UTC', try_cast({{ expression }} as timestamptz)) as timestamp)
    end
{%- endmacro %}

{#- Trino: ISO-8601 text to a UTC timestamp(6), null when it cannot be typed; the forms the DuckDB variant
    takes: date, `T` or space, time with seconds, fraction cut to microseconds, offset Z, +hh, +hhmm or
    +hh:mm required, surrounding blanks ignored. Out-of-range fields (2026-13-45, 25:61) give null. -#}
{% macro trino__try_to_utc_timestamp(expression) -%}
    {%- set canonical = "'^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,6})?(Z|[+-]\\d{2}:\\d{2})$'" -%}
    {%- set pattern = "'^(\\d{4}-\\d{2}-\\d{2})[T ](\\d{2}:\\d{2}:\\d{2})(?:(\\.\\d{1,6})\\d*)?(Z|[+-]\\d{2}(?::?\\d{2})?)$'" -%}
    {%- set text = "trim(" ~ expression ~ ")" -%}
    cast(
        case
            -- The raw contract's own form, parsed as it is; anything else is first rewritten into it.
            when regexp_like({{ expression }}, {{ canonical }})
                then try(from_iso8601_timestamp_nanos({{ expression }}))
            else try(from_iso8601_timestamp_nanos(
                regexp_extract({{ text }}, {{ pattern }}, 1)
                || 'T' || regexp_extract({{ text }}, {{ pattern }}, 2)
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


{#- Text as a decimal amount (CNY); null when it is not a number or out of decimal(18, scale)'s range. Give it
    the number's own text (json_number_text), not a double's. -#}
{% macro try_to_decimal(expression, scale=2) -%}
    try_cast({{ expression }} as decimal(18, {{ scale }}))
{%- endmacro %}
