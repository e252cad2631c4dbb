{#- Weekly sales per store over the ISO weeks (Monday first) the lake's sales days touch. A week at the edge of
    the lake is partly observed (observed_days < 7); open_days counts the observed days the store was open.
    is_weak_store_alert: the week and the ISO week before it had zero sales while the store was open on every
    observed day (the deck's weak-store alert; fct_store_alerts lists those weeks). -#}

with

store_days as (
    select * from {{ ref('int_store_days_opened') }}
),

stores as (
    select * from {{ ref('dim_stores') }}
),

weekly as (
    select
        store_id,
        cast({{ dbt.date_trunc('week', 'sales_date') }} as date) as week_start,
        count(*) as observed_days,
        sum(case when is_open then 1 else 0 end) as open_days,
        sum(orders) as orders,
        sum(paid_order_lines) as paid_order_lines,
        sum(paid_amount) as paid_amount
    from store_days
    group by 1, 2
),

described as (
    select
        weekly.store_id,
        stores.store_name,
        stores.city,
        stores.district,
        weekly.week_start,
        cast({{ dbt.dateadd('day', 6, 'weekly.week_start') }} as date) as week_end,
        cast(weekly.observed_days as integer) as observed_days,
        cast(weekly.open_days as integer) as open_days,
        weekly.open_days = weekly.observed_days as is_open_all_week,
        cast(weekly.orders as bigint) as orders,
        cast(weekly.paid_order_lines as bigint) as paid_order_lines,
        weekly.paid_amount,
        weekly.orders = 0 as has_zero_sales,
        weekly.orders = 0 and weekly.open_days = weekly.observed_days as is_silent_open_week
    from weekly
    left join stores on weekly.store_id = stores.store_id
),

-- The weak-store alert (fct_store_alerts): this week and the ISO week before both silent while open.
final as (
    select
        described.*,
        coalesce(
            described.is_silent_open_week
            and lag(described.is_silent_open_week) over (partition by described.store_id order by described.week_start)
            and lag(described.week_start) over (partition by described.store_id order by described.week_start)
            = cast({{ dbt.dateadd('day', -7, 'described.week_start') }} as date),
            false
        ) as is_weak_store_alert
    from described
)

select * from final
