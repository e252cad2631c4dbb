{#- One row per person (super_id) with what they did in the look-back windows: app events by type, hour,
    platform and traffic source (behaviour window), ad impressions and clicks, messages received and clicked,
    and orders, spend and prices (purchase window), plus ranks among buyers. Zero when they did nothing. -#}

with

persons as (
    select * from {{ ref('dim_persons') }}
),

app_events as (
    select * from {{ ref('int_app_events_attributed') }}
),

order_lines as (
    select * from {{ ref('int_order_lines_attributed') }}
),

ad_events as (
    select * from {{ ref('stg_raw__ad_events') }}
),

message_events as (
    select * from {{ ref('stg_raw__message_events') }}
),

identity_map as (
    select * from {{ ref('identity_map') }}
),

products as (
    select * from {{ ref('dim_products') }}
),

windows as (
    select * from {{ ref('int_tag_windows_resolved') }}
),

-- Customer value's wake-up and churn flags (a public value mart, computed without the CLV fit).
value_flags as (
    select * from {{ ref('customer_wake_up_flags') }}
),

category_prices as (
    select
        category_l1,
        avg(cast(list_price as double)) as average_list_price
    from products
    group by category_l1
),

app_activity as (
    select
        app_events.super_id,
        count(*) as app_events,
        count(distinct app_events.event_date) as active_days,
        max(app_events.event_date) as last_visit_date,
        sum(case when app_events.event_type = 'page_view' then 1 else 0 end) as page_views,
        sum(case when app_events.event_type = 'search' then 1 else 0 end) as searches,
        sum(case when app_events.event_type = 'add_to_cart' then 1 else 0 end) as cart_adds,
        sum(case when app_events.event_type = 'favorite' then 1 else 0 end) as favorites,
        sum(case when app_events.event_type = 'share' then 1 else 0 end) as share_events,
        sum(case when app_events.event_type = 'login' then 1 else 0 end) as logins,
        count(distinct case when app_events.event_type = 'share' then app_events.sku_id end) as shared_skus,
        sum(case when app_events.local_hour >= 6 and app_events.local_hour < 10 then 1 else 0 end)
            as morning_events,
        sum(case when app_events.local_hour >= 10 and app_events.local_hour < 18 then 1 else 0 end)
            as daytime_events,
        sum(case when app_events.local_hour >= 18 then 1 else 0 end) as evening_events,
        sum(case when app_events.local_hour < 6 then 1 else 0 end) as night_events,
        sum(case when app_events.is_weekend then 1 else 0 end) as weekend_events,
        sum(case when app_events.platform = 'app' then 1 else 0 end) as app_platform_events,
        sum(case when app_events.platform = 'web' then 1 else 0 end) as web_platform_events,
        sum(case when app_events.platform = 'miniprogram' then 1 else 0 end) as miniprogram_platform_events,
        sum(case when app_events.channel = 'organic' then 1 else 0 end) as organic_events,
        sum(case when app_events.channel = 'wechat' then 1 else 0 end) as wechat_events,
        sum(case when app_events.channel = 'douyin' then 1 else 0 end) as douyin_events,
        sum(case when app_events.channel = 'kuaishou' then 1 else 0 end) as kuaishou_events,
        sum(case when app_events.channel = 'baidu' then 1 else 0 end) as baidu_events,
        sum(case when app_events.channel in ('dsp', 'sms', 'edm') then 1 else 0 end) as paid_media_events,
        sum(case when app_events.campaign_id is not null then 1 else 0 end) as campaign_events,
        sum(
            case
                when app_events.launch_date >= {{ dbt.dateadd('day', -180, 'windows.as_of_date') }} then 1
                else 0
            end
        ) as new_product_events,
        sum(case when app_events.list_price > 1.3 * category_prices.average_list_price then 1 else 0 end)
            as premium_product_events,
        sum(case when app_events.list_price < 0.7 * category_prices.average_list_price then 1 else 0 end)
            as budget_product_events,
        sum(case when app_events.sku_id is not null then 1 else 0 end) as product_events,
        count(distinct app_events.category_l1) as categories_browsed,
        count(distinct app_events.brand_id) as brands_browsed
    from app_events
    cross join windows
    left join category_prices on app_events.category_l1 = category_prices.category_l1
    group by app_events.super_id
),

keywords as (
    select
        super_id,
        keyword,
        row_number() over (partition by super_id order by count(*) desc, keyword asc) as keyword_rank
    from app_events
    where keyword is not null
    group by super_id, keyword
),

ad_events_attributed as (
    select
        coalesce(by_device.super_id, by_phone.super_id) as super_id,
        ad_events.event_type,
        ad_events.channel
    from ad_events
    cross join windows
    left join identity_map as by_device
        on by_device.id_type = 'device_id' and ad_events.device_id = by_device.id_value
    left join identity_map as by_phone
        on by_phone.id_type = 'phone_sha256' and ad_events.phone_sha256 = by_phone.id_value
    where
        ad_events.event_date between windows.behaviour_window_start and windows.as_of_date
        and coalesce(by_device.super_id, by_phone.super_id) is not null
),

ad_activity as (
    select
        super_id,
        sum(case when event_type = 'impression' then 1 else 0 end) as ad_impressions,
        sum(case when event_type = 'click' then 1 else 0 end) as ad_clicks,
        sum(
            case
                when event_type = 'click' and channel in ('wechat', 'douyin', 'kuaishou') then 1
                else 0
            end
        ) as social_ad_clicks
    from ad_events_attributed
    group by super_id
),

message_events_attributed as (
    select
        coalesce(by_phone.super_id, by_email.super_id) as super_id,
        message_events.event_type,
        message_events.channel
    from message_events
    cross join windows
    left join identity_map as by_phone
        on by_phone.id_type = 'phone_sha256' and message_events.phone_sha256 = by_phone.id_value
    left join identity_map as by_email
        on by_email.id_type = 'email_sha256' and message_events.email_sha256 = by_email.id_value
    where
        message_events.event_date between windows.behaviour_window_start and windows.as_of_date
        and coalesce(by_phone.super_id, by_email.super_id) is not null
),

message_activity as (
    select
        super_id,
        sum(case when channel = 'sms' and event_type = 'delivered' then 1 else 0 end) as sms_received,
        sum(case when channel = 'sms' and event_type = 'clicked' then 1 else 0 end) as sms_clicks,
        sum(case when channel = 'edm' and event_type = 'delivered' then 1 else 0 end) as edm_received,
        sum(case when channel = 'edm' and event_type = 'clicked' then 1 else 0 end) as edm_clicks,
        sum(case when event_type = 'unsubscribed' then 1 else 0 end) as unsubscribes
    from message_events_attributed
    group by super_id
),

order_activity as (
    select
        super_id,
        count(distinct case when status = 'paid' then order_id end) as paid_orders,
        count(distinct case when status = 'returned' then order_id end) as returned_orders,
        count(distinct case when status = 'cancelled' then order_id end) as cancelled_orders,
        count(distinct case when status = 'paid' and sales_channel = 'offline' then order_id end)
            as offline_orders,
        count(distinct case when status = 'paid' and sales_channel = 'online' then order_id end)
            as online_orders,
        sum(case when status = 'paid' then paid_amount else 0 end) as spend,
        sum(case when status = 'paid' then quantity else 0 end) as items_bought,
        avg(case when status = 'paid' then price_index end) as average_price_index,
        max(case when status = 'paid' then unit_price end) as highest_unit_price,
        min(case when status = 'paid' then order_date end) as first_order_date,
        max(case when status = 'paid' then order_date end) as last_order_date,
        count(distinct case when status = 'paid' then brand_id end) as brands_bought,
        count(distinct case when status = 'paid' then category_l1 end) as categories_bought
    from order_lines
    group by super_id
),

brand_spend as (
    select
        super_id,
        brand_id,
        sum(paid_amount) as brand_spend,
        row_number() over (partition by super_id order by sum(paid_amount) desc, brand_id asc) as brand_rank
    from order_lines
    where status = 'paid'
    group by super_id, brand_id
),

joined as (
    select
        persons.super_id,
        windows.as_of_date,
        coalesce(app_activity.app_events, 0) as app_events,
        coalesce(app_activity.active_days, 0) as active_days,
        app_activity.last_visit_date,
        {{ dbt.datediff('app_activity.last_visit_date', 'windows.as_of_date', 'day') }}
            as days_since_last_visit,
        coalesce(app_activity.page_views, 0) as page_views,
        coalesce(app_activity.searches, 0) as searches,
        coalesce(app_activity.cart_adds, 0) as cart_adds,
        coalesce(app_activity.favorites, 0) as favorites,
        coalesce(app_activity.share_events, 0) as share_events,
        coalesce(app_activity.logins, 0) as logins,
        coalesce(app_activity.shared_skus, 0) as shared_skus,
        coalesce(app_activity.morning_events, 0) as morning_events,
        coalesce(app_activity.daytime_events, 0) as daytime_events,
        coalesce(app_activity.evening_events, 0) as evening_events,
        coalesce(app_activity.night_events, 0) as night_events,
        coalesce(app_activity.weekend_events, 0) as weekend_events,
        coalesce(app_activity.app_platform_events, 0) as app_platform_events,
        coalesce(app_activity.web_platform_events, 0) as web_platform_events,
        coalesce(app_activity.miniprogram_platform_events, 0) as miniprogram_platform_events,
        coalesce(app_activity.organic_events, 0) as organic_events,
        coalesce(app_activity.wechat_events, 0) as wechat_events,
        coalesce(app_activity.douyin_events, 0) as douyin_events,
        coalesce(app_activity.kuaishou_events, 0) as kuaishou_events,
        coalesce(app_activity.baidu_events, 0) as baidu_events,
        coalesce(app_activity.paid_media_events, 0) as paid_media_events,
        coalesce(app_activity.campaign_events, 0) as campaign_events,
        coalesce(app_activity.new_product_events, 0) as new_product_events,
        coalesce(app_activity.premium_product_events, 0) as premium_product_events,
        coalesce(app_activity.budget_product_events, 0) as budget_product_events,
        coalesce(app_activity.product_events, 0) as product_events,
        coalesce(app_activity.categories_browsed, 0) as categories_browsed,
        coalesce(app_activity.brands_browsed, 0) as brands_browsed,
        keywords.keyword as top_search_keyword,
        coalesce(ad_activity.ad_impressions, 0) as ad_impressions,
        coalesce(ad_activity.ad_clicks, 0) as ad_clicks,
        coalesce(ad_activity.social_ad_clicks, 0) as social_ad_clicks,
        coalesce(message_activity.sms_received, 0) as sms_received,
        coalesce(message_activity.sms_clicks, 0) as sms_clicks,
        coalesce(message_activity.edm_received, 0) as edm_received,
        coalesce(message_activity.edm_clicks, 0) as edm_clicks,
        coalesce(message_activity.unsubscribes, 0) as unsubscribes,
        coalesce(order_activity.paid_orders, 0) as paid_orders,
        coalesce(order_activity.returned_orders, 0) as returned_orders,
        coalesce(order_activity.cancelled_orders, 0) as cancelled_orders,
        coalesce(order_activity.offline_orders, 0) as offline_orders,
        coalesce(order_activity.online_orders, 0) as online_orders,
        cast(coalesce(order_activity.spend, 0) as double) as spend,
        coalesce(order_activity.items_bought, 0) as items_bought,
        order_activity.average_price_index,
        cast(order_activity.highest_unit_price as double) as highest_unit_price,
        order_activity.first_order_date,
        order_activity.last_order_date,
        {{ dbt.datediff('order_activity.first_order_date', 'windows.as_of_date', 'day') }}
            as days_since_first_order,
        {{ dbt.datediff('order_activity.last_order_date', 'windows.as_of_date', 'day') }}
            as days_since_last_order,
        coalesce(order_activity.brands_bought, 0) as brands_bought,
        coalesce(order_activity.categories_bought, 0) as categories_bought,
        brand_spend.brand_id as top_brand_bought,
        cast(brand_spend.brand_spend as double) / nullif(cast(order_activity.spend as double), 0)
            as top_brand_spend_share,
        coalesce(value_flags.is_churn_risk, false) as is_churn_risk,
        coalesce(value_flags.silent_brands, 0) as silent_brands,
        coalesce(value_flags.expiring_memberships, 0) as expiring_memberships
    from persons
    cross join windows
    left join app_activity on persons.super_id = app_activity.super_id
    left join keywords on persons.super_id = keywords.super_id and keywords.keyword_rank = 1
    left join ad_activity on persons.super_id = ad_activity.super_id
    left join message_activity on persons.super_id = message_activity.super_id
    left join order_activity on persons.super_id = order_activity.super_id
    left join brand_spend on persons.super_id = brand_spend.super_id and brand_spend.brand_rank = 1
    left join value_flags on persons.super_id = value_flags.super_id
),

final as (
    select
        joined.*,
        case
            when joined.paid_orders > 0 then joined.spend / joined.paid_orders
        end as average_order_value,
        -- Responses to marketing over all touches: campaign-tagged visits, ad and message clicks.
        cast(joined.campaign_events + joined.ad_clicks + joined.sms_clicks + joined.edm_clicks as double)
        / nullif(joined.app_events + joined.ad_clicks + joined.sms_clicks + joined.edm_clicks, 0)
            as promotion_response_share,
        case
            when joined.paid_orders > 0
                then percent_rank() over (partition by joined.paid_orders > 0 order by joined.spend)
        end as spend_percentile,
        case
            when joined.app_events > 0
                then percent_rank() over (partition by joined.app_events > 0 order by joined.app_events)
        end as activity_percentile
    from joined
)

select * from final
