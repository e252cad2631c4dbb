with

identity_map as (
    select * from {{ ref('identity_map') }}
),

final as (
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
)

select * from final
