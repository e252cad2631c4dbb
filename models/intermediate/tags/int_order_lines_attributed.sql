{#- One row per order line in the purchase window, on the super_id of its account (user_pin), with product
    attributes and the line's price index: unit price over the median list price of its category. -#}

with

order_lines as (
    select * from {{ ref('stg_raw__order_lines') }}
),

identity_map as (
    select * from {{ ref('identity_map') }}
),

products as (
    select * from {{ ref('dim_products') }}
),

windows as (
    select * from {{ ref('int_tag_windows_resolved') }}
),

category_prices as (
    select
        category_l1,
        avg(cast(list_price as double)) as average_list_price
    from products
    group by category_l1
),

final as (
    select
        identity_map.super_id,
        order_lines.order_id,
        order_lines.order_line_id,
        order_lines.order_date,
        order_lines.status,
        order_lines.sales_channel,
        order_lines.sku_id,
        order_lines.quantity,
        order_lines.unit_price,
        coalesce(order_lines.paid_amount, order_lines.unit_price * order_lines.quantity) as paid_amount,
        products.brand_id,
        products.category_l1,
        products.launch_date,
        cast(order_lines.unit_price as double)
        / nullif(cast(category_prices.average_list_price as double), 0) as price_index
    from order_lines
    cross join windows
    inner join identity_map
        on identity_map.id_type = 'user_pin' and order_lines.user_pin = identity_map.id_value
    left join products on order_lines.sku_id = products.sku_id
    left join category_prices on products.category_l1 = category_prices.category_l1
    where order_lines.order_date between windows.purchase_window_start and windows.as_of_date
)

select * from final
