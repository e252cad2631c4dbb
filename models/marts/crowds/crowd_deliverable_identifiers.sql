{#- One row per crowd, delivery channel and identifier a crowd package carries: device ids for DSP (never a
    shared device: shared identifiers are not in the identity map; never a device id staging pseudonymized because
    it embedded personal data, `sha256:<hash>` and the like, which no DSP can match) and phone SHA-256 for SMS
    (never a phone that unsubscribed from SMS; never a raw phone). `facetlake crowd export` writes these. -#}

with

members as (
    select * from {{ ref('crowd_members') }}
),

identity_map as (
    select * from {{ ref('identity_map') }}
),

message_events as (
    select * from {{ ref('stg_raw__message_events') }}
),

unsubscribed_phones as (
    select distinct phone_sha256
    from message_events
    where event_type = 'unsubscribed' and channel = 'sms' and phone_sha256 is not null
),

deliverable as (
    select
        members.crowd_name,
        'dsp' as channel,
        identity_map.id_type,
        identity_map.id_value,
        members.super_id
    from members
    inner join identity_map on members.super_id = identity_map.super_id and identity_map.id_type = 'device_id'
    where identity_map.id_value not like '%sha256:%'
    union all
    select
        members.crowd_name,
        'sms' as channel,
        identity_map.id_type,
        identity_map.id_value,
        members.super_id
    from members
    inner join identity_map
        on members.super_id = identity_map.super_id and identity_map.id_type = 'phone_sha256'
    left join unsubscribed_phones on identity_map.id_value = unsubscribed_phones.phone_sha256
    where unsubscribed_phones.phone_sha256 is null
),

final as (
    select * from deliverable
)

select * from final
