{#- The CLV summary per product category: every customer's purchases in a category (its order lines'
    category_l1) summarised by the clv_customer_summary macro at the calibration end and clv_trend_offset_days
    before it, for fct_category_clv_trend to score. A table of its own so that Trino plans the summaries once
    (scoring them in the same query inlines each reference and exceeds Trino's stage limit). -#}

{%- set calibration_end = "(select max(calibration_end_date) from " ~ ref('clv_customer_summary') ~ ")" %}

with

purchases as (
    select * from {{ ref('int_value_order_lines_collected') }}
),

category_purchases as (
    -- a customer of a category is the pair (category, super_id): the key the summary groups by
    select
        {{ dbt.concat(['category_l1', "'|'", 'super_id']) }} as category_customer_id,
        order_date,
        paid_amount
    from purchases
),

later_summary as (
    {{ clv_customer_summary(
        relation='category_purchases',
        customer_column='category_customer_id',
        date_column='order_date',
        amount_column='paid_amount',
        calibration_end=calibration_end,
        time_unit_days=var('clv_time_unit_days')
    ) | indent(4) }}
),

earlier_summary as (
    {{ clv_customer_summary(
        relation='category_purchases',
        customer_column='category_customer_id',
        date_column='order_date',
        amount_column='paid_amount',
        calibration_end="cast(" ~ dbt.dateadd('day', -var('clv_trend_offset_days'), calibration_end) ~ " as date)",
        time_unit_days=var('clv_time_unit_days')
    ) | indent(4) }}
),

summaries as (
    select
        'later' as calibration,
        later_summary.*
    from later_summary
    union all
    select
        'earlier' as calibration,
        earlier_summary.*
    from earlier_summary
),

final as (
    select
        calibration,
        split_part(customer_id, '|', 1) as category_l1,
        split_part(customer_id, '|', 2) as super_id,
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
    from summaries
)

select * from final
