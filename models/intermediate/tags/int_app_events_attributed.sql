{#- One row per app event in the behaviour window that can be put on a person: the super_id of its account
    (user_pin) when logged in, else of its device; events on a shared device without a login belong to no one
    and are left out. With local (business time zone) hour and product attributes. -#}

with

app_events as (
    select * from {{ ref('stg_raw__app_events') }}
),

identity_map as (
    select * from {{ ref('identity_map') }}
),

products as (
    select * from {{ ref('dim_products') }}
),

windows as (
    select * from {{ ref('int_tag_windows_resolved') }}
),

in_window as (
    select app_events.*
    from app_events
    cross join windows
    where app_events.event_date between windows.behaviour_window_start and windows.as_of_date
),

final as (
    select
        coalesce(by_account.super_id, by_device.super_id) as super_id,
        in_window.event_id,
        in_window.event_at,
        in_window.event_date,
        {{ business_hour('in_window.event_at') }} as local_hour,
        {{ is_weekend('in_window.event_date') }} as is_weekend,
        in_window.event_type,
        in_window.platform,
        in_window.channel,
        in_window.campaign_id,
        in_window.city,
        in_window.keyword,
        in_window.sku_id,
        products.brand_id,
        products.category_l1,
        products.list_price,
        products.launch_date
    from in_window
    left join identity_map as by_account
        on by_account.id_type = 'user_pin' and in_window.user_pin = by_account.id_value
    left join identity_map as by_device
        on by_device.id_type = 'device_id' and in_window.device_id = by_device.id_value
    left join products on in_window.sku_id = products.sku_id
    where coalesce(by_account.super_id, by_device.super_id) is not null
)

select * from final
