{#- CLV per product category and its trend: every customer's purchases in a category, summarised at the
    calibration end and clv_trend_offset_days before it (clv_category_customer_summary), scored by clv_scores
    with the one global fit (the same parameters at both ends, so a trend is the customers' behaviour, not a
    refit's noise), and summed per category. A trend is rising (falling) when the
    category's CLV moved up (down) by more than clv_trend_tolerance of the earlier value, else flat; customers
    are counted the same way one by one (new: no purchase in the category by the earlier end). -#}

with

summaries as (
    select * from {{ ref('clv_category_customer_summary') }}
),

dates as (
    select * from {{ ref('int_value_dates_resolved') }}
),

parameters as (
    select * from {{ ref('clv_parameters') }}
),

scored as (
    {{ clv_scores('summaries', 'parameters') | indent(4) }}
),

customer_values as (
    select
        category_l1,
        super_id,
        max(case when calibration = 'earlier' then 1 else 0 end) as was_customer_earlier,
        -- rounded so sums and comparisons come out alike on both engines
        round(max(case when calibration = 'earlier' then clv end), 6) as earlier_clv,
        round(max(case when calibration = 'later' then clv end), 6) as clv
    from scored
    group by category_l1, super_id
),

customer_trends as (
    select
        *,
        case
            when was_customer_earlier = 0 then 'new'
            when clv is null or earlier_clv is null then null
            when clv > earlier_clv * (1.0 + {{ var('clv_trend_tolerance') }}) then 'rising'
            when clv < earlier_clv * (1.0 - {{ var('clv_trend_tolerance') }}) then 'falling'
            else 'flat'
        end as customer_trend
    from customer_values
),

categories as (
    select
        category_l1,
        sum(was_customer_earlier) as earlier_customers,
        count(*) as customers,
        round(sum(earlier_clv), 4) as earlier_clv,
        round(sum(clv), 4) as clv,
        sum(case when customer_trend = 'rising' then 1 else 0 end) as rising_customers,
        sum(case when customer_trend = 'falling' then 1 else 0 end) as falling_customers,
        sum(case when customer_trend = 'flat' then 1 else 0 end) as flat_customers,
        sum(case when customer_trend = 'new' then 1 else 0 end) as new_customers
    from customer_trends
    group by category_l1
),

final as (
    select
        categories.category_l1,
        dates.earlier_calibration_end_date,
        dates.calibration_end_date,
        cast(categories.earlier_customers as bigint) as earlier_customers,
        cast(categories.customers as bigint) as customers,
        categories.earlier_clv,
        categories.clv,
        round(categories.earlier_clv / nullif(categories.earlier_customers, 0), 4) as earlier_clv_per_customer,
        round(categories.clv / categories.customers, 4) as clv_per_customer,
        round(categories.clv / nullif(categories.earlier_clv, 0) - 1.0, 6) as clv_change_share,
        case
            when categories.clv is null then null
            when coalesce(categories.earlier_clv, 0) = 0 then case when categories.clv > 0 then 'rising' else 'flat' end
            when categories.clv > categories.earlier_clv * (1.0 + {{ var('clv_trend_tolerance') }}) then 'rising'
            when categories.clv < categories.earlier_clv * (1.0 - {{ var('clv_trend_tolerance') }}) then 'falling'
            else 'flat'
        end as clv_trend,
        cast(categories.rising_customers as bigint) as rising_customers,
        cast(categories.falling_customers as bigint) as falling_customers,
        cast(categories.flat_customers as bigint) as flat_customers,
        cast(categories.new_customers as bigint) as new_customers
    from categories
    cross join dates
)

select * from final
