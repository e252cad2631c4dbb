with

base as (
    select * from {{ ref('base_raw__ad_events') }}
),

final as (
    select
        event_id,
        event_at,
        event_date,
        event_type,
        campaign_id,
        channel,
        device_id,
        phone_sha256,
        placement_id,
        cost,
        dt
    from base
    where rejection_reason is null and not is_duplicate
)

select * from final
