{#- OBSERVATIONAL lift of each campaign (for campaigns without a random holdout; computed for every campaign so
    it can be checked against the randomized estimate): the campaign's treated audience (the persons it set out
    to expose) against persons outside its audience (the holdout is ignored), matched exactly on strata of tags
    fixed before the campaign (person kind, retail account) and of pre-period behaviour (purchased, browsed in the
    var effect_pre_period_days days before the start); the controls are reweighted per stratum to the treated
    persons' mix. The estimate is sum over strata of treated share x (treated mean - control mean), its 95% normal
    interval from the per-stratum variances. Treated persons in a stratum without controls are left out
    (matched_treated says how many count). The treated side is the audience, not the persons an exposure was
    observed for: whether an exposure lands on the same super_id as the person's orders depends on how well
    their identifiers are linked, which also decides whether their purchases are seen, so conditioning on an
    observed exposure would compare by identity linkage. Not randomized: it holds only when the strata capture
    who was chosen for the campaign. -#}

{%- set z = '1.959964e0' %}

with

outcomes as (
    select * from {{ ref('fct_campaign_member_outcomes') }}
),

activity as (
    select * from {{ ref('int_person_daily_activity') }}
),

persons as (
    select * from {{ ref('dim_persons') }}
),

tags as (
    select * from {{ ref('user_tags_wide') }}
),

windows as (
    select distinct
        campaign_id,
        channel,
        brand_id,
        window_start,
        window_end,
        cast({{ dbt.dateadd('day', -var('effect_pre_period_days'), 'window_start') }} as date) as pre_period_start
    from outcomes
),

profiles as (
    select
        persons.super_id,
        persons.person_kind,
        coalesce(tags.has_retail_account, 'unknown') as has_retail_account
    from persons
    left join tags on persons.super_id = tags.super_id
),

