{#- The staged sources whose arrivals decide which days the 4A models rebuild on the daily path, as
    [model, business-date column] pairs (rows_rebuilt): every source of a 4A signal. -#}
{% macro brand_4a_signal_arrivals() -%}
    {{ return([
        ['stg_raw__ad_events', 'event_date'],
        ['stg_raw__message_events', 'event_date'],
        ['stg_raw__app_events', 'event_date'],
        ['stg_raw__order_lines', 'order_date'],
        ['stg_raw__crm_members', business_date('updated_at')],
    ]) }}
{%- endmacro %}
