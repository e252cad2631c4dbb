{#- One row per click matched to the app session it opened, linking the click's phone or email hash to the
    session's device: an ad click carrying a phone hash, or an SMS or EDM click, and an app event of the same
    campaign and channel that starts on a device within var identity_click_window_seconds (5) after it.

    Only unambiguous matches count: the click has exactly one candidate device and that device's landing has
    exactly one candidate click. And only a phone or email hash that no record links to anything else is
    attached this way, so a click-through can add a stray hash to a person but never merge two persons. -#}

with

ad_events as (
    select * from {{ ref('stg_raw__ad_events') }}
),

message_events as (
    select * from {{ ref('stg_raw__message_events') }}
),

app_events as (
    select * from {{ ref('stg_raw__app_events') }}
),

record_links as (
    select * from {{ ref('int_identifier_record_links_collected') }}
),

linked_nodes as (
    select left_node_key as node_key from record_links
    union
    select right_node_key as node_key from record_links
),

clicks as (
    select
        event_id as click_id,
        campaign_id,
        channel,
        event_at,
        dt,
        'phone_sha256' as id_type,
        phone_sha256 as id_value
    from ad_events
    where event_type = 'click' and phone_sha256 is not null and campaign_id is not null
    union all
    select
        message_event_id as click_id,
        campaign_id,
        channel,
        event_at,
        dt,
        'phone_sha256' as id_type,
        phone_sha256 as id_value
    from message_events
    where event_type = 'clicked' and phone_sha256 is not null and campaign_id is not null
    union all
    select
        message_event_id as click_id,
        campaign_id,
        channel,
        event_at,
        dt,
        'email_sha256' as id_type,
        email_sha256 as id_value
    from message_events
    where event_type = 'clicked' and email_sha256 is not null and campaign_id is not null
),

unattached_clicks as (
    select clicks.*
    from clicks
    left join linked_nodes on clicks.id_type || ':' || clicks.id_value = linked_nodes.node_key
    where linked_nodes.node_key is null
),

landings as (
    select
        event_id as landing_id,
        device_id,
        campaign_id,
        channel,
        event_at
    from app_events
    where campaign_id is not null and device_id is not null
),

candidates as (
    select
        unattached_clicks.click_id,
        unattached_clicks.id_type,
        unattached_clicks.id_value,
        unattached_clicks.dt,
        landings.landing_id,
        landings.device_id
    from unattached_clicks
    inner join landings
        on
            unattached_clicks.campaign_id = landings.campaign_id
            and unattached_clicks.channel = landings.channel
            and unattached_clicks.event_at <= landings.event_at
            and {{ dbt.dateadd('second', var('identity_click_window_seconds'), 'unattached_clicks.event_at') }}
            >= landings.event_at
),

counted as (
    select
        candidates.*,
        count(distinct device_id) over (partition by click_id) as devices_per_click,
        count(distinct id_value) over (partition by landing_id) as clicks_per_landing
    from candidates
),

final as (
    select
        id_type,
        id_value,
        device_id,
        min(dt) as first_seen_dt,
        max(dt) as last_seen_dt,
        count(distinct click_id) as clicks
    from counted
    where devices_per_click = 1 and clicks_per_landing = 1
    group by id_type, id_value, device_id
)

select * from final
