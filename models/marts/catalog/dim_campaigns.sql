with

versions as (
    select
        *,
        row_number() over (partition by campaign_id order by updated_at desc, dt desc) as recency_rank
    from {{ ref('stg_raw__campaigns') }}
),

channels as (
    select * from {{ ref('channels') }}
),

final as (
    select
        versions.campaign_id,
        versions.campaign_name,
        versions.brand_id,
        versions.channel,
        coalesce(channels.channel_group, 'other') as channel_group,
        channels.is_paid,
        versions.objective,
        versions.start_date,
        versions.end_date,
        versions.budget,
        versions.updated_at
    from versions
    left join channels on versions.channel = channels.channel
    where versions.recency_rank = 1
)

select * from final
