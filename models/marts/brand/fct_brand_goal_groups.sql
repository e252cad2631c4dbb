{#- GOAL per brand and target group (the crowds named brand_goal_crowd_prefix*, crowds/goal.yml), over the
    tags' purchase window (tag_windows) on paid order lines:
      Osmosis    penetration = group members who bought the brand / group members, beside the category's
                 (bought any brand of the brand's category) and the competing brands' (bought another brand of
                 the category);
      Advancing  the group's spend on the brand in the last brand_goal_growth_days days against the as many
                 days before (spend_growth; null when the earlier period sold nothing), and the average CLV
                 of the group's buyers of the brand (customer_clv, over every brand; null where not scored);
      Loyalty    repeat rate (buyers with at least two paid orders of the brand / buyers) and member conversion
                 (buyers who are members of the brand / buyers). -#}

{%- set prefix = var('brand_goal_crowd_prefix') -%}

with

members as (
    select * from {{ ref('crowd_members') }}
    where substr(crowd_name, 1, {{ prefix | length }}) = '{{ prefix }}'
),

groups as (
    select
        crowds.crowd_name,
        count(members.super_id) as group_persons
    from {{ ref('crowds') }} as crowds
    left join members on crowds.crowd_name = members.crowd_name
    where substr(crowds.crowd_name, 1, {{ prefix | length }}) = '{{ prefix }}'
    group by 1
),

identity_map as (
    select * from {{ ref('identity_map') }}
),

products as (
    select * from {{ ref('dim_products') }}
),

windows as (
    select * from {{ ref('tag_windows') }}
),

brands as (
    select
        brand_id,
        min(brand_name) as brand_name,
        min(category_l1) as category_l1
    from products
    where brand_id is not null and brand_id <> 'unknown'
    group by 1
),

purchases as (
    select
        identity_map.super_id,
        products.brand_id,
        products.category_l1,
        order_lines.order_id,
        order_lines.order_date,
        order_lines.paid_amount,
        {{ dbt.datediff('order_lines.order_date', 'windows.as_of_date', 'day') }} as age_days  -- noqa: LT05
    from {{ ref('stg_raw__order_lines') }} as order_lines
    cross join windows
    inner join identity_map
        on identity_map.id_type = 'user_pin' and order_lines.user_pin = identity_map.id_value
    inner join products on order_lines.sku_id = products.sku_id
    where
        order_lines.status = 'paid'
        and order_lines.order_date between windows.purchase_window_start and windows.as_of_date
),

person_brands as (
    select
        super_id,
        brand_id,
        min(category_l1) as category_l1,
        count(distinct order_id) as orders,
        sum(case when age_days < {{ var('brand_goal_growth_days') }} then paid_amount else 0 end) as recent_spend,
        sum(
            case
                when
                    age_days >= {{ var('brand_goal_growth_days') }}
                    and age_days < 2 * {{ var('brand_goal_growth_days') }}
                    then paid_amount
                else 0
            end
        ) as earlier_spend
    from purchases
    group by 1, 2
),

-- Customer value (value domain): the person's discounted CLV over every brand; null where not scored.
customer_values as (
    select
        super_id,
        clv
    from {{ ref('customer_clv') }}
),

brand_members as (
    select distinct
        identity_map.super_id,
        substr(identity_map.id_value, 1, {{ dbt.position("':'", 'identity_map.id_value') }} - 1) as brand_id
    from identity_map
    where identity_map.id_type = 'member_id'
),

group_brand as (
    select
        members.crowd_name,
        person_brands.brand_id,
        count(*) as buyers,
        sum(case when person_brands.orders >= 2 then 1 else 0 end) as repeat_buyers,
        sum(case when brand_members.super_id is not null then 1 else 0 end) as member_buyers,
        sum(person_brands.recent_spend) as recent_spend,
        sum(person_brands.earlier_spend) as earlier_spend,
        avg(cast(customer_values.clv as double)) as average_clv
    from members
    inner join person_brands on members.super_id = person_brands.super_id
    left join customer_values on person_brands.super_id = customer_values.super_id
    left join brand_members
        on person_brands.super_id = brand_members.super_id and person_brands.brand_id = brand_members.brand_id
    group by 1, 2
),

group_category as (
    select
        members.crowd_name,
        person_brands.category_l1,
        count(distinct members.super_id) as buyers
    from members
    inner join person_brands on members.super_id = person_brands.super_id
    group by 1, 2
),

-- Members who bought another brand of the brand's category.
group_competitors as (
    select
        members.crowd_name,
        brands.brand_id,
        count(distinct members.super_id) as buyers
    from members
    inner join person_brands on members.super_id = person_brands.super_id
    inner join brands
        on person_brands.category_l1 = brands.category_l1 and person_brands.brand_id <> brands.brand_id
    group by 1, 2
),

final as (
    select
        brands.brand_id,
        brands.brand_name,
        brands.category_l1,
        groups.crowd_name,
        windows.as_of_date,
        windows.purchase_window_start,
        cast(groups.group_persons as bigint) as group_persons,
        cast(coalesce(group_brand.buyers, 0) as bigint) as brand_buyers,
        cast(coalesce(group_category.buyers, 0) as bigint) as category_buyers,
        cast(coalesce(group_competitors.buyers, 0) as bigint) as competitor_buyers,
        round(cast(coalesce(group_brand.buyers, 0) as double) / nullif(groups.group_persons, 0), 6) as penetration,
        round(cast(coalesce(group_category.buyers, 0) as double) / nullif(groups.group_persons, 0), 6)
            as category_penetration,
        round(cast(coalesce(group_competitors.buyers, 0) as double) / nullif(groups.group_persons, 0), 6)
            as competitor_penetration,
        coalesce(group_brand.recent_spend, 0) as recent_spend,
        coalesce(group_brand.earlier_spend, 0) as earlier_spend,
        round(
            cast(group_brand.recent_spend as double) / nullif(cast(group_brand.earlier_spend as double), 0) - 1, 6
        ) as spend_growth,
        round(group_brand.average_clv, 2) as average_clv,
        cast(coalesce(group_brand.repeat_buyers, 0) as bigint) as repeat_buyers,
        round(cast(group_brand.repeat_buyers as double) / nullif(group_brand.buyers, 0), 6) as repeat_rate,
        cast(coalesce(group_brand.member_buyers, 0) as bigint) as member_buyers,
        round(cast(group_brand.member_buyers as double) / nullif(group_brand.buyers, 0), 6) as member_conversion
    from brands
    cross join groups
    cross join windows
    left join group_brand
        on brands.brand_id = group_brand.brand_id and groups.crowd_name = group_brand.crowd_name
    left join group_category
        on brands.category_l1 = group_category.category_l1 and groups.crowd_name = group_category.crowd_name
    left join group_competitors
        on brands.brand_id = group_competitors.brand_id and groups.crowd_name = group_competitors.crowd_name
)

select * from final
