{#- Every attribution model's credit per channel side by side: the six rule models, the Markov removal effect
    at first order (markov_first_order) and at order var attribution_markov_order (markov_order_k; fits.
    attribution_markov, computed in Python), and Shapley values (shapley). The Shapley game values a coalition
    of channels at the conversions of the paths whose channels lie within it, a sum of unanimity games, so the
    exact Shapley value is each path's conversion (and value) shared equally by its distinct channels: exact in
    SQL for any number of channels. An order without touchpoints is the channel 'direct' in every model. -#}

{%- set markov_order = var('attribution_markov_order') -%}
{%- if markov_order < 1 or markov_order > 4 -%}
    {{ exceptions.raise_compiler_error("var attribution_markov_order must be 1 to 4, not " ~ markov_order) }}
{%- endif %}

with

rule_credits as (
    select * from {{ ref('attribution_channel_credits') }}
),

markov as (
    select * from {{ source('fits', 'attribution_markov') }}
    where status = 'fitted'
),

paths as (
    select * from {{ ref('fct_conversion_paths') }}
    where is_conversion
),

path_touchpoints as (
    select * from {{ ref('fct_path_touchpoints') }}
    where is_before_conversion
),

path_channels as (
    select distinct
        path_id,
        channel
    from path_touchpoints
),

coalitions as (
    select
        paths.path_id,
        paths.conversion_value,
        coalesce(path_channels.channel, 'direct') as channel,
        count(*) over (partition by paths.path_id) as coalition_size
    from paths
    left join path_channels on paths.path_id = path_channels.path_id
),

shapley as (
    select
        'shapley' as attribution_model,
        channel,
        sum(1e0 / coalition_size) as conversion_credit,
        sum(cast(conversion_value as double) / coalition_size) as value_credit,
        count(*) as orders_touched
    from coalitions
    group by channel
),

rules as (
    select
        attribution_model,
        channel,
        cast(conversion_credit as double) as conversion_credit,
        cast(value_credit as double) as value_credit,
        orders_touched
    from rule_credits
),

markov_models as (
    select
        case when markov_order = 1 then 'markov_first_order' else 'markov_order_k' end as attribution_model,
        channel,
        conversion_credit,
        value_credit,
        cast(null as bigint) as orders_touched
    from markov
    where markov_order = 1 or markov_order = {{ markov_order }}
    {%- if markov_order == 1 %}
        union all
        select
            'markov_order_k' as attribution_model,
            channel,
            conversion_credit,
            value_credit,
            cast(null as bigint) as orders_touched
        from markov
        where markov_order = 1
    {%- endif %}
),

unioned as (
    select * from rules
    union all
    select * from shapley
    union all
    select * from markov_models
),

final as (
    select
        attribution_model,
        case
            when attribution_model in ('markov_first_order', 'markov_order_k', 'shapley') then 'data_driven'
            else 'rule'
        end as model_family,
        channel,
        conversion_credit,
        value_credit,
        orders_touched,
        conversion_credit / nullif(sum(conversion_credit) over (partition by attribution_model), 0)
            as conversion_share,
        rank() over (partition by attribution_model order by round(conversion_credit, 9) desc) as channel_rank
    from unioned
)

select * from final
