{#- One row per purchased order line on the super_id of its account: paid and returned lines (a returned
    order was still a purchase occasion); cancelled ones never happened. -#}

with

order_lines as (
    select * from {{ ref('stg_raw__order_lines') }}
    where status in ('paid', 'returned')
),

identity_map as (
    select * from {{ ref('identity_map') }}
    where id_type = 'user_pin'
),

products as (
    select * from {{ ref('dim_products') }}
),

final as (
    select
        identity_map.super_id,
        order_lines.order_line_id,
        order_lines.order_id,
        order_lines.order_date,
        coalesce(products.brand_id, 'unknown') as brand_id,
        coalesce(products.category_l1, 'unknown') as category_l1,
        coalesce(order_lines.paid_amount, order_lines.unit_price * order_lines.quantity) as paid_amount
    from order_lines
    inner join identity_map on order_lines.user_pin = identity_map.id_value
    left join products on order_lines.sku_id = products.sku_id
)

select * from final
