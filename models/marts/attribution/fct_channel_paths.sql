{#- The distinct transformed channel paths with how many paths ended in an order and how many did not: the input
    of the data-driven models (Markov removal effect, Shapley values). An order with no touchpoints has the empty
    path ''. -#}

with

paths as (
    select * from {{ ref('fct_conversion_paths') }}
),

final as (
    select
        channel_path,
        max(path_channel_count) as path_channel_count,
        max(path_touchpoints) as max_path_touchpoints,
        cast(sum(case when is_conversion then 1 else 0 end) as bigint) as conversions,
        cast(sum(case when is_conversion then 0 else 1 end) as bigint) as non_conversions,
        cast(sum(conversion_value) as decimal(38, 2)) as conversion_value
    from paths
    group by channel_path
)

select * from final
