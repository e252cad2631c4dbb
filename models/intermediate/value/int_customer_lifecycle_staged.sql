{#- One row per month end (as in the RFM history), brand and person known to the brand by then (a CRM member
    or a buyer of its products), with the lifecycle stage at that date. Rules (vars, days before the date):
    potential (a member who never bought) -> new (first purchase within value_new_customer_days) -> active ->
    loyal (at least value_loyal_min_orders orders in the value_rfm_window_days window) -> silent (last
    purchase more than value_silent_after_days ago) -> churned (more than value_churned_after_days ago). The
    first rule that holds, in the order churned, silent, new, loyal, active, wins; so the stages partition
    each brand's persons. -#}

with

purchases as (
    select * from {{ ref('int_value_order_lines_collected') }}
),

members as (
    select * from {{ ref('stg_raw__crm_members') }}
),

identity_map as (
    select * from {{ ref('identity_map') }}
    where id_type = 'member_id'
),

dates as (
    select * from {{ ref('int_value_dates_resolved') }}
),

month_ends as (
    {{ value_month_ends('purchases', 'dates') | indent(4) }}
),

brand_orders as (
    select distinct
        super_id,
        brand_id,
        order_id,
        order_date
    from purchases
),

brand_members as (
    select
        identity_map.super_id,
        members.brand_id,
        min({{ business_date('members.registered_at') }}) as joined_date
    from members
    inner join identity_map on members.member_key = identity_map.id_value
    group by identity_map.super_id, members.brand_id
),

month_windows as (
    select
        as_of_date,
        cast(
            {{ dbt.dateadd('day', - var('value_rfm_window_days'), 'as_of_date') }} as date
        ) as window_start
    from month_ends
),

purchase_history as (
    select
        month_windows.as_of_date,
        brand_orders.brand_id,
        brand_orders.super_id,
        min(brand_orders.order_date) as first_order_date,
        max(brand_orders.order_date) as last_order_date,
        count(distinct case
            when brand_orders.order_date > month_windows.window_start then brand_orders.order_id
        end) as window_orders
    from month_windows
    inner join brand_orders on month_windows.as_of_date >= brand_orders.order_date
    group by month_windows.as_of_date, brand_orders.brand_id, brand_orders.super_id
),

member_history as (
    select
        month_ends.as_of_date,
        brand_members.brand_id,
        brand_members.super_id
    from month_ends
    inner join brand_members on month_ends.as_of_date >= coalesce(brand_members.joined_date, month_ends.as_of_date)
),

known as (
    select
        coalesce(purchase_history.as_of_date, member_history.as_of_date) as as_of_date,
        coalesce(purchase_history.brand_id, member_history.brand_id) as brand_id,
        coalesce(purchase_history.super_id, member_history.super_id) as super_id,
        member_history.super_id is not null as is_member,
        purchase_history.first_order_date,
        purchase_history.last_order_date,
        coalesce(purchase_history.window_orders, 0) as window_orders
    from purchase_history
    full outer join member_history
        on
            purchase_history.as_of_date = member_history.as_of_date
            and purchase_history.brand_id = member_history.brand_id
            and purchase_history.super_id = member_history.super_id
),

aged as (
    select
        *,
        {{ dbt.datediff('last_order_date', 'as_of_date', 'day') }}
            as days_since_last_order,
        {{ dbt.datediff('first_order_date', 'as_of_date', 'day') }}
            as days_since_first_order
    from known
),

final as (
    select
        as_of_date,
        brand_id,
        super_id,
        is_member,
        first_order_date,
        last_order_date,
        window_orders,
        days_since_last_order,
        case
            when last_order_date is null then 'potential'
            when days_since_last_order > {{ var('value_churned_after_days') }} then 'churned'
            when days_since_last_order > {{ var('value_silent_after_days') }} then 'silent'
            when days_since_first_order < {{ var('value_new_customer_days') }} then 'new'
            when window_orders >= {{ var('value_loyal_min_orders') }} then 'loyal'
            else 'active'
        end as lifecycle_stage
    from aged
)

select * from final
