{#- Rule-based credit of every paid order to the channels and campaigns of its path, under six models:
    first_touch, last_touch, last_non_direct (the last touch whose channel is not direct, else the last),
    linear, time_decay (weight 2^(-age / var attribution_half_life_days), age = days from touch to order) and
    position_based (vars attribution_position_first_weight and _last_weight to the first and last touches, the
    rest shared evenly by the middle ones; a two-touch path splits first:last). An order without touchpoints
    credits channel 'direct' in full.

    Credit is exact to the cent: each touch's credit is the difference of its path's cumulative weight times
    the order value, rounded to cents, so the credits of an order sum to its value under every model. -#}

{#- Literals are written as doubles (1e0): Trino reads 1.0 as a decimal(2, 1) and would divide in tenths. -#}
{%- set first_weight = var('attribution_position_first_weight') ~ 'e0' -%}
{%- set last_weight = var('attribution_position_last_weight') ~ 'e0' %}

with

paths as (
    select * from {{ ref('fct_conversion_paths') }}
    where is_conversion
),

path_touchpoints as (
    select * from {{ ref('fct_path_touchpoints') }}
),

touches as (
    select
        paths.order_id,
        paths.order_at,
        paths.conversion_value,
        coalesce(path_touchpoints.touch_position, 1) as touch_position,
        coalesce(path_touchpoints.path_touchpoints, 1) as path_touchpoints,
        coalesce(path_touchpoints.channel, 'direct') as channel,
        coalesce(path_touchpoints.campaign_id, 'none') as campaign_id,
        coalesce(
            cast({{ dbt.datediff('path_touchpoints.touch_at', 'paths.order_at', 'second') }} as double)  -- noqa: LT05
            / 86400e0,
            0e0
        ) as age_days
    from paths
    left join path_touchpoints on paths.path_id = path_touchpoints.path_id
),

with_last_non_direct as (
    select
        *,
        max(case when channel != 'direct' then touch_position end) over (partition by order_id)
            as last_non_direct_position,
        power(2e0, -age_days / {{ var('attribution_half_life_days') }}) as decay
    from touches
),

raw_weights as (
    select
        *,
        case when touch_position = 1 then 1e0 else 0e0 end as first_touch,
        case when touch_position = path_touchpoints then 1e0 else 0e0 end as last_touch,
        case
            when touch_position = coalesce(last_non_direct_position, path_touchpoints) then 1e0 else 0e0
        end as last_non_direct,
        1e0 / path_touchpoints as linear,
        decay / sum(decay) over (partition by order_id) as time_decay,
        case
            when path_touchpoints = 1 then 1e0
            when path_touchpoints = 2 and touch_position = 1
                then {{ first_weight }} / ({{ first_weight }} + {{ last_weight }})
            when path_touchpoints = 2 then {{ last_weight }} / ({{ first_weight }} + {{ last_weight }})
            when touch_position = 1 then {{ first_weight }}
            when touch_position = path_touchpoints then {{ last_weight }}
            else (1e0 - {{ first_weight }} - {{ last_weight }}) / (path_touchpoints - 2)
        end as position_based
    from with_last_non_direct
),

{%- set models = ['first_touch', 'last_touch', 'last_non_direct', 'linear', 'time_decay', 'position_based'] %}

weighted as (
    {%- for model in models %}
        select
            order_id,
            '{{ model }}' as attribution_model,
            touch_position,
            path_touchpoints,
            channel,
            campaign_id,
            conversion_value,
            cast({{ model }} as double) as weight
        from raw_weights
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

cumulated as (
    select
        *,
        cast(round(cast(conversion_value as decimal(38, 2)) * 100) as bigint) as value_cents,
        sum(weight) over (
            partition by order_id, attribution_model
            order by touch_position
            rows between unbounded preceding and current row
        ) as cumulative_weight
    from weighted
),

rounded as (
    select
        *,
        case
            when touch_position = path_touchpoints then value_cents
            else cast(floor(round(value_cents * cumulative_weight, 6) + 0.5e0) as bigint)
        end as cumulative_cents
    from cumulated
),

touch_credits as (
    select
        *,
        cumulative_cents - coalesce(
            lag(cumulative_cents) over (partition by order_id, attribution_model order by touch_position), 0
        ) as credit_cents
    from rounded
),

final as (
    select
        order_id,
        attribution_model,
        channel,
        campaign_id,
        count(*) as touchpoints,
        sum(weight) as conversion_credit,
        cast(cast(sum(credit_cents) as decimal(20, 0)) * 0.01 as decimal(18, 2)) as value_credit
    from touch_credits
    group by order_id, attribution_model, channel, campaign_id
)

select * from final
