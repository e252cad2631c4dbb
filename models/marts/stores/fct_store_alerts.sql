{#- The weak-store alert as the DMP deck defines it: a store with zero sales (no order other than a cancelled
    one) in two consecutive ISO weeks. Only weeks in which the store was open on every observed day count, so
    a store that is closed, not yet opened, or closes or opens within a week never raises it. One row per
    store and alert week: the second of the two silent weeks (a run of three silent weeks raises two alerts). -#}

with

weekly as (
    select * from {{ ref('fct_store_weekly_sales') }}
),

sequenced as (
    select
        weekly.*,
        weekly.has_zero_sales and weekly.is_open_all_week as is_silent_open_week,
        lag(weekly.week_start) over (partition by weekly.store_id order by weekly.week_start) as previous_week_start,
        lag(weekly.has_zero_sales and weekly.is_open_all_week) over (
            partition by weekly.store_id order by weekly.week_start
        ) as previous_is_silent_open_week,
        lag(weekly.observed_days)
            over (partition by weekly.store_id order by weekly.week_start)
            as previous_observed_days
    from weekly
),

final as (
    select
        store_id,
        store_name,
        city,
        district,
        week_start as alert_week_start,
        week_end as alert_week_end,
        previous_week_start as first_silent_week_start,
        cast(previous_observed_days + observed_days as integer) as silent_days
    from sequenced
    where
        is_silent_open_week
        and previous_is_silent_open_week
        and previous_week_start = cast({{ dbt.dateadd('day', -7, 'week_start') }} as date)
)

select * from final
