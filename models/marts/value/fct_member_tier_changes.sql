{#- From the SCD2 member history (snapshot crm_member_history): each version against the one before it. -#}

with

history as (
    select * from {{ ref('crm_member_history') }}
),

ranked as (
    select
        brand_id,
        member_key,
        tier,
        points_balance,
        dbt_valid_from as valid_from,
        case tier
            when 'normal' then 1
            when 'silver' then 2
            when 'gold' then 3
            when 'platinum' then 4
        end as tier_level,
        lag(tier) over (partition by member_key order by dbt_valid_from) as previous_tier,
        lag(points_balance) over (partition by member_key order by dbt_valid_from) as previous_points_balance
    from history
),

changes as (
    select
        brand_id,
        cast({{ dbt.date_trunc('month', 'valid_from') }} as date) as change_month,
        tier_level,
        previous_tier,
        tier,
        points_balance - previous_points_balance as points_change,
        case previous_tier
            when 'normal' then 1
            when 'silver' then 2
            when 'gold' then 3
            when 'platinum' then 4
        end as previous_tier_level
    from ranked
),

final as (
    select
        brand_id,
        change_month,
        count(*) as member_versions,
        sum(case when previous_tier is null then 1 else 0 end) as new_memberships,
        sum(case when tier_level > previous_tier_level then 1 else 0 end) as upgrades,
        sum(case when tier_level < previous_tier_level then 1 else 0 end) as downgrades,
        sum(case when points_change > 0 then 1 else 0 end) as points_increases,
        sum(case when points_change < 0 then 1 else 0 end) as points_decreases
    from changes
    group by brand_id, change_month
)

select * from final
