{#- Reach and frequency of each campaign on its channel: audience and holdout sizes (the uploaded audience
    matched to persons), persons exposed (an impression, click or message sent), exposures, frequency
    (exposures per reached person) and the share of the treated audience reached. Exposed persons outside the
    uploaded audience count in reach too (an audience may be missing). -#}

with

campaigns as (
    select * from {{ ref('int_campaigns_resolved') }}
),

members as (
    select * from {{ ref('int_campaign_audience_members') }}
),

touchpoints as (
    select * from {{ ref('fct_touchpoints') }}
    where touch_type in ('impression', 'click', 'message_sent') and campaign_id is not null
),

exposed as (
    select
        campaign_id,
        super_id,
        count(*) as exposures,
        sum(case when touch_type = 'click' then 1 else 0 end) as clicks
    from touchpoints
    group by campaign_id, super_id
),

audience as (
    select
        campaign_id,
        sum(case when audience_group = 'treated' then 1 else 0 end) as treated_persons,
        sum(case when audience_group = 'holdout' then 1 else 0 end) as holdout_persons
    from members
    group by campaign_id
),

reach as (
    select
        exposed.campaign_id,
        count(*) as reached_persons,
        sum(exposed.exposures) as exposures,
        sum(exposed.clicks) as clicks,
        sum(case when members.audience_group = 'treated' then 1 else 0 end) as reached_treated_persons,
        sum(case when members.audience_group = 'holdout' then 1 else 0 end) as reached_holdout_persons
    from exposed
    left join members on exposed.campaign_id = members.campaign_id and exposed.super_id = members.super_id
    group by exposed.campaign_id
),

final as (
    select
        campaigns.campaign_id,
        campaigns.campaign_name,
        campaigns.channel,
        campaigns.brand_id,
        campaigns.start_date,
        campaigns.end_date,
        campaigns.is_in_catalogue,
        cast(coalesce(audience.treated_persons, 0) as bigint) as treated_persons,
        cast(coalesce(audience.holdout_persons, 0) as bigint) as holdout_persons,
        cast(coalesce(reach.reached_persons, 0) as bigint) as reached_persons,
        cast(coalesce(reach.reached_treated_persons, 0) as bigint) as reached_treated_persons,
        cast(coalesce(reach.reached_holdout_persons, 0) as bigint) as reached_holdout_persons,
        cast(coalesce(reach.exposures, 0) as bigint) as exposures,
        cast(coalesce(reach.clicks, 0) as bigint) as clicks,
        cast(reach.exposures as double) / nullif(reach.reached_persons, 0) as frequency,
        cast(reach.reached_treated_persons as double) / nullif(audience.treated_persons, 0) as treated_reach_share
    from campaigns
    left join audience on campaigns.campaign_id = audience.campaign_id
    left join reach on campaigns.campaign_id = reach.campaign_id
)

select * from final
