{#- The summary the CLV fit (facetlake.value.fit) reads and the scoring marts score: built by the
    clv_customer_summary macro (the same SQL the CDNOW test runs) over every purchased order line up to the
    calibration end (var clv_calibration_end, else the as-of date), in units of var clv_time_unit_days. -#}

with

purchases as (
    select * from {{ ref('int_value_order_lines_collected') }}
),

dates as (
    select * from {{ ref('int_value_dates_resolved') }}
),

calibration_purchases as (
    select
        purchases.super_id,
        purchases.order_date,
        purchases.paid_amount
    from purchases
    cross join dates
    where purchases.order_date <= dates.calibration_end_date
),

summary as (
    {{ clv_customer_summary(
        relation='calibration_purchases',
        customer_column='super_id',
        date_column='order_date',
        amount_column='paid_amount',
        calibration_end="(select calibration_end_date from " ~ ref('int_value_dates_resolved') ~ ")",
        time_unit_days=var('clv_time_unit_days')
    ) | indent(4) }}
),

final as (
    select
        customer_id as super_id,
        first_purchase_date,
        last_purchase_date,
        calibration_end_date,
        time_unit_days,
        purchase_days,
        frequency,
        recency,
        customer_age,
        monetary_value,
        total_amount
    from summary
)

select * from final
