{#- The touchpoints of every path after the path transform: var attribution_drop_impressions leaves out ad
    impressions, then var attribution_path_transform keeps every touch (as_is), the first touch of each channel
    (first_touch_per_channel) or the first of each run of touches of one channel (unique_channels). Positions are
    numbered in time order (ties by touchpoint_id). Only the marker the transform filters on is computed: each
    window sorts every touchpoint. -#}

{%- set transform = var('attribution_path_transform') -%}
{%- if transform not in ('as_is', 'first_touch_per_channel', 'unique_channels') -%}
    {{ exceptions.raise_compiler_error(
        "var attribution_path_transform must be as_is, first_touch_per_channel or unique_channels, not "
        ~ transform) }}
{%- endif %}

with

touchpoints as (
    select * from {{ ref('fct_touchpoints') }}
    where
        path_id is not null
        and {{ "touch_type != 'impression'" if var('attribution_drop_impressions') else 'true' }}
),

marked as (
    select
        {%- if transform == 'first_touch_per_channel' %}
            *,
            row_number() over (
                partition by path_id, channel order by touch_at, touchpoint_id
            ) as channel_touch_number
        {%- elif transform == 'unique_channels' %}
            *,
            lag(channel) over (partition by path_id order by touch_at, touchpoint_id) as previous_channel
        {%- else %}
            *
        {%- endif %}
    from touchpoints
),

kept as (
    select * from marked
    {%- if transform == 'first_touch_per_channel' %}
        where channel_touch_number = 1
    {%- elif transform == 'unique_channels' %}
        where previous_channel is null or previous_channel != channel
    {%- endif %}
),

final as (
    select
        path_id,
        row_number() over (partition by path_id order by touch_at, touchpoint_id) as touch_position,
        count(*) over (partition by path_id) as path_touchpoints,
        touchpoint_id,
        super_id,
        touch_at,
        touch_date,
        touch_type,
        channel,
        campaign_id,
        is_before_conversion
    from kept
)

select * from final
