{#- One row per store and observed business day (a day with at least one order line in the lake): whether the
    store was open that day and its sales. Open: opened on or before the day (open_date) and not closed, by the
    latest version of the store dated on or before the day (business date of updated_at; before its first
    version, the first version's status; a store without a valid version, known from its orders only, is
    open). -#}

with

order_lines as (
    select * from {{ ref('stg_raw__order_lines') }}
),

store_versions as (
    select * from {{ ref('stg_raw__stores') }}
),

calendar as (
    select distinct order_date as sales_date
    from order_lines
    where order_date is not null
),

-- A store whose every version was quarantined is still known from its orders (open: no closure is known).
stores as (
    select store_id from store_versions
    union
    select store_id from order_lines
    where store_id is not null
),

versions_dated as (
    select
        store_id,
        {{ business_date('updated_at') }} as version_date,
        updated_at,
        dt,
        open_date,
        store_status
    from store_versions
),

store_days as (
    select
        stores.store_id,
        calendar.sales_date
    from stores
    cross join calendar
),

-- The version in force on each day: the latest dated on or before it, else the store's first version.
versions_ranked as (
    select
        store_days.store_id,
        store_days.sales_date,
        versions_dated.open_date,
        versions_dated.store_status,
        row_number() over (
            partition by store_days.store_id, store_days.sales_date
            order by
                case when versions_dated.version_date <= store_days.sales_date then 0 else 1 end,
                case when versions_dated.version_date <= store_days.sales_date then versions_dated.updated_at end desc,
                versions_dated.updated_at asc,
                versions_dated.dt desc
        ) as version_rank
    from store_days
    left join versions_dated on store_days.store_id = versions_dated.store_id
),

status_in_force as (
    select
        store_id,
        sales_date,
        coalesce(store_status, 'open') <> 'closed'
        and (open_date is null or open_date <= sales_date) as is_open
    from versions_ranked
    where version_rank = 1
),

daily_sales as (
    select
        store_id,
        order_date as sales_date,
        count(distinct case when status <> 'cancelled' then order_id end) as orders,
        count(case when status = 'paid' then order_line_id end) as paid_order_lines,
        coalesce(sum(case when status = 'paid' then paid_amount end), 0) as paid_amount
    from order_lines
    where store_id is not null and order_date is not null
    group by 1, 2
),

final as (
    select
        status_in_force.store_id,
        status_in_force.sales_date,
        status_in_force.is_open,
        coalesce(daily_sales.orders, 0) as orders,
        coalesce(daily_sales.paid_order_lines, 0) as paid_order_lines,
        coalesce(daily_sales.paid_amount, 0) as paid_amount
    from status_in_force
    left join daily_sales
        on
            status_in_force.store_id = daily_sales.store_id
            and status_in_force.sales_date = daily_sales.sales_date
)

select * from final
