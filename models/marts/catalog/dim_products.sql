with

versions as (
    select
        *,
        row_number() over (partition by sku_id order by updated_at desc, dt desc) as recency_rank
    from {{ ref('stg_raw__products') }}
),

final as (
    select
        sku_id,
        sku_name,
        coalesce(brand_id, 'unknown') as brand_id,
        coalesce(brand_name, 'unknown') as brand_name,
        coalesce(category_l1, 'unknown') as category_l1,
        category_l2,
        category_l3,
        list_price,
        launch_date,
        updated_at
    from versions
    where recency_rank = 1
)

select * from final
