{#- Every app event of the raw zone's history that can be put on a person: the super_id of its account
    (user_pin) when logged in, else of its device; events on a shared device without a login belong to no one
    and are left out. With local (business time zone) hour and product attributes. int_app_events_attributed
    reads the behaviour window from here.

    On the daily path (strategy rebuild_rows, macros/raw_zone/dates_touched.sql) a run rebuilds the event dates
    new arrivals touch and every event of the persons identity restated (a merge, a split, a device that became
    shared), reading only those dates and the restated persons' identifiers: a day reads a day. -#}
{%- set arrivals = [['stg_raw__app_events', 'event_date']] -%}
{{ config(
    materialized='incremental', incremental_strategy='rebuild_rows',
    restate_date_column='event_date', restate_arrivals=arrivals,
) }}
-- depends_on: {{ ref('person_restatements') }}

with

identity_map as (
    select * from {{ ref('identity_map') }}
),

{{ rebuild_scope() }}

app_events as (
    select * from {{ ref('stg_raw__app_events') }}
    where {{ source_rows_read('event_date', {'user_pin': 'user_pin', 'device_id': 'device_id'}) }}
),

products as (
    select * from {{ ref('dim_products') }}
),

attributed as (
    select
        coalesce(by_account.super_id, by_device.super_id) as super_id,
        app_events.event_id,
        app_events.event_at,
        app_events.event_date,
        {{ business_hour('app_events.event_at') }} as local_hour,
        {{ is_weekend('app_events.event_date') }} as is_weekend,
        app_events.event_type,
        app_events.platform,
        app_events.channel,
        app_events.campaign_id,
        app_events.city,
        app_events.keyword,
        app_events.sku_id,
        products.brand_id,
        products.category_l1,
        products.list_price,
        products.launch_date
    from app_events
    left join identity_map as by_account
        on by_account.id_type = 'user_pin' and app_events.user_pin = by_account.id_value
    left join identity_map as by_device
        on by_device.id_type = 'device_id' and app_events.device_id = by_device.id_value
    left join products on app_events.sku_id = products.sku_id
),

final as (
    select * from attributed
    where super_id is not null
    {% if is_incremental() %}
        and {{ rows_rebuilt('event_date', arrivals) }}
    {% endif %}
)

select * from final
