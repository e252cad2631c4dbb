{#- One row per person, brand and business day with any 4A signal: ad and message exposures of the brand's
    campaigns, views of its products, appeal actions (favourite, add to cart, a search for the brand's name),
    paid orders, shares of its products, and points movements of the person's membership of the brand.

    On the daily path (strategy rebuild_rows, macros/raw_zone/dates_touched.sql) a run rebuilds the days that
    new arrivals of any signal source touch, and every day of the persons identity restated; each source is
    first narrowed to those days and to the restated persons' identifiers, so a day reads a day. -#}
{%- set arrivals = brand_4a_signal_arrivals() -%}
{{ config(
    materialized='incremental', incremental_strategy='rebuild_rows',
    restate_date_column='signal_date', restate_arrivals=arrivals,
) }}
-- depends_on: {{ ref('person_restatements') }}

with

identity_map as (
    select * from {{ ref('identity_map') }}
),

{{ rebuild_scope() }}

products as (
    select * from {{ ref('dim_products') }}
),

campaigns as (
    select * from {{ ref('dim_campaigns') }}
),

brands as (
    select distinct
        brand_id,
        brand_name
    from products
    where brand_id is not null
),

ad_exposures as (
    select
        coalesce(by_device.super_id, by_phone.super_id) as super_id,
        campaigns.brand_id,
        ad_events.event_date as signal_date
    from {{ ref('stg_raw__ad_events') }} as ad_events
    inner join campaigns on ad_events.campaign_id = campaigns.campaign_id
    left join identity_map as by_device
        on by_device.id_type = 'device_id' and ad_events.device_id = by_device.id_value
    left join identity_map as by_phone
        on by_phone.id_type = 'phone_sha256' and ad_events.phone_sha256 = by_phone.id_value
    where {{ source_rows_read(
        'ad_events.event_date',
        {'device_id': 'ad_events.device_id', 'phone_sha256': 'ad_events.phone_sha256'},
    ) }}
),

message_exposures as (
    select
        coalesce(by_phone.super_id, by_email.super_id) as super_id,
        campaigns.brand_id,
        message_events.event_date as signal_date
    from {{ ref('stg_raw__message_events') }} as message_events
    inner join campaigns on message_events.campaign_id = campaigns.campaign_id
    left join identity_map as by_phone
        on by_phone.id_type = 'phone_sha256' and message_events.phone_sha256 = by_phone.id_value
    left join identity_map as by_email
        on by_email.id_type = 'email_sha256' and message_events.email_sha256 = by_email.id_value
    where {{ source_rows_read(
        'message_events.event_date',
        {'phone_sha256': 'message_events.phone_sha256', 'email_sha256': 'message_events.email_sha256'},
    ) }}
),

app_events as (
    select
        coalesce(by_account.super_id, by_device.super_id) as super_id,
        app_events.event_date as signal_date,
        app_events.event_type,
        app_events.keyword,
        products.brand_id
    from {{ ref('stg_raw__app_events') }} as app_events
    left join identity_map as by_account
        on by_account.id_type = 'user_pin' and app_events.user_pin = by_account.id_value
    left join identity_map as by_device
        on by_device.id_type = 'device_id' and app_events.device_id = by_device.id_value
    left join products on app_events.sku_id = products.sku_id
    where
        app_events.event_type in ('page_view', 'favorite', 'add_to_cart', 'share', 'search')
        and {{ source_rows_read(
            'app_events.event_date', {'user_pin': 'app_events.user_pin', 'device_id': 'app_events.device_id'}
        ) }}
),

app_signals as (
    select
        app_events.super_id,
        coalesce(app_events.brand_id, brands.brand_id) as brand_id,
        app_events.signal_date,
        app_events.event_type
    from app_events
    left join brands
        on app_events.event_type = 'search' and lower(trim(app_events.keyword)) = lower(brands.brand_name)
),

paid_orders as (
    select
        identity_map.super_id,
        products.brand_id,
        order_lines.order_date as signal_date,
        order_lines.order_id
    from {{ ref('stg_raw__order_lines') }} as order_lines
    inner join identity_map
        on identity_map.id_type = 'user_pin' and order_lines.user_pin = identity_map.id_value
    inner join products on order_lines.sku_id = products.sku_id
    where
        order_lines.status = 'paid'
        and {{ source_rows_read('order_lines.order_date', {'user_pin': 'order_lines.user_pin'}) }}
),

member_versions as (
    select
        member_key,
        brand_id,
        {{ business_date('updated_at') }} as version_date,
        points_balance,
        lag(points_balance) over (partition by member_key order by updated_at, dt) as previous_points_balance
    from {{ ref('stg_raw__crm_members') }}
),

points_movements as (
    select
        identity_map.super_id,
        member_versions.brand_id,
        member_versions.version_date as signal_date
    from member_versions
    inner join identity_map
        on identity_map.id_type = 'member_id' and member_versions.member_key = identity_map.id_value
    where
        member_versions.points_balance <> member_versions.previous_points_balance
        and {{ source_rows_read('member_versions.version_date', {'member_id': 'member_versions.member_key'}) }}
),

signals as (
    select
        super_id,
        brand_id,
        signal_date,
        'exposure' as signal_kind,
        cast(null as varchar) as order_id
    from ad_exposures
    union all
    select
        super_id,
        brand_id,
        signal_date,
        'exposure' as signal_kind,
        cast(null as varchar) as order_id
    from message_exposures
    union all
    select
        super_id,
        brand_id,
        signal_date,
        event_type as signal_kind,
        cast(null as varchar) as order_id
    from app_signals
    union all
    select
        super_id,
        brand_id,
        signal_date,
        'paid_order' as signal_kind,
        order_id
    from paid_orders
    union all
    select
        super_id,
        brand_id,
        signal_date,
        'points' as signal_kind,
        cast(null as varchar) as order_id
    from points_movements
),

final as (
    select
        super_id,
        brand_id,
        signal_date,
        cast(sum(case when signal_kind = 'exposure' then 1 else 0 end) as integer) as exposures,
        cast(sum(case when signal_kind = 'page_view' then 1 else 0 end) as integer) as product_views,
        cast(sum(case when signal_kind in ('favorite', 'add_to_cart', 'search') then 1 else 0 end) as integer)
            as appeal_actions,
        cast(count(distinct order_id) as integer) as paid_orders,
        cast(sum(case when signal_kind = 'share' then 1 else 0 end) as integer) as product_shares,
        cast(sum(case when signal_kind = 'points' then 1 else 0 end) as integer) as points_movements
    from signals
    where super_id is not null and brand_id is not null and signal_date is not null
    {% if is_incremental() %}
        and {{ rows_rebuilt('signal_date', arrivals) }}
    {% endif %}
    group by 1, 2, 3
)

select * from final
