{#- Phones and emails arrive here only as SHA-256 (staging hashed them). Every date is the business date
    (Asia/Shanghai) of its timestamp. -#}

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
    select
        'device_id' as id_type,
        device_id as id_value,
        'app_events' as source_name,
        dt,
        event_date
    from app_events
    where device_id is not null
    union all
    select
        'user_pin' as id_type,
        user_pin as id_value,
        'app_events' as source_name,
        dt,
        event_date
    from app_events
    where user_pin is not null
    union all
    select
        'user_pin' as id_type,
        user_pin as id_value,
        'orders' as source_name,
        dt,
        order_date as event_date
    from order_lines
    where user_pin is not null
    union all
    select
        'device_id' as id_type,
        device_id as id_value,
        'ad_events' as source_name,
        dt,
        event_date
    from ad_events
    where device_id is not null
    union all
    select
        'phone_sha256' as id_type,
        phone_sha256 as id_value,
        'ad_events' as source_name,
        dt,
        event_date
    from ad_events
    where phone_sha256 is not null
    union all
    select
        'phone_sha256' as id_type,
        phone_sha256 as id_value,
        'message_events' as source_name,
        dt,
        event_date
    from message_events
    where phone_sha256 is not null
    union all
    select
        'email_sha256' as id_type,
        email_sha256 as id_value,
        'message_events' as source_name,
        dt,
        event_date
    from message_events
    where email_sha256 is not null
    union all
    select
        'member_id' as id_type,
        member_key as id_value,
        'crm_members' as source_name,
        dt,
        {{ business_date('updated_at') }} as event_date
    from crm_members
    union all
    select
        'phone_sha256' as id_type,
        phone_sha256 as id_value,
        'crm_members' as source_name,
        dt,
        {{ business_date('updated_at') }} as event_date
    from crm_members
    where phone_sha256 is not null
    union all
    select
        'email_sha256' as id_type,
        email_sha256 as id_value,
        'crm_members' as source_name,
        dt,
        {{ business_date('updated_at') }} as event_date
    from crm_members
    where email_sha256 is not null
    union all
    select
        'user_pin' as id_type,
        user_pin as id_value,
        'crm_members' as source_name,
        dt,
        {{ business_date('updated_at') }} as event_date
    from crm_members
    where user_pin is not null
    union all
    select
        'union_id' as id_type,
        union_id as id_value,
        'crm_members' as source_name,
        dt,
        {{ business_date('updated_at') }} as event_date
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
