{#- What the tags (and so the crowds) read from customer value, without waiting for the CLV fit: the churn
    rule, silence at a brand (the 3-9 month wake-up window) and member points about to expire. -#}

with

summary as (
    select * from {{ ref('clv_customer_summary') }}
),

lifecycle as (
    select * from {{ ref('customer_lifecycle') }}
),

members as (
    select * from {{ ref('stg_raw__crm_members') }}
),

identity_map as (
    select * from {{ ref('identity_map') }}
    where id_type = 'member_id'
),

dates as (
    select * from {{ ref('int_value_dates_resolved') }}
),

latest_member_versions as (
    select
        member_key,
        points_balance,
        points_expire_date,
        row_number() over (partition by member_key order by updated_at desc, member_version_id desc) as version_rank
    from members
),

expiring as (
    select
        identity_map.super_id,
        count(*) as expiring_memberships
    from latest_member_versions
    inner join identity_map on latest_member_versions.member_key = identity_map.id_value
    cross join dates
    where
        latest_member_versions.version_rank = 1
        and latest_member_versions.points_balance > 0
        and latest_member_versions.points_expire_date > dates.as_of_date
        and latest_member_versions.points_expire_date
        <= cast({{ dbt.dateadd('day', var('value_points_expiry_days'), 'dates.as_of_date') }} as date)
    group by identity_map.super_id
),

silent as (
    select
        super_id,
        count(*) as silent_brands
    from lifecycle
    where lifecycle_stage = 'silent'
    group by super_id
),

churn_rule as (
    select
        super_id,
        {{ dbt.datediff('last_purchase_date', 'calibration_end_date', 'day') }}
            as days_since_last_purchase,
        {{ dbt.datediff('first_purchase_date', 'last_purchase_date', 'day') }}
            as repeat_span_days,
        frequency
    from summary
),

paced as (
    select
        super_id,
        days_since_last_purchase,
        cast(repeat_span_days as double) / nullif(frequency, 0) as mean_days_between_purchases
    from churn_rule
),

persons as (
    select super_id from paced
    union
    select super_id from silent
    union
    select super_id from expiring
),

final as (
    select
        persons.super_id,
        coalesce(
            paced.days_since_last_purchase
            > {{ var('value_churn_rule_multiple') }} * paced.mean_days_between_purchases,
            false
        ) as is_churn_risk,
        coalesce(silent.silent_brands, 0) as silent_brands,
        coalesce(expiring.expiring_memberships, 0) as expiring_memberships
    from persons
    left join paced on persons.super_id = paced.super_id
    left join silent on persons.super_id = silent.super_id
    left join expiring on persons.super_id = expiring.super_id
)

select * from final
