{#- Every campaign the effect evaluation sees (in the catalogue, an uploaded audience or a touchpoint) with its
    channel, brand and dates: the catalogue's, else what the touchpoints show (a campaign whose catalogue line
    was quarantined keeps its evaluation: its first and last exposure days, its touches' channel). -#}

with

campaigns as (
    select * from {{ ref('dim_campaigns') }}
),

audiences as (
    select distinct campaign_id from {{ ref('int_campaign_audience_members') }}
),

touchpoints as (
    select * from {{ ref('fct_touchpoints') }}
    where touch_type in ('impression', 'click', 'message_sent') and campaign_id is not null
),

observed as (
    select
        campaign_id,
        min(channel) as channel,
        min(touch_date) as first_touch_date,
        max(touch_date) as last_touch_date
    from touchpoints
    group by campaign_id
),

campaign_ids as (
    select campaign_id from campaigns
    union
    select campaign_id from audiences
    union
    select campaign_id from observed
),

final as (
    select
        campaign_ids.campaign_id,
        coalesce(campaigns.campaign_name, campaign_ids.campaign_id) as campaign_name,
        coalesce(campaigns.channel, observed.channel, 'unknown') as channel,
        coalesce(campaigns.brand_id, 'unknown') as brand_id,
        coalesce(campaigns.start_date, observed.first_touch_date) as start_date,
        coalesce(campaigns.end_date, observed.last_touch_date) as end_date,
        campaigns.campaign_id is not null as is_in_catalogue
    from campaign_ids
    left join campaigns on campaign_ids.campaign_id = campaigns.campaign_id
    left join observed on campaign_ids.campaign_id = observed.campaign_id
)

select * from final
