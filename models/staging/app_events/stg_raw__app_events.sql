with

base as (
    select * from {{ ref('base_raw__app_events') }}
),

final as (
    select
        event_id,
        event_at,
        event_date,
        event_type,
        device_id,
        user_pin,
        platform,
        sku_id,
        keyword,
        channel,
        campaign_id,
        city,
        dt
    from base
    where rejection_reason is null and not is_duplicate
)

select * from final
