{#- Lift of each campaign (on its channel) on its audience: treated minus holdout in the browse, search,
    add-to-cart and purchase rates (share of members with one in the outcome window) and in spend per member.
    95% intervals: Newcombe's hybrid score interval (method 10, from the two Wilson intervals) for the rates,
    the normal interval of a difference of means with Welch's standard errors (the delta method for the mean)
    for spend. CUPED: each outcome adjusted by its pre-period value, theta = cov(y, x) / var(x) over both groups,
    its interval from the adjusted variances; cuped_narrowing is how much narrower than the unadjusted normal
    interval it is (0 when the lake has no pre-period). -#}

{#- Literals are doubles (1e0): Trino reads 1.0 as a decimal and would compute means in tenths. -#}
{%- set z = '1.959964e0' %}

with

outcomes as (
    select * from {{ ref('fct_campaign_member_outcomes') }}
),

{%- set metrics = [
    ('browse_rate', 'has_browsed', 'pre_has_browsed', 'rate'),
    ('search_rate', 'has_searched', 'pre_has_searched', 'rate'),
    ('add_to_cart_rate', 'has_added_to_cart', 'pre_has_added_to_cart', 'rate'),
    ('purchase_rate', 'has_purchased', 'pre_has_purchased', 'rate'),
    ('spend_per_member', 'spend', 'pre_spend', 'amount'),
] %}

long as (
    {%- for metric, outcome, covariate, kind in metrics %}
        select
            campaign_id,
            channel,
            brand_id,
            audience_group,
            '{{ metric }}' as metric,
            '{{ kind }}' as metric_kind,
            {%- if kind == 'rate' %}
                case when {{ outcome }} then 1e0 else 0e0 end as y,
                case when {{ covariate }} then 1e0 else 0e0 end as x
            {%- else %}
                cast({{ outcome }} as double) as y,
                cast({{ covariate }} as double) as x
            {%- endif %}
        from outcomes
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

per_group as (
    select
        campaign_id,
        channel,
        brand_id,
        metric,
        metric_kind,
        audience_group,
        count(*) as n,
        sum(y) as sum_y,
        sum(y * y) as sum_yy,
        sum(x) as sum_x,
        sum(x * x) as sum_xx,
        sum(x * y) as sum_xy
    from long
    group by campaign_id, channel, brand_id, metric, metric_kind, audience_group
),

{%- set groups = ['treated', 'holdout'] %}

paired as (
    select
        treated.campaign_id,
        treated.channel,
        treated.brand_id,
        treated.metric,
        treated.metric_kind,
        {%- for g in groups %}
            {{ g }}.n as n_{{ g }},
            {{ g }}.sum_y / {{ g }}.n as mean_{{ g }},
            {{ g }}.sum_x / {{ g }}.n as pre_mean_{{ g }},
            ({{ g }}.sum_yy - {{ g }}.sum_y * {{ g }}.sum_y / {{ g }}.n) / nullif({{ g }}.n - 1, 0) as var_y_{{ g }},
            ({{ g }}.sum_xx - {{ g }}.sum_x * {{ g }}.sum_x / {{ g }}.n) / nullif({{ g }}.n - 1, 0) as var_x_{{ g }},
            ({{ g }}.sum_xy - {{ g }}.sum_x * {{ g }}.sum_y / {{ g }}.n) / nullif({{ g }}.n - 1, 0) as cov_{{ g }},
        {%- endfor %}
        treated.sum_x + holdout.sum_x as sum_x,
        treated.sum_xx + holdout.sum_xx as sum_xx,
        treated.sum_y + holdout.sum_y as sum_y,
        treated.sum_xy + holdout.sum_xy as sum_xy,
        treated.n + holdout.n as n
    from per_group as treated
    inner join per_group as holdout
        on
            treated.campaign_id = holdout.campaign_id
            and treated.metric = holdout.metric
            and holdout.audience_group = 'holdout'
    where treated.audience_group = 'treated'
),

wilson as (
    select
        *,
        {%- for g in groups %}
            {%- for side, sign in [('low', '-'), ('high', '+')] %}
                (mean_{{ g }} + {{ z }} * {{ z }} / (2e0 * n_{{ g }})) / (1 + {{ z }} * {{ z }} / n_{{ g }})
                {{ sign }} {{ z }} / (1 + {{ z }} * {{ z }} / n_{{ g }})
                * sqrt(
                    greatest(mean_{{ g }} * (1 - mean_{{ g }}), 0) / n_{{ g }}
                    + {{ z }} * {{ z }} / (4e0 * n_{{ g }} * n_{{ g }})
                )
                    as wilson_{{ side }}_{{ g }},
            {%- endfor %}
        {%- endfor %}
        sqrt(greatest(coalesce(var_y_treated, 0), 0) / n_treated + greatest(coalesce(var_y_holdout, 0), 0) / n_holdout)
            as standard_error,
        case
            when (sum_xx - sum_x * sum_x / n) > 0
                then (sum_xy - sum_x * sum_y / n) / (sum_xx - sum_x * sum_x / n)
            else 0e0
        end as cuped_theta
    from paired
),

estimates as (
    select
        *,
        mean_treated - mean_holdout as lift,
        (mean_treated - mean_holdout)
        - cuped_theta * (pre_mean_treated - pre_mean_holdout) as cuped_lift,
        sqrt(
            {%- for g in groups %}
                {{ '+ ' if not loop.first }}greatest(
                    coalesce(
                        var_y_{{ g }} + cuped_theta * cuped_theta * var_x_{{ g }} - 2 * cuped_theta * cov_{{ g }}, 0
                    ),
                    0
                ) / n_{{ g }}
            {%- endfor %}
        ) as cuped_standard_error
    from wilson
),

final as (
    select
        campaign_id,
        channel,
        brand_id,
        metric,
        metric_kind,
        n_treated,
        n_holdout,
        mean_treated,
        mean_holdout,
        lift,
        lift / nullif(mean_holdout, 0) as relative_lift,
        case
            when metric_kind = 'rate'
                then
                    lift - sqrt(
                        power(mean_treated - wilson_low_treated, 2) + power(wilson_high_holdout - mean_holdout, 2)
                    )
            else lift - {{ z }} * standard_error
        end as lift_low,
        case
            when metric_kind = 'rate'
                then
                    lift + sqrt(
                        power(wilson_high_treated - mean_treated, 2) + power(mean_holdout - wilson_low_holdout, 2)
                    )
            else lift + {{ z }} * standard_error
        end as lift_high,
        case when metric_kind = 'rate' then 'newcombe_hybrid_score' else 'welch_normal' end as interval_method,
        2 * {{ z }} * standard_error as normal_interval_width,
        cuped_theta,
        cuped_lift,
        cuped_lift - {{ z }} * cuped_standard_error as cuped_lift_low,
        cuped_lift + {{ z }} * cuped_standard_error as cuped_lift_high,
        case
            when standard_error > 0 then 1 - cuped_standard_error / standard_error
        end as cuped_narrowing
    from estimates
)

select * from final
