with

versions as (
    select
        *,
        row_number() over (partition by store_id order by updated_at desc, dt desc) as recency_rank
    from {{ ref('stg_raw__stores') }}
),

regions as (
    select * from {{ ref('regions') }}
),

final as (
    select
        versions.store_id,
        versions.store_name,
        versions.city,
        regions.province,
        regions.region,
        regions.city_tier,
        versions.district,
        versions.latitude,
        versions.longitude,
        versions.open_date,
        versions.store_format,
        versions.store_status,
        versions.updated_at
    from versions
    left join regions on versions.city = regions.city
    where versions.recency_rank = 1
)

select * from final
