{#- One row per person (super_id): identifier counts per kind and what kind of person the super_id is.
    person_kind: known_person (holds a retail account or a brand membership, or a phone or email hash linked
    to some other identifier), anonymous_device (devices only, seen in ad impressions or app events with no
    login), lone_hash (phone or email hashes only, e.g. a phone seen only in an SMS log), other (anything
    else, e.g. a social id alone). Everything but known_person is an anonymous id. -#}

with

identity_map as (
    select * from {{ ref('identity_map') }}
),

counted as (
    select
        super_id,
        max(case when is_origin then id_type end) as origin_id_type,
        min(first_seen_dt) as first_seen_dt,
        min(first_event_date) as first_event_date,
        max(last_event_date) as last_event_date,
        count(*) as identifier_count,
        sum(case when id_type = 'device_id' then 1 else 0 end) as device_count,
        sum(case when id_type = 'user_pin' then 1 else 0 end) as user_pin_count,
        sum(case when id_type = 'phone_sha256' then 1 else 0 end) as phone_count,
        sum(case when id_type = 'email_sha256' then 1 else 0 end) as email_count,
        sum(case when id_type = 'union_id' then 1 else 0 end) as union_id_count,
        sum(case when id_type = 'member_id' then 1 else 0 end) as membership_count,
        count(*) > {{ var('identity_max_component_identifiers') }} as is_oversized
    from identity_map
    group by super_id
),

classified as (
    select
        *,
        case
            when user_pin_count + membership_count > 0 then 'known_person'
            -- A hash tied to a device or social id by a login or click: someone who gave us a contact.
            when phone_count + email_count > 0 and device_count + union_id_count > 0 then 'known_person'
            when phone_count + email_count > 0 then 'lone_hash'
            when device_count > 0 and union_id_count = 0 then 'anonymous_device'
            else 'other'
        end as person_kind
    from counted
),

final as (
    select
        *,
        person_kind = 'known_person' as is_known_person
    from classified
)

select * from final
