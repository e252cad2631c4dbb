{#- One row per raw source: its newest arrival date, the newest business date it has data for, and how
    many days it lags the newest arrival date of the whole lake (the lake's own clock, so a replayed or
    synthetic lake reads the same as a live one). -#}

with

reconciliation as (
    select * from {{ ref('fct_raw_line_reconciliation') }}
),

event_dates as (
    select 'app_events' as source_name, max(event_date) as latest_event_date from {{ ref('stg_raw__app_events') }}
    union all
    select 'orders', max(order_date) from {{ ref('stg_raw__order_lines') }}
    union all
    select 'ad_events', max(event_date) from {{ ref('stg_raw__ad_events') }}
    union all
    select 'message_events', max(event_date) from {{ ref('stg_raw__message_events') }}
    union all
    select 'crm_members', max({{ business_date('updated_at') }}) from {{ ref('stg_raw__crm_members') }}
    union all
    select 'products', max({{ business_date('updated_at') }}) from {{ ref('stg_raw__products') }}
    union all
    select 'campaigns', max({{ business_date('updated_at') }}) from {{ ref('stg_raw__campaigns') }}
    union all
    select 'stores', max({{ business_date('updated_at') }}) from {{ ref('stg_raw__stores') }}
),

latest as (
    select
        source_name,
        max(dt) as latest_dt
    from reconciliation
    group by source_name
),

lines_on_latest as (
    select
        reconciliation.source_name,
        reconciliation.lines_read as lines_on_latest_dt
    from reconciliation
    inner join latest
        on reconciliation.source_name = latest.source_name and reconciliation.dt = latest.latest_dt
),

final as (
    select
        latest.source_name,
        latest.latest_dt,
        event_dates.latest_event_date,
        lines_on_latest.lines_on_latest_dt,
        cast({{ dbt.datediff('latest.latest_dt', 'max(latest.latest_dt) over ()', 'day') }} as integer)
            as days_behind
    from latest
    left join event_dates on latest.source_name = event_dates.source_name
    left join lines_on_latest on latest.source_name = lines_on_latest.source_name
)

select * from final
