{#- What a person did each business day: app events by kind (on the account when logged in, else the device) and
    paid orders with their value (the attribution domain's conversions). The outcomes the lift is measured on. -#}

with

app_events as (
    select * from {{ ref('stg_raw__app_events') }}
    where event_type in ('page_view', 'search', 'add_to_cart')
),

identity_map as (
    select * from {{ ref('identity_map') }}
),

orders as (
    select * from {{ ref('fct_conversion_paths') }}
    where is_conversion
),

app_activity as (
    select
        coalesce(by_account.super_id, by_device.super_id) as super_id,
        app_events.event_date as activity_date,
        sum(case when app_events.event_type = 'page_view' then 1 else 0 end) as page_views,
        sum(case when app_events.event_type = 'search' then 1 else 0 end) as searches,
        sum(case when app_events.event_type = 'add_to_cart' then 1 else 0 end) as add_to_carts,
        0 as paid_orders,
        cast(0 as decimal(38, 2)) as spend
    from app_events
    left join identity_map as by_account
        on by_account.id_type = 'user_pin' and app_events.user_pin = by_account.id_value
    left join identity_map as by_device
        on by_device.id_type = 'device_id' and app_events.device_id = by_device.id_value
    where coalesce(by_account.super_id, by_device.super_id) is not null
    group by coalesce(by_account.super_id, by_device.super_id), app_events.event_date
),

order_activity as (
    select
        super_id,
        order_date as activity_date,
        0 as page_views,
        0 as searches,
        0 as add_to_carts,
        count(*) as paid_orders,
        cast(sum(conversion_value) as decimal(38, 2)) as spend
    from orders
    group by super_id, order_date
),

unioned as (
    select * from app_activity
    union all
    select * from order_activity
),

final as (
    select
        super_id,
        activity_date,
        cast(sum(page_views) as bigint) as page_views,
        cast(sum(searches) as bigint) as searches,
        cast(sum(add_to_carts) as bigint) as add_to_carts,
        cast(sum(paid_orders) as bigint) as paid_orders,
        cast(sum(spend) as decimal(38, 2)) as spend
    from unioned
    group by super_id, activity_date
)

select * from final
