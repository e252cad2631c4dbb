{#- The hour of day (0-23) of a UTC timestamp in the business time zone (var business_time_zone).

    Arguments:
      utc_timestamp: expression of a timestamp without zone, in UTC.
-#}
{% macro business_hour(utc_timestamp) -%}
    {{ return(adapter.dispatch('business_hour', 'facetlake')(utc_timestamp)) }}
{%- endmacro %}

{% macro default__business_hour(utc_timestamp) -%}
    hour(at_timezone(with_timezone({{ utc_timestamp }}, 'UTC'), '{{ var("business_time_zone") }}'))
{%- endmacro %}

{% macro duckdb__business_hour(utc_timestamp) -%}
    extract(hour from timezone('{{ var("business_time_zone") }}', timezone('UTC', {{ utc_timestamp }})))
{%- endmacro %}


{#- True when a date falls on a Saturday or Sunday.

    Arguments:
      date_expression: expression of a date.
-#}
{% macro is_weekend(date_expression) -%}
    {{ return(adapter.dispatch('is_weekend', 'facetlake')(date_expression)) }}
{%- endmacro %}

{% macro default__is_weekend(date_expression) -%}
    day_of_week({{ date_expression }}) >= 6
{%- endmacro %}

{% macro duckdb__is_weekend(date_expression) -%}
    isodow({{ date_expression }}) >= 6
{%- endmacro %}
