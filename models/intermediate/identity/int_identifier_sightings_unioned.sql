{#- One row per identifier per source per arrival date (dt): every device, account, phone hash, email hash,
    social id and CRM member the warehouse saw, with how often. Phones and emails only as SHA-256. -#}

with

app_events as (
    select * from {{ ref('stg_raw__app_events') }}
),

order_lines as (
    select * from {{ ref('stg_raw__order_lines') }}
),

ad_events as (
    select * from {{ ref('stg_raw__ad_events') }}
),

message_events as (
    select * from {{ ref('stg_raw__message_events') }}
),

crm_members as (
    select * from {{ ref('stg_raw__crm_members') }}
),

sightings as (
    select 'device_id' as id_type, device_id as id_value, 'app_events' as source_name, dt, event_date
    from app_events
    where device_id is not null
    union all
    select 'user_pin', user_pin, 'app_events', dt, event_date
    from app_events
    where user_pin is not null
    union all
    select 'user_pin', user_pin, 'orders', dt, order_date
    from order_lines
    where user_pin is not null
    union all
    select 'device_id', device_id, 'ad_events', dt, event_date
    from ad_events
    where device_id is not null
    union all
    select 'phone_sha256', phone_sha256, 'ad_events', dt, event_date
    from ad_events
    where phone_sha256 is not null
    union all
    select 'phone_sha256', phone_sha256, 'message_events', dt, event_date
    from message_events
    where phone_sha256 is not null
    union all
    select 'email_sha256', email_sha256, 'message_events', dt, event_date
    from message_events
    where email_sha256 is not null
    union all
    select 'member_id', member_key, 'crm_members', dt, cast(updated_at as date)
    from crm_members
    union all
    select 'phone_sha256', phone_sha256, 'crm_members', dt, cast(updated_at as date)
    from crm_members
    where phone_sha256 is not null
    union all
    select 'email_sha256', email_sha256, 'crm_members', dt, cast(updated_at as date)
    from crm_members
    where email_sha256 is not null
    union all
    select 'user_pin', user_pin, 'crm_members', dt, cast(updated_at as date)
    from crm_members
    where user_pin is not null
    union all
    select 'union_id', union_id, 'crm_members', dt, cast(updated_at as date)
    from crm_members
    where union_id is not null
),

final as (
    select
        id_type,
        id_value,
        source_name,
        dt,
        min(event_date) as first_event_date,
        max(event_date) as last_event_date,
        count(*) as sightings
    from sightings
    group by id_type, id_value, source_name, dt
)

select * from final
