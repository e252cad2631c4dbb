{#- Lag is measured against the newest arrival date of the whole lake (the lake's own clock), so a replayed or
    synthetic lake reads the same as a live one. -#}

with

reconciliation as (
    select * from {{ ref('fct_raw_line_reconciliation') }}
),

event_dates as (
    {%- set event_date_of = {
        'app_events': ('stg_raw__app_events', 'event_date'),
        'orders': ('stg_raw__order_lines', 'order_date'),
        'ad_events': ('stg_raw__ad_events', 'event_date'),
        'message_events': ('stg_raw__message_events', 'event_date'),
        'crm_members': ('stg_raw__crm_members', business_date('updated_at')),
        'products': ('stg_raw__products', business_date('updated_at')),
        'campaigns': ('stg_raw__campaigns', business_date('updated_at')),
        'stores': ('stg_raw__stores', business_date('updated_at')),
    } %}
    {% for source_name, (model, date_expression) in event_date_of.items() %}
        select
            '{{ source_name }}' as source_name,
            max({{ date_expression }}) as latest_event_date
        from {{ ref(model) }}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
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
        cast(
            {{ dbt.datediff('latest.latest_dt', 'max(latest.latest_dt) over ()', 'day') }} as integer  -- noqa: LT05
        ) as days_behind
    from latest
    left join event_dates on latest.source_name = event_dates.source_name
    left join lines_on_latest on latest.source_name = lines_on_latest.source_name
)

select * from final
