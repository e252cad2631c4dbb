{#- Each touchpoint is assigned to at most one path: the person's next conversion (an order at or after it, ties
    of time going to the order), when it lies within the lookback window (var attribution_lookback_days) before
    that order; with no later order, the person's open (non-converting) path, when it lies within the lookback
    window before the end of the data. Older touchpoints belong to no path. Paths are disjoint by construction. -#}

with

touchpoints as (
    select * from {{ ref('int_touchpoints_unioned') }}
),

conversions as (
    select * from {{ ref('int_conversions_collected') }}
),

data_end as (
    select max(event_at) as ends_at
    from (
        select touch_at as event_at from touchpoints
        union all
        select order_at as event_at from conversions
    ) as events
),

timeline as (
    select
        super_id,
        touchpoint_id as event_key,
        touch_at as event_at,
        0 as is_conversion,
        cast(null as varchar) as order_id
    from touchpoints
    union all
    select
        super_id,
        order_id as event_key,
        order_at as event_at,
        1 as is_conversion,
        order_id
    from conversions
),

sequenced as (
    select
        *,
        row_number() over (partition by super_id order by event_at, is_conversion, event_key) as event_number
    from timeline
),

next_conversion as (
    select
        super_id,
        event_key,
        is_conversion,
        min(case when is_conversion = 1 then event_number end) over (
            partition by super_id
            order by event_number
            rows between current row and unbounded following
        ) as next_conversion_number
    from sequenced
),

assigned as (
    select
        touchpoints.*,
        next_conversion_event.order_id as next_order_id,
        next_conversion_event.event_at as next_order_at,
        data_end.ends_at
    from touchpoints
    inner join next_conversion
        on
            touchpoints.touchpoint_id = next_conversion.event_key
            and touchpoints.super_id = next_conversion.super_id
            and next_conversion.is_conversion = 0
    left join sequenced as next_conversion_event
        on
            next_conversion.super_id = next_conversion_event.super_id
            and next_conversion.next_conversion_number = next_conversion_event.event_number
    cross join data_end
),

final as (
    select
        touchpoint_id,
        super_id,
        touch_at,
        touch_date,
        touch_source,
        touch_type,
        channel,
        campaign_id,
        case
            when next_order_id is not null
                and touch_at >= {{ dbt.dateadd('day', -var('attribution_lookback_days'), 'next_order_at') }}
                then next_order_id
            when next_order_id is null
                and touch_at >= {{ dbt.dateadd('day', -var('attribution_lookback_days'), 'ends_at') }}
                then 'open:' || super_id
        end as path_id,
        next_order_id is not null as is_before_conversion
    from assigned
)

select * from final
