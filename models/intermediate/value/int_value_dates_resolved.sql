{#- The customer-value dates of this build, never from the wall clock (a rebuild of the same input gives the
    same marts): as_of_date (var value_as_of_date, else the latest order date) and the CLV calibration end
    (var clv_calibration_end, else as_of_date), and the earlier calibration end the CLV trend compares it with
    (clv_trend_offset_days before it). -#}

with

order_lines as (
    select * from {{ ref('stg_raw__order_lines') }}
),

latest as (
    select
        {%- if var('value_as_of_date') %}
            cast('{{ var("value_as_of_date") }}' as date) as as_of_date
        {%- else %}
            max(order_date) as as_of_date
        {%- endif %}
    from order_lines
),

final as (
    select
        as_of_date,
        {%- if var('clv_calibration_end') %}
            cast('{{ var("clv_calibration_end") }}' as date) as calibration_end_date,
            {%- set calibration_end = "cast('" ~ var('clv_calibration_end') ~ "' as date)" %}
            cast({{ dbt.dateadd('day', -var('clv_trend_offset_days'), calibration_end) }} as date)
                as earlier_calibration_end_date,
        {%- else %}
            as_of_date as calibration_end_date,
            cast({{ dbt.dateadd('day', -var('clv_trend_offset_days'), 'as_of_date') }} as date)
                as earlier_calibration_end_date,
        {%- endif %}
        cast({{ dbt.dateadd('day', 1 - var('value_rfm_window_days'), 'as_of_date') }} as date) as rfm_window_start
    from latest
)

select * from final
