{#- One row per month end (as_of_date: each month's last day with orders, the build's as-of date for the
    latest month), scope (brand_id, or 'all' over every brand) and customer with a purchase in the
    value_rfm_window_days window ending then: recency, frequency (orders), monetary (spend), their scores and
    the named segment. A score is 1 + floor(bins x the share of the scope's customers strictly worse), capped
    at bins: ties share a score, so the scores are deterministic (pandas: rank(method='min') - 1). Segments
    read the recency and frequency quintiles through the rfm_segments seed. -#}

with

purchases as (
    select * from {{ ref('int_value_order_lines_collected') }}
),

dates as (
    select * from {{ ref('int_value_dates_resolved') }}
),

segments as (
    select * from {{ ref('rfm_segments') }}
),

month_ends as (
    {{ value_month_ends('purchases', 'dates') | indent(4) }}
),

month_windows as (
    select
        as_of_date,
        cast(
            {{ dbt.dateadd('day', - var('value_rfm_window_days'), 'as_of_date') }} as date
        ) as window_start
    from month_ends
),

orders as (
    select
        super_id,
        'all' as brand_id,
        order_id,
        order_date,
        sum(paid_amount) as order_amount
    from purchases
    group by super_id, order_id, order_date
    union all
    select
        super_id,
        brand_id,
        order_id,
        order_date,
        sum(paid_amount) as order_amount
    from purchases
    group by super_id, brand_id, order_id, order_date
),

windowed as (
    select
        month_windows.as_of_date,
        orders.brand_id,
        orders.super_id,
        max(orders.order_date) as last_order_date,
        count(distinct orders.order_id) as frequency,
        sum(orders.order_amount) as monetary
    from month_windows
    inner join orders
        on
            month_windows.as_of_date >= orders.order_date
            and month_windows.window_start < orders.order_date
    group by month_windows.as_of_date, orders.brand_id, orders.super_id
),

ranked as (
    select
        *,
        {{ dbt.datediff('last_order_date', 'as_of_date', 'day') }}
            as recency_days,
        count(*) over (partition by as_of_date, brand_id) as scope_customers,
        rank() over (partition by as_of_date, brand_id order by last_order_date) - 1 as customers_less_recent,
        rank() over (partition by as_of_date, brand_id order by frequency) - 1 as customers_less_frequent,
        rank() over (partition by as_of_date, brand_id order by monetary) - 1 as customers_spending_less
    from windowed
),

scored as (
    select
        *,
        {%- for name, worse in [('r', 'customers_less_recent'), ('f', 'customers_less_frequent'),
            ('m', 'customers_spending_less')] %}
            {{ _rfm_score(worse, 'scope_customers', var('value_rfm_score_bins')) }} as {{ name }}_score,
        {%- endfor %}
        {{ _rfm_score('customers_less_recent', 'scope_customers', 5) }} as r_quintile,
        {{ _rfm_score('customers_less_frequent', 'scope_customers', 5) }} as f_quintile
    from ranked
),

final as (
    select
        scored.as_of_date,
        scored.brand_id,
        scored.super_id,
        scored.last_order_date,
        scored.recency_days,
        scored.frequency,
        scored.monetary,
        scored.scope_customers,
        scored.r_score,
        scored.f_score,
        scored.m_score,
        scored.r_quintile,
        scored.f_quintile,
        segments.segment
    from scored
    inner join segments
        on
            scored.r_quintile between segments.r_quintile_min and segments.r_quintile_max
            and scored.f_quintile between segments.f_quintile_min and segments.f_quintile_max
)

select * from final
