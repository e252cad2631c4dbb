{#- One path per paid order (its touchpoints in the lookback window, possibly none) and one open path per person
    with touchpoints after their last order in the lookback window before the end of the data (non-converting
    paths, which the data-driven models need). The channel sequence is the transformed path. -#}

with

path_touchpoints as (
    select * from {{ ref('fct_path_touchpoints') }}
),

conversions as (
    select * from {{ ref('int_conversions_collected') }}
),

touch_summary as (
    select
        path_id,
        min(super_id) as super_id,
        count(*) as path_touchpoints,
        count(distinct channel) as path_channel_count,
        min(touch_at) as first_touch_at,
        max(touch_at) as last_touch_at,
        {{ dbt.listagg('channel', "' > '", 'order by touch_position') }} as channel_path
    from path_touchpoints
    group by path_id
),

converting as (
    select
        conversions.order_id as path_id,
        conversions.super_id,
        true as is_conversion,
        conversions.order_id,
        conversions.order_at,
        conversions.order_date,
        cast(conversions.order_value as decimal(18, 2)) as conversion_value,
        coalesce(touch_summary.path_touchpoints, 0) as path_touchpoints,
        coalesce(touch_summary.path_channel_count, 0) as path_channel_count,
        touch_summary.first_touch_at,
        touch_summary.last_touch_at,
        coalesce(touch_summary.channel_path, '') as channel_path
    from conversions
    left join touch_summary on conversions.order_id = touch_summary.path_id
),

open_paths as (
    select
        path_id,
        super_id,
        false as is_conversion,
        cast(null as varchar) as order_id,
        cast(null as timestamp) as order_at,
        cast(null as date) as order_date,
        cast(0 as decimal(18, 2)) as conversion_value,
        path_touchpoints,
        path_channel_count,
        first_touch_at,
        last_touch_at,
        channel_path
    from touch_summary
    where path_id like 'open:%'
),

final as (
    select * from converting
    union all
    select * from open_paths
)

select * from final
