{#- Trino variants of the parsing macros (macros/parsing/), written to give the values DuckDB gives. -#}


{#- A JSON object: valid JSON (Trino's parser is strict: no trailing commas, no NaN; DuckDB accepts
    both) whose first character is `{`. -#}
{% macro trino__is_json_object(expression) -%}
    coalesce(starts_with(json_format(try(json_parse({{ expression }}))), '{'), false)
{%- endmacro %}


{#- A top-level field as text, in DuckDB's json_extract_string forms: a string unescaped; true/false;
    an object or array as compact JSON; JSON null as SQL null; a number in its canonical form (101.10 ->
    101.1, 1e3 -> 1000.0, -0 -> 0), except where Java would write it with an exponent (1.2E8), where the
    number's own text is kept (DuckDB writes 123456789.123 or 1e21). -#}
{% macro trino__json_text(expression, field) -%}
    {{ facetlake._trino_json_value_text("json_extract(" ~ expression ~ ", '$." ~ field ~ "')",
                                        "json_extract_scalar(" ~ expression ~ ", '$." ~ field ~ "')") }}
{%- endmacro %}


{#- Several fields at once: the object is parsed once into a map (json_parse and the cast are common
    subexpressions Trino computes once per row). A line whose object repeats a key cannot be a map; its
    fields are then read one by one (the first occurrence wins, as on DuckDB). -#}
{% macro trino__json_text_fields(expression, fields) -%}
    {%- set as_map = "try_cast(json_parse(" ~ expression ~ ") as map(varchar, json))" -%}
    {%- for field, alias in fields %}
        case
            when {{ as_map }} is not null
                then {{ facetlake._trino_json_value_text("element_at(" ~ as_map ~ ", '" ~ field ~ "')",
                                                         "json_extract_scalar(" ~ expression ~ ", '$." ~ field ~ "')") }}
            else {{ trino__json_text(expression, field) }}
        end as {{ alias }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}


{#- Text of one JSON value (see trino__json_text); `scalar_text` is the value's own text for numbers. -#}
{% macro _trino_json_value_text(json_value, scalar_text) -%}
    case
        when starts_with(json_format({{ json_value }}), '"') then cast({{ json_value }} as varchar)
        when json_format({{ json_value }}) = 'null' then null
        when regexp_like(json_format({{ json_value }}), '^-?[0-9.]+E') then {{ scalar_text }}
        else json_format({{ json_value }})
    end
{%- endmacro %}


{#- ISO-8601 text to a UTC timestamp(6), null when it cannot be typed; the forms DuckDB's timestamptz cast
    takes: date, `T` or space, seconds required, fraction cut to microseconds, offset Z, +hh, +hhmm or
    +hh:mm (none = UTC, the session zone of both engines), surrounding blanks ignored. Out-of-range fields
    (2026-13-45, 25:61) give null. -#}
{% macro trino__try_to_utc_timestamp(expression) -%}
    {%- set pattern = "'^(\\d{4}-\\d{2}-\\d{2})(?:[T ](\\d{2}:\\d{2}:\\d{2})(?:(\\.\\d{1,6})\\d*)?)?(Z|[+-]\\d{2}(?::?\\d{2})?)?$'" -%}
    {%- set text = "trim(" ~ expression ~ ")" -%}
    cast(
        try(from_iso8601_timestamp_nanos(
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
        )) at time zone 'UTC' as timestamp(6)
    )
{%- endmacro %}


{#- The business date (var business_time_zone) of a UTC timestamp. -#}
{% macro trino__business_date(utc_timestamp) -%}
    cast(at_timezone(with_timezone({{ utc_timestamp }}, 'UTC'), '{{ var("business_time_zone") }}') as date)
{%- endmacro %}
