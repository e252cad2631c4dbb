with

base as (
    select * from {{ ref('base_raw__orders') }}
),

final as (
    select
        order_line_id,
        order_id,
        line_no,
        order_at,
        order_date,
        user_pin,
        sku_id,
        quantity,
        unit_price,
        paid_amount,
        status,
        sales_channel,
        store_id,
        dt
    from base
    where rejection_reason is null and not is_duplicate
)

select * from final
