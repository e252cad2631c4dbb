{#- The brands' own third-party ad monitoring (fits.ad_monitoring_events, from <lake>/uploads/ad_monitoring/)
    evaluated like the platform's ad events: per campaign, the impressions the vendor logged, how many match a
    person through the identity map (device id, else phone hash), the persons reached and the frequency, the
    treated and holdout audience members reached, beside what the platform's own ad events report. -#}

with

monitored as (
    select * from {{ source('fits', 'ad_monitoring_events') }}
),

identity_map as (
    select * from {{ ref('identity_map') }}
),

members as (
    select * from {{ ref('int_campaign_audience_members') }}
),

platform as (
    select * from {{ ref('fct_campaign_reach') }}
),

matched as (
    select
        monitored.campaign_id,
        monitored.event_at,
        identity_map.super_id
    from monitored
    left join identity_map
        on monitored.id_type = identity_map.id_type and monitored.id_value = identity_map.id_value
),

per_person as (
    select
        campaign_id,
        super_id,
        count(*) as impressions
    from matched
    where super_id is not null
    group by campaign_id, super_id
),

reach as (
    select
        per_person.campaign_id,
        count(*) as reached_persons,
        sum(case when members.audience_group = 'treated' then 1 else 0 end) as reached_treated_persons,
        sum(case when members.audience_group = 'holdout' then 1 else 0 end) as reached_holdout_persons
    from per_person
    left join members
        on per_person.campaign_id = members.campaign_id and per_person.super_id = members.super_id
    group by per_person.campaign_id
),

impressions as (
    select
        campaign_id,
        count(*) as monitored_impressions,
        sum(case when super_id is not null then 1 else 0 end) as matched_impressions,
        min({{ business_date('event_at') }}) as first_date,
        max({{ business_date('event_at') }}) as last_date
    from matched
    group by campaign_id
),

final as (
    select
        impressions.campaign_id,
        platform.channel,
        coalesce(platform.brand_id, 'unknown') as brand_id,
        impressions.first_date,
        impressions.last_date,
        cast(impressions.monitored_impressions as bigint) as monitored_impressions,
        cast(impressions.matched_impressions as bigint) as matched_impressions,
        cast(impressions.matched_impressions as double) / impressions.monitored_impressions as match_rate,
        cast(coalesce(reach.reached_persons, 0) as bigint) as reached_persons,
        cast(coalesce(reach.reached_treated_persons, 0) as bigint) as reached_treated_persons,
        cast(coalesce(reach.reached_holdout_persons, 0) as bigint) as reached_holdout_persons,
        cast(impressions.matched_impressions as double) / nullif(reach.reached_persons, 0) as frequency,
        platform.reached_persons as platform_reached_persons,
        platform.exposures as platform_exposures
    from impressions
    left join reach on impressions.campaign_id = reach.campaign_id
    left join platform on impressions.campaign_id = platform.campaign_id
)

select * from final
