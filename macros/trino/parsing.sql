{#- Trino variants of the parsing macros (macros/parsing/), written to give the values DuckDB gives. -#}


{#- A JSON object: valid JSON (Trino's parser is strict: no trailing commas, no NaN; DuckDB accepts
    both) whose first character is `{`. -#}
{% macro trino__is_json_object(expression) -%}
    coalesce(starts_with(json_format(try(json_parse({{ expression }}))), '{'), false)
{%- endmacro %}


{#- A top-level field as text, as DuckDB's json_extract_string gives it: a string unescaped, true/false,
    an object or array as compact JSON, JSON null as SQL null. A number keeps its own text (101.10, 1e3),
    where DuckDB rewrites it (101.1, 1000.0): the same value once cast to a number, which is what the
    models do with numbers; only a number kept as text would differ.
    One partial parse per field (json_extract_scalar stops at the field); a second only for a field that is
    absent, null, an object or an array. -#}
{% macro trino__json_text(expression, field) -%}
    coalesce(
        json_extract_scalar({{ expression }}, '$.{{ field }}'),
        nullif(json_format(json_extract({{ expression }}, '$.{{ field }}')), 'null')
    )
{%- endmacro %}


{#- Several fields: one json_text each. (Parsing the object once into a map costs more on Trino: the
    map is not shared between the select-list entries.) -#}
{% macro trino__json_text_fields(expression, fields) -%}
    {%- for field, alias in fields %}
        {{ trino__json_text(expression, field) }} as {{ alias }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}


{#- ISO-8601 text to a UTC timestamp(6), null when it cannot be typed; the forms DuckDB's timestamptz cast
    takes: date, `T` or space, seconds required, fraction cut to microseconds, offset Z, +hh, +hhmm or
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


{#- The business date (var business_time_zone) of a UTC timestamp; for Asia/Shanghai a fixed +8 hours, as
    on DuckDB (duckdb__business_date): the same dates since 1991, and both engines agree before. -#}
{% macro trino__business_date(utc_timestamp) -%}
    {%- if var("business_time_zone") == 'Asia/Shanghai' -%}
        cast({{ utc_timestamp }} + interval '8' hour as date)
    {%- else -%}
        cast(at_timezone(with_timezone({{ utc_timestamp }}, 'UTC'), '{{ var("business_time_zone") }}') as date)
    {%- endif -%}
{%- endmacro %}
