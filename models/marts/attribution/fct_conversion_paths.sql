{#- One path per paid order (its touchpoints in the lookback window, possibly none) and one open path per person
    with touchpoints after their last order in the lookback window before the end of the data (non-converting
    paths, which the data-driven models need). The channel sequence is the transformed path, the running
    string of its channels in position order kept on its last touch (macro running_listagg): a window sorts
    and spills, where an ordered string_agg per path ran out of memory on DuckDB at a million persons. -#}

with

path_touchpoints as (
    select * from {{ ref('fct_path_touchpoints') }}
),

conversions as (
    select * from {{ ref('int_conversions_collected') }}
),

touch_counts as (
    select
        path_id,
        min(super_id) as super_id,
        count(*) as path_touchpoints,
        count(distinct channel) as path_channel_count,
        min(touch_at) as first_touch_at,
        max(touch_at) as last_touch_at
    from path_touchpoints
    group by path_id
),

channel_sequences as (
    select
        path_id,
        touch_position,
        path_touchpoints,
        {{ running_listagg('channel', "' > '", 'path_id', 'touch_position') }} as channel_path
    from path_touchpoints
),

touch_summary as (
    select
        touch_counts.*,
        channel_sequences.channel_path
    from touch_counts
    inner join channel_sequences
        on
            touch_counts.path_id = channel_sequences.path_id
            and channel_sequences.touch_position = channel_sequences.path_touchpoints
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
