with

base as (
    select * from {{ ref('base_raw__products') }}
),

final as (
    select
        product_version_id,
        sku_id,
        updated_at,
        sku_name,
        brand_id,
        brand_name,
        category_l1,
        category_l2,
        category_l3,
        list_price,
        launch_date,
        dt
    from base
    where rejection_reason is null and not is_duplicate
)

select * from final
