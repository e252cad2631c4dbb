{#- Paid orders as conversions: one per order on its account's super_id, at its first line's time, valued at the
    paid amount of its paid lines (unit price x quantity where a line has no paid amount). -#}

with

order_lines as (
    select * from {{ ref('stg_raw__order_lines') }}
    where status = 'paid'
),

identity_map as (
    select * from {{ ref('identity_map') }}
    where id_type = 'user_pin'
),

final as (
    select
        order_lines.order_id,
        min(identity_map.super_id) as super_id,
        min(order_lines.order_at) as order_at,
        min(order_lines.order_date) as order_date,
        sum(coalesce(order_lines.paid_amount, order_lines.unit_price * order_lines.quantity)) as order_value
    from order_lines
    inner join identity_map on order_lines.user_pin = identity_map.id_value
    group by order_lines.order_id
)

select * from final
