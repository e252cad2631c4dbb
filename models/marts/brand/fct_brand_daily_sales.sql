{#- By business date of the order (event time), so a late line counts on its day; cancelled and returned
    lines are left out. Incremental by order_date: a run rebuilds, from every staged line, only the dates
    carried by lines that arrived in its batch (business_dates_touched, with the daily_lookback_days
    lookback), so a rerun changes nothing and a late line changes its own date's rows only. -#}
{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='order_date') }}

with

{% if is_incremental() %}
    touched_dates as (
        {{ business_dates_touched(ref('stg_raw__order_lines'), 'order_date', 'order_date') }}
    ),
{% endif %}

order_lines as (
    select * from {{ ref('stg_raw__order_lines') }}
    where
        status = 'paid'
    {% if is_incremental() %}
        and order_date in (select business_date from touched_dates)
    {% endif %}
),

products as (
    select * from {{ ref('dim_products') }}
),

final as (
    select
        coalesce(products.brand_id, 'unknown') as brand_id,
        coalesce(products.brand_name, 'unknown') as brand_name,
        order_lines.order_date,
        count(distinct order_lines.order_id) as orders,
        count(*) as order_lines,
        cast(sum(order_lines.quantity) as bigint) as units,
        sum(order_lines.paid_amount) as paid_amount
    from order_lines
    left join products on order_lines.sku_id = products.sku_id
    group by 1, 2, 3
)

select * from final
