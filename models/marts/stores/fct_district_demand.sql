{#- Regional demand for site selection: persons, spend and tag mix per city and store district. A person is
    placed in their city tag's city and in the district of the store they bought in most often (orders other
    than cancelled; ties to the lower store_id) when that store is in their city; otherwise in the city's
    district 'no_local_store' (demand without a store nearby). Persons without a city tag are city 'unknown'.
    Spend: paid order lines in the tags' purchase window (tag_windows), every channel. Shares are over the
    persons whose tag is known. -#}

with

persons as (
    select * from {{ ref('user_tags_wide') }}
),

identity_map as (
    select * from {{ ref('identity_map') }}
),

order_lines as (
    select * from {{ ref('stg_raw__order_lines') }}
),

stores as (
    select * from {{ ref('dim_stores') }}
),

windows as (
    select * from {{ ref('tag_windows') }}
),

person_lines as (
    select
        identity_map.super_id,
        order_lines.order_id,
        order_lines.order_date,
        order_lines.status,
        order_lines.paid_amount,
        order_lines.store_id
    from order_lines
    inner join identity_map
        on identity_map.id_type = 'user_pin' and order_lines.user_pin = identity_map.id_value
),

store_visits as (
    select
        super_id,
        store_id,
        count(distinct order_id) as orders
    from person_lines
    where store_id is not null and status <> 'cancelled'
    group by 1, 2
),

main_store as (
    select
        super_id,
        store_id,
        row_number() over (partition by super_id order by orders desc, store_id asc) as visit_rank
    from store_visits
),

spend as (
    select
        person_lines.super_id,
        sum(person_lines.paid_amount) as paid_amount
    from person_lines
    cross join windows
    where
        person_lines.status = 'paid'
        and person_lines.order_date between windows.purchase_window_start and windows.as_of_date
    group by 1
),

placed as (
    select
        persons.super_id,
        coalesce(persons.city, 'unknown') as city,
        case when stores.city = persons.city then stores.district else 'no_local_store' end as district,
        persons.gender,
        persons.age_band,
        persons.purchasing_power,
        persons.is_member,
        coalesce(spend.paid_amount, 0) as paid_amount
    from persons
    left join main_store on persons.super_id = main_store.super_id and main_store.visit_rank = 1
    left join stores on main_store.store_id = stores.store_id
    left join spend on persons.super_id = spend.super_id
),

district_stores as (
    select
        city,
        district,
        count(*) as stores,
        avg(cast(latitude as double)) as latitude,
        avg(cast(longitude as double)) as longitude
    from stores
    group by 1, 2
),

-- Demand without a store nearby ('no_local_store') is drawn at the mean position of its city's stores.
city_stores as (
    select
        city,
        avg(cast(latitude as double)) as latitude,
        avg(cast(longitude as double)) as longitude
    from stores
    group by 1
),

aggregated as (
    select
        city,
        district,
        count(*) as persons,
        sum(case when paid_amount > 0 then 1 else 0 end) as buyers,
        sum(paid_amount) as paid_amount,
        count(gender) as persons_with_gender,
        sum(case when gender = 'F' then 1 else 0 end) as women,
        count(age_band) as persons_with_age_band,
        sum(case when age_band in ('18-24', '25-34') then 1 else 0 end) as persons_under_35,
        count(purchasing_power) as persons_with_purchasing_power,
        sum(case when purchasing_power = 'high' then 1 else 0 end) as high_purchasing_power,
        sum(case when is_member = 'yes' then 1 else 0 end) as members
    from placed
    group by 1, 2
),

final as (
    select
        aggregated.city,
        aggregated.district,
        cast(coalesce(district_stores.stores, 0) as bigint) as stores,
        round(coalesce(district_stores.latitude, city_stores.latitude), 5) as latitude,
        round(coalesce(district_stores.longitude, city_stores.longitude), 5) as longitude,
        cast(aggregated.persons as bigint) as persons,
        cast(aggregated.buyers as bigint) as buyers,
        aggregated.paid_amount,
        round(cast(aggregated.paid_amount as double) / aggregated.persons, 2) as paid_amount_per_person,
        round(cast(aggregated.women as double) / nullif(aggregated.persons_with_gender, 0), 6) as women_share,
        round(cast(aggregated.persons_under_35 as double) / nullif(aggregated.persons_with_age_band, 0), 6)
            as under_35_share,
        round(
            cast(aggregated.high_purchasing_power as double) / nullif(aggregated.persons_with_purchasing_power, 0), 6
        ) as high_purchasing_power_share,
        round(cast(aggregated.members as double) / aggregated.persons, 6) as member_share
    from aggregated
    left join district_stores
        on aggregated.city = district_stores.city and aggregated.district = district_stores.district
    left join city_stores on aggregated.city = city_stores.city
)

select * from final
