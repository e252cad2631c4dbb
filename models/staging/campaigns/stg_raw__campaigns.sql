with

base as (
    select * from {{ ref('base_raw__campaigns') }}
),

final as (
    select
        campaign_version_id,
        campaign_id,
        updated_at,
        brand_id,
        campaign_name,
        channel,
        objective,
        start_date,
        end_date,
        budget,
        dt
    from base
    where rejection_reason is null and not is_duplicate
)

select * from final