candidates as (
    {#- everyone outside the campaign's audience is a candidate control #}
    select
        windows.campaign_id,
        profiles.super_id,
        'control' as match_group
    from windows
    cross join profiles
    left join outcomes
        on windows.campaign_id = outcomes.campaign_id and profiles.super_id = outcomes.super_id
    where outcomes.super_id is null
),

targeted as (
    select
        campaign_id,
        super_id,
        'treated' as match_group
    from outcomes
    where audience_group = 'treated'
),

compared as (
    select * from targeted
    union all
    select * from candidates
),

compared_activity as (
    select
        compared.campaign_id,
        compared.super_id,
        sum(case when activity.activity_date >= windows.window_start then activity.page_views else 0 end)
            as page_views,
        sum(case when activity.activity_date >= windows.window_start then activity.searches else 0 end)
            as searches,
        sum(case when activity.activity_date >= windows.window_start then activity.add_to_carts else 0 end)
            as add_to_carts,
        sum(case when activity.activity_date >= windows.window_start then activity.paid_orders else 0 end)
            as paid_orders,
        sum(case when activity.activity_date >= windows.window_start then activity.spend else 0 end) as spend,
        sum(case when activity.activity_date < windows.window_start then activity.page_views else 0 end)
            as pre_page_views,
        sum(case when activity.activity_date < windows.window_start then activity.paid_orders else 0 end)
            as pre_paid_orders
    from compared
    inner join windows on compared.campaign_id = windows.campaign_id
    inner join activity
        on
            compared.super_id = activity.super_id
            and activity.activity_date between windows.pre_period_start and windows.window_end
    group by compared.campaign_id, compared.super_id
),

units as (
    select
        compared.campaign_id,
        compared.match_group,
        profiles.person_kind
        || '|' || profiles.has_retail_account
        || '|' || case when coalesce(compared_activity.pre_paid_orders, 0) > 0 then 'bought' else 'none' end
        || '|' || case when coalesce(compared_activity.pre_page_views, 0) > 0 then 'browsed' else 'none' end
            as stratum,
        case when coalesce(compared_activity.page_views, 0) > 0 then 1e0 else 0e0 end as browsed,
        case when coalesce(compared_activity.searches, 0) > 0 then 1e0 else 0e0 end as searched,
        case when coalesce(compared_activity.add_to_carts, 0) > 0 then 1e0 else 0e0 end as added_to_cart,
        case when coalesce(compared_activity.paid_orders, 0) > 0 then 1e0 else 0e0 end as purchased,
        cast(coalesce(compared_activity.spend, 0) as double) as spend
    from compared
    inner join profiles on compared.super_id = profiles.super_id
    left join compared_activity
        on compared.campaign_id = compared_activity.campaign_id and compared.super_id = compared_activity.super_id
),

{%- set metrics = [
    ('browse_rate', 'browsed', 'rate'),
    ('search_rate', 'searched', 'rate'),
    ('add_to_cart_rate', 'added_to_cart', 'rate'),
    ('purchase_rate', 'purchased', 'rate'),
    ('spend_per_member', 'spend', 'amount'),
] %}

long as (
    {%- for metric, outcome, kind in metrics %}
        select
            campaign_id,
            match_group,
            stratum,
            '{{ metric }}' as metric,
            '{{ kind }}' as metric_kind,
            {{ outcome }} as y
        from units
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

cells as (
    select
        campaign_id,
        metric,
        metric_kind,
        stratum,
        cast(sum(case when match_group = 'treated' then 1 else 0 end) as bigint) as n_treated,
        cast(sum(case when match_group = 'control' then 1 else 0 end) as bigint) as n_control,
        sum(case when match_group = 'treated' then y else 0e0 end) as sum_treated,
        sum(case when match_group = 'treated' then y * y else 0e0 end) as sumsq_treated,
        sum(case when match_group = 'control' then y else 0e0 end) as sum_control,
        sum(case when match_group = 'control' then y * y else 0e0 end) as sumsq_control
    from long
    group by campaign_id, metric, metric_kind, stratum
),

matched as (
    select
        *,
        sum_treated / n_treated as mean_treated,
        sum_control / n_control as mean_control,
        case
            when n_treated > 1
                then greatest((sumsq_treated - sum_treated * sum_treated / n_treated) / (n_treated - 1), 0e0)
            else 0e0
        end as var_treated,
        case
            when n_control > 1
                then greatest((sumsq_control - sum_control * sum_control / n_control) / (n_control - 1), 0e0)
            else 0e0
        end as var_control,
        sum(n_treated) over (partition by campaign_id, metric) as all_treated
    from cells
    where n_treated > 0 and n_control > 0
),

pooled as (
    select
        campaign_id,
        metric,
        metric_kind,
        count(*) as strata,
        cast(sum(n_treated) as bigint) as matched_treated,
        cast(sum(n_control) as bigint) as controls,
        sum(1e0 * n_treated * mean_treated) / sum(n_treated) as mean_treated,
        sum(1e0 * n_treated * mean_control) / sum(n_treated) as mean_control_reweighted,
        sum(
            (1e0 * n_treated / all_treated) * (1e0 * n_treated / all_treated)
            * (var_treated / n_treated + var_control / n_control)
        ) as variance
    from matched
    group by campaign_id, metric, metric_kind
),

holdouts as (
    select
        campaign_id,
        count(*) > 0 as has_holdout
    from outcomes
    where audience_group = 'holdout'
    group by campaign_id
),

treated_counts as (
    select
        campaign_id,
        count(*) as treated_members
    from targeted
    group by campaign_id
),

final as (
    select
        pooled.campaign_id,
        windows.channel,
        windows.brand_id,
        pooled.metric,
        pooled.metric_kind,
        'observational' as estimate_kind,
        'matched control: exact strata of pre-period tags, controls reweighted' as estimate_method,
        coalesce(holdouts.has_holdout, false) as has_holdout,
        treated_counts.treated_members,
        pooled.matched_treated,
        pooled.controls,
        pooled.strata,
        pooled.mean_treated,
        pooled.mean_control_reweighted,
        pooled.mean_treated - pooled.mean_control_reweighted as lift,
        pooled.mean_treated - pooled.mean_control_reweighted - {{ z }} * sqrt(pooled.variance) as lift_low,
        pooled.mean_treated - pooled.mean_control_reweighted + {{ z }} * sqrt(pooled.variance) as lift_high
    from pooled
    inner join windows on pooled.campaign_id = windows.campaign_id
    inner join treated_counts on pooled.campaign_id = treated_counts.campaign_id
    left join holdouts on pooled.campaign_id = holdouts.campaign_id
)

select * from final
