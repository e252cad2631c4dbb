{#- Store tiering A-D on sales level and trend, over the last stores_tier_window_days observed days (the
    tier window). Level: paid sales per open day against the average of the tiered stores (level_index; high
    when at least stores_tier_level_index). Trend: sales per open day in the window's later half against its
    earlier half (sales_growth; rising when at least stores_tier_min_growth, or when the earlier half sold
    nothing and the later half did). A = high and rising, B = high and not rising, C = low and rising,
    D = low and not rising. Every store open on the last observed day gets exactly one tier. -#}

with

store_days as (
    select * from {{ ref('int_store_days_opened') }}
),

stores as (
    select * from {{ ref('dim_stores') }}
),

last_day as (
    select max(sales_date) as as_of_date
    from store_days
),

window_bounds as (
    select
        last_day.as_of_date,
        greatest(
            min(store_days.sales_date),
            cast({{ dbt.dateadd('day', 1 - var('stores_tier_window_days'), 'last_day.as_of_date') }} as date)
        ) as window_start
    from store_days
    cross join last_day
    group by last_day.as_of_date
),

tiered_stores as (
    select store_days.store_id
    from store_days
    inner join window_bounds on store_days.sales_date = window_bounds.as_of_date
    where store_days.is_open
),

in_window as (
    select
        store_days.*,
        -- Later half: the day's offset from the window start is at least half the window's length.
        (
            2 * {{ dbt.datediff('window_bounds.window_start', 'store_days.sales_date', 'day') }}  -- noqa: LT05
            >= {{ dbt.datediff('window_bounds.window_start', 'window_bounds.as_of_date', 'day') }} + 1  -- noqa: LT05
        ) as is_later_half
    from store_days
    cross join window_bounds
    inner join tiered_stores on store_days.store_id = tiered_stores.store_id
    where store_days.sales_date >= window_bounds.window_start and store_days.is_open
),

per_store as (
    select
        store_id,
        cast(count(*) as integer) as open_days,
        sum(paid_amount) as paid_amount,
        cast(sum(paid_amount) as double) / count(*) as sales_per_open_day,
        cast(sum(case when is_later_half then paid_amount else 0 end) as double)
        / nullif(sum(case when is_later_half then 1 else 0 end), 0) as later_sales_per_open_day,
        cast(sum(case when not is_later_half then paid_amount else 0 end) as double)
        / nullif(sum(case when not is_later_half then 1 else 0 end), 0) as earlier_sales_per_open_day
    from in_window
    group by store_id
),

scored as (
    select
        per_store.*,
        round(
            per_store.sales_per_open_day / nullif(avg(per_store.sales_per_open_day) over (), 0), 6
        ) as level_index,
        round(per_store.later_sales_per_open_day / nullif(per_store.earlier_sales_per_open_day, 0) - 1, 6)
            as sales_growth
    from per_store
),

classified as (
    select
        scored.*,
        coalesce(scored.level_index >= {{ var('stores_tier_level_index') }}, false) as is_high_level,
        case
            when scored.sales_growth is not null then scored.sales_growth >= {{ var('stores_tier_min_growth') }}
            else coalesce(scored.later_sales_per_open_day > 0, false)
        end as is_rising
    from scored
),

final as (
    select
        classified.store_id,
        stores.store_name,
        stores.city,
        stores.district,
        stores.store_format,
        stores.latitude,
        stores.longitude,
        window_bounds.window_start,
        window_bounds.as_of_date,
        classified.open_days,
        classified.paid_amount,
        round(classified.sales_per_open_day, 2) as sales_per_open_day,
        classified.level_index,
        classified.sales_growth,
        classified.is_high_level,
        classified.is_rising,
        case
            when classified.is_high_level and classified.is_rising then 'A'
            when classified.is_high_level then 'B'
            when classified.is_rising then 'C'
            else 'D'
        end as tier
    from classified
    cross join window_bounds
    left join stores on classified.store_id = stores.store_id
)

select * from final
