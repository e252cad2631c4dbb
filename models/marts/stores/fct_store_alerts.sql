{#- The weak-store alert as the DMP deck defines it: a store with zero sales (no order other than a cancelled
    one) in two consecutive ISO weeks. Only weeks in which the store was open on every observed day count, so
    a store that is closed, not yet opened, or closes or opens within a week never raises it. One row per
    store and alert week: the second of the two silent weeks (a run of three silent weeks raises two alerts). -#}

with

weekly as (
    select * from {{ ref('fct_store_weekly_sales') }}
),

previous_weeks as (
    select
        store_id,
        week_start,
        observed_days
    from weekly
),

final as (
    select
        weekly.store_id,
        weekly.store_name,
        weekly.city,
        weekly.district,
        weekly.week_start as alert_week_start,
        weekly.week_end as alert_week_end,
        previous_weeks.week_start as first_silent_week_start,
        cast(previous_weeks.observed_days + weekly.observed_days as integer) as silent_days
    from weekly
    inner join previous_weeks
        on
            weekly.store_id = previous_weeks.store_id
            and previous_weeks.week_start = cast({{ dbt.dateadd('day', -7, 'weekly.week_start') }} as date)
    where weekly.is_weak_store_alert
)

select * from final
