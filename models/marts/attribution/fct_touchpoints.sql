{#- Each touchpoint is assigned to at most one path: the person's next conversion (an order at or after it, ties
    of time going to the order), when it lies within the lookback window (var attribution_lookback_days) before
    that order; with no later order, the person's open (non-converting) path, when it lies within the lookback
    window before the end of the data. Older touchpoints belong to no path. Paths are disjoint by construction.
    The next conversion is found without a self-join of the timeline: one window counts the person's
    conversions before each touch (k of them: the next is the person's conversion k + 1 in time order), and
    one join to the numbered conversions fetches it. -#}

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
        touch_date,
        touch_source,
        touch_type,
        channel,
        campaign_id
    from touchpoints
    union all
    select
        super_id,
        order_id as event_key,
        order_at as event_at,
        1 as is_conversion,
        cast(null as date) as touch_date,
        cast(null as varchar) as touch_source,
        cast(null as varchar) as touch_type,
        cast(null as varchar) as channel,
        cast(null as varchar) as campaign_id
    from conversions
),

counted as (
    select
        *,
        sum(is_conversion) over (
            partition by super_id
            order by event_at, is_conversion, event_key
            rows between unbounded preceding and current row
        ) as conversions_before
    from timeline
),

conversions_numbered as (
    select
        super_id,
        order_id,
        order_at,
        row_number() over (partition by super_id order by order_at, order_id) as conversion_number
    from conversions
),

assigned as (
    select
        counted.event_key as touchpoint_id,
        counted.super_id,
        counted.event_at as touch_at,
        counted.touch_date,
        counted.touch_source,
        counted.touch_type,
        counted.channel,
        counted.campaign_id,
        next_conversion.order_id as next_order_id,
        next_conversion.order_at as next_order_at,
        data_end.ends_at
    from counted
    left join conversions_numbered as next_conversion
        on
            counted.super_id = next_conversion.super_id
            and counted.conversions_before + 1 = next_conversion.conversion_number
    cross join data_end
    where counted.is_conversion = 0
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
