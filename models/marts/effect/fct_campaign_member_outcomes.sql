{#- Each audience member's outcomes in the campaign's outcome window, from the campaign's start for var
    effect_window_days days (cut at the last day of data), and the same outcomes in the pre-period (the var
    effect_pre_period_days days before the start: the CUPED covariate). Treated and holdout members are measured
    over the same dates, so their difference is the campaign's effect on those it targeted (intent to treat);
    exposure (first exposure, exposures) says whom the campaign reached. -#}

with

members as (
    select * from {{ ref('int_campaign_audience_members') }}
),

campaigns as (
    select * from {{ ref('int_campaigns_resolved') }}
),

activity as (
    select * from {{ ref('int_person_daily_activity') }}
),

touchpoints as (
    select * from {{ ref('fct_touchpoints') }}
    where touch_type in ('impression', 'click', 'message_sent') and campaign_id is not null
),

data_end as (
    select max(activity_date) as last_date from activity
),

windows as (
    select
        campaigns.campaign_id,
        campaigns.channel,
        campaigns.brand_id,
        campaigns.start_date as window_start,
        least(
            cast({{ dbt.dateadd('day', var('effect_window_days') - 1, 'campaigns.start_date') }} as date),
            data_end.last_date
        ) as window_end,
        cast({{ dbt.dateadd('day', -var('effect_pre_period_days'), 'campaigns.start_date') }} as date)
            as pre_period_start
    from campaigns
    cross join data_end
    where campaigns.start_date is not null
),

exposures as (
    select
        campaign_id,
        super_id,
        min(touch_at) as first_exposed_at,
        count(*) as exposures
    from touchpoints
    group by campaign_id, super_id
),

member_activity as (
    select
        members.campaign_id,
        members.super_id,
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
        sum(case when activity.activity_date < windows.window_start then activity.searches else 0 end)
            as pre_searches,
        sum(case when activity.activity_date < windows.window_start then activity.add_to_carts else 0 end)
            as pre_add_to_carts,
        sum(case when activity.activity_date < windows.window_start then activity.paid_orders else 0 end)
            as pre_paid_orders,
        sum(case when activity.activity_date < windows.window_start then activity.spend else 0 end) as pre_spend
    from members
    inner join windows on members.campaign_id = windows.campaign_id
    inner join activity
        on
            members.super_id = activity.super_id
            and activity.activity_date between windows.pre_period_start and windows.window_end
    group by members.campaign_id, members.super_id
),

final as (
    select
        members.campaign_id,
        windows.channel,
        windows.brand_id,
        members.super_id,
        members.audience_group,
        windows.window_start,
        windows.window_end,
        exposures.first_exposed_at,
        coalesce(exposures.exposures, 0) as exposures,
        coalesce(member_activity.page_views, 0) > 0 as has_browsed,
        coalesce(member_activity.searches, 0) > 0 as has_searched,
        coalesce(member_activity.add_to_carts, 0) > 0 as has_added_to_cart,
        coalesce(member_activity.paid_orders, 0) > 0 as has_purchased,
        cast(coalesce(member_activity.paid_orders, 0) as bigint) as paid_orders,
        cast(coalesce(member_activity.spend, 0) as decimal(38, 2)) as spend,
        coalesce(member_activity.pre_page_views, 0) > 0 as pre_has_browsed,
        coalesce(member_activity.pre_searches, 0) > 0 as pre_has_searched,
        coalesce(member_activity.pre_add_to_carts, 0) > 0 as pre_has_added_to_cart,
        coalesce(member_activity.pre_paid_orders, 0) > 0 as pre_has_purchased,
        cast(coalesce(member_activity.pre_spend, 0) as decimal(38, 2)) as pre_spend
    from members
    inner join windows on members.campaign_id = windows.campaign_id
    left join exposures
        on members.campaign_id = exposures.campaign_id and members.super_id = exposures.super_id
    left join member_activity
        on members.campaign_id = member_activity.campaign_id and members.super_id = member_activity.super_id
)

select * from final
