{#- Every marketing touch that can be put on a person, from three sources: ad impressions and clicks (by device,
    else phone hash), messages sent and clicked (by phone or email hash), and app visits (the first app event of
    a person, day, traffic channel and campaign; organic traffic is the channel 'direct'). Identifiers that match
    no one (shared devices, unknown hashes) give no touchpoint.

    A table kept on the daily path (strategy rebuild_rows, macros/raw_zone/dates_touched.sql): a run rebuilds
    the touch dates new arrivals touch and every touch of the persons identity restated, reading only those
    dates and the restated persons' identifiers; fct_touchpoints assigns the touches to paths from here. -#}
{%- set arrivals = [
    ['stg_raw__ad_events', 'event_date'],
    ['stg_raw__message_events', 'event_date'],
    ['stg_raw__app_events', 'event_date'],
] -%}
{{ config(
    materialized='incremental', incremental_strategy='rebuild_rows',
    restate_date_column='touch_date', restate_arrivals=arrivals,
) }}
-- depends_on: {{ ref('person_restatements') }}

with

identity_map as (
    select * from {{ ref('identity_map') }}
),

{{ rebuild_scope() }}

ad_events as (
    select * from {{ ref('stg_raw__ad_events') }}
    where {{ source_rows_read('event_date', {'device_id': 'device_id', 'phone_sha256': 'phone_sha256'}) }}
),

message_events as (
    select * from {{ ref('stg_raw__message_events') }}
    where
        event_type in ('sent', 'clicked')
        and {{ source_rows_read('event_date', {'phone_sha256': 'phone_sha256', 'email_sha256': 'email_sha256'}) }}
),

app_events as (
    select * from {{ ref('stg_raw__app_events') }}
    where {{ source_rows_read('event_date', {'user_pin': 'user_pin', 'device_id': 'device_id'}) }}
),

ad_touches as (
    select
        'ad:' || ad_events.event_id as touchpoint_id,
        coalesce(by_device.super_id, by_phone.super_id) as super_id,
        ad_events.event_at as touch_at,
        ad_events.event_date as touch_date,
        'ad_events' as touch_source,
        ad_events.event_type as touch_type,
        ad_events.channel,
        ad_events.campaign_id
    from ad_events
    left join identity_map as by_device
        on by_device.id_type = 'device_id' and ad_events.device_id = by_device.id_value
    left join identity_map as by_phone
        on by_phone.id_type = 'phone_sha256' and ad_events.phone_sha256 = by_phone.id_value
),

message_touches as (
    select
        'message:' || message_events.message_event_id as touchpoint_id,
        coalesce(by_phone.super_id, by_email.super_id) as super_id,
        message_events.event_at as touch_at,
        message_events.event_date as touch_date,
        'message_events' as touch_source,
        'message_' || message_events.event_type as touch_type,
        message_events.channel,
        message_events.campaign_id
    from message_events
    left join identity_map as by_phone
        on by_phone.id_type = 'phone_sha256' and message_events.phone_sha256 = by_phone.id_value
    left join identity_map as by_email
        on by_email.id_type = 'email_sha256' and message_events.email_sha256 = by_email.id_value
),

app_events_attributed as (
    select
        app_events.event_id,
        coalesce(by_account.super_id, by_device.super_id) as super_id,
        app_events.event_at,
        app_events.event_date,
        case
            when app_events.channel is null or app_events.channel = 'organic' then 'direct'
            else app_events.channel
        end as channel,
        app_events.campaign_id
    from app_events
    left join identity_map as by_account
        on by_account.id_type = 'user_pin' and app_events.user_pin = by_account.id_value
    left join identity_map as by_device
        on by_device.id_type = 'device_id' and app_events.device_id = by_device.id_value
    where coalesce(by_account.super_id, by_device.super_id) is not null
),

app_visits_numbered as (
    select
        *,
        row_number() over (
            partition by super_id, event_date, channel, coalesce(campaign_id, '')
            order by event_at, event_id
        ) as visit_event_number
    from app_events_attributed
),

app_touches as (
    select
        'app:' || event_id as touchpoint_id,
        super_id,
        event_at as touch_at,
        event_date as touch_date,
        'app_events' as touch_source,
        'visit' as touch_type,
        channel,
        campaign_id
    from app_visits_numbered
    where visit_event_number = 1
),

unioned as (
    select * from ad_touches
    union all
    select * from message_touches
    union all
    select * from app_touches
),

final as (
    select * from unioned
    where super_id is not null
    {% if is_incremental() %}
        and {{ rows_rebuilt('touch_date', arrivals) }}
    {% endif %}
)

select * from final
