{#- Every rule model's credit per channel side by side (the Attribution dashboard's table): conversions credited
    (fractions of orders) and value credited, with each channel's share of the model's total value. -#}

with

credits as (
    select * from {{ ref('fct_attribution_credits') }}
),

per_channel as (
    select
        attribution_model,
        channel,
        sum(conversion_credit) as conversion_credit,
        cast(sum(value_credit) as decimal(38, 2)) as value_credit,
        count(distinct order_id) as orders_touched
    from credits
    group by attribution_model, channel
),

final as (
    select
        attribution_model,
        channel,
        conversion_credit,
        value_credit,
        orders_touched,
        cast(value_credit as double)
        / nullif(cast(sum(value_credit) over (partition by attribution_model) as double), 0)
            as value_share
    from per_channel
)

select * from final
