{#- One row per person (super_id) with declared attributes and reachability: gender and birth date as
    declared to a brand's CRM, memberships, highest tier, member tenure, city (most frequent in app events) with
    its province, region and tier, and which channels can reach them. -#}

with

persons as (
    select * from {{ ref('dim_persons') }}
),

identity_map as (
    select * from {{ ref('identity_map') }}
),

crm_members as (
    select * from {{ ref('stg_raw__crm_members') }}
),

app_events as (
    select * from {{ ref('int_app_events_attributed') }}
),

message_events as (
    select * from {{ ref('stg_raw__message_events') }}
),

regions as (
    select * from {{ ref('regions') }}
),

windows as (
    select * from {{ ref('int_tag_windows_resolved') }}
),

latest_member_versions as (
    select
        crm_members.*,
        row_number() over (partition by member_key order by updated_at desc, dt desc) as version_rank
    from crm_members
),

members as (
    select
        identity_map.super_id,
        latest_member_versions.member_key,
        latest_member_versions.declared_gender,
        latest_member_versions.birth_date,
        latest_member_versions.registered_at,
        latest_member_versions.updated_at,
        latest_member_versions.points_balance,
        case latest_member_versions.tier
            when 'platinum' then 4 when 'gold' then 3 when 'silver' then 2 when 'normal' then 1
        end as tier_rank
    from latest_member_versions
    inner join identity_map
        on identity_map.id_type = 'member_id' and latest_member_versions.member_key = identity_map.id_value
    where latest_member_versions.version_rank = 1
),

declared_genders as (
    select
        super_id,
        declared_gender,
        row_number() over (
            partition by super_id order by count(*) desc, max(updated_at) desc, declared_gender asc
        ) as gender_rank
    from members
    where declared_gender is not null
    group by super_id, declared_gender
),

declared_births as (
    select
        super_id,
        birth_date,
        row_number() over (partition by super_id order by updated_at desc, birth_date asc) as birth_rank
    from members
    where birth_date is not null
),

memberships as (
    select
        super_id,
        count(*) as membership_count,
        max(tier_rank) as highest_tier_rank,
        min(registered_at) as first_registered_at,
        sum(points_balance) as points_balance
    from members
    group by super_id
),

cities as (
    select
        super_id,
        city,
        row_number() over (partition by super_id order by count(*) desc, city asc) as city_rank
    from app_events
    where city is not null
    group by super_id, city
),

unsubscribed_phones as (
    select distinct phone_sha256
    from message_events
    where event_type = 'unsubscribed' and channel = 'sms' and phone_sha256 is not null
),

unsubscribed_emails as (
    select distinct email_sha256
    from message_events
    where event_type = 'unsubscribed' and channel = 'edm' and email_sha256 is not null
),

reachability as (
    select
        identity_map.super_id,
        sum(
            case
                when identity_map.id_type = 'phone_sha256' and unsubscribed_phones.phone_sha256 is null then 1
                else 0
            end
        ) as sms_reachable_phones,
        sum(
            case
                when identity_map.id_type = 'email_sha256' and unsubscribed_emails.email_sha256 is null then 1
                else 0
            end
        ) as edm_reachable_emails
    from identity_map
    left join unsubscribed_phones on identity_map.id_value = unsubscribed_phones.phone_sha256
    left join unsubscribed_emails on identity_map.id_value = unsubscribed_emails.email_sha256
    where identity_map.id_type in ('phone_sha256', 'email_sha256')
    group by identity_map.super_id
),

final as (
    select
        persons.super_id,
        windows.as_of_date,
        declared_genders.declared_gender,
        declared_births.birth_date,
        floor(
            {{ dbt.datediff('declared_births.birth_date', 'windows.as_of_date', 'day') }}
            / 365.25
        ) as declared_age,
        coalesce(memberships.membership_count, 0) as membership_count,
        memberships.highest_tier_rank,
        case memberships.highest_tier_rank
            when 4 then 'platinum' when 3 then 'gold' when 2 then 'silver' when 1 then 'normal'
        end as highest_tier,
        {{ dbt.datediff('cast(memberships.first_registered_at as date)', 'windows.as_of_date', 'day') }}
            as member_tenure_days,
        memberships.points_balance,
        cities.city,
        regions.province,
        regions.region,
        regions.city_tier,
        persons.device_count,
        persons.user_pin_count,
        persons.phone_count,
        persons.email_count,
        persons.union_id_count,
        coalesce(reachability.sms_reachable_phones, 0) as sms_reachable_phones,
        coalesce(reachability.edm_reachable_emails, 0) as edm_reachable_emails
    from persons
    cross join windows
    left join declared_genders on persons.super_id = declared_genders.super_id and declared_genders.gender_rank = 1
    left join declared_births on persons.super_id = declared_births.super_id and declared_births.birth_rank = 1
    left join memberships on persons.super_id = memberships.super_id
    left join cities on persons.super_id = cities.super_id and cities.city_rank = 1
    left join regions on cities.city = regions.city
    left join reachability on persons.super_id = reachability.super_id
)

select * from final
