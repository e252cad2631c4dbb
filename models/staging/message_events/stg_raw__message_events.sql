with

base as (
    select * from {{ ref('base_raw__message_events') }}
),

final as (
    select
        message_event_id,
        message_id,
        event_at,
        event_date,
        event_type,
        channel,
        campaign_id,
        phone_sha256,
        email_sha256,
        template_id,
        dt
    from base
    where rejection_reason is null and not is_duplicate
)

select * from final
