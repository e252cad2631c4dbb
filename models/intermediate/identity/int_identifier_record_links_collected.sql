{#- One row per pair of identifiers seen together in one record, per source: a login event ties a device
    to an account; a CRM member record ties the member to its phone hash, email hash, account and social
    id, and those to each other. Pairs are stored once, left_node_key < right_node_key. These are the
    deterministic links; int_identifier_links_collected adds click-through links to them. -#}

with

app_events as (
    select * from {{ ref('stg_raw__app_events') }}
),

crm_members as (
    select * from {{ ref('stg_raw__crm_members') }}
),

device_logins as (
    select
        'app_events' as source_name,
        'device_id' as left_type,
        device_id as left_value,
        'user_pin' as right_type,
        user_pin as right_value,
        dt,
        count(*) as records
    from app_events
    where device_id is not null and user_pin is not null
    group by device_id, user_pin, dt
),

-- Each CRM record as (record, identifier) rows, so every pair inside the record can be formed by a self-join.
member_record_identifiers as (
    select
        member_version_id,
        dt,
        'member_id' as id_type,
        member_key as id_value
    from crm_members
    union all
    select
        member_version_id,
        dt,
        'phone_sha256' as id_type,
        phone_sha256 as id_value
    from crm_members
    where phone_sha256 is not null
    union all
    select
        member_version_id,
        dt,
        'email_sha256' as id_type,
        email_sha256 as id_value
    from crm_members
    where email_sha256 is not null
    union all
    select
        member_version_id,
        dt,
        'user_pin' as id_type,
        user_pin as id_value
    from crm_members
    where user_pin is not null
    union all
    select
        member_version_id,
        dt,
        'union_id' as id_type,
        union_id as id_value
    from crm_members
    where union_id is not null
),

member_record_pairs as (
    select
        'crm_members' as source_name,
        left_side.id_type as left_type,
        left_side.id_value as left_value,
        right_side.id_type as right_type,
        right_side.id_value as right_value,
        left_side.dt,
        count(*) as records
    from member_record_identifiers as left_side
    inner join member_record_identifiers as right_side
        on
            left_side.member_version_id = right_side.member_version_id
            and left_side.id_type < right_side.id_type
    group by left_side.id_type, left_side.id_value, right_side.id_type, right_side.id_value, left_side.dt
),

pairs as (
    select * from device_logins
    union all
    select * from member_record_pairs
),

oriented as (
    select
        source_name,
        dt,
        records,
        left_type || ':' || left_value as left_key,
        right_type || ':' || right_value as right_key,
        left_type,
        left_value,
        right_type,
        right_value
    from pairs
),

final as (
    select
        case when left_key < right_key then left_key else right_key end as left_node_key,
        case when left_key < right_key then right_key else left_key end as right_node_key,
        case when left_key < right_key then left_type else right_type end as left_id_type,
        case when left_key < right_key then left_value else right_value end as left_id_value,
        case when left_key < right_key then right_type else left_type end as right_id_type,
        case when left_key < right_key then right_value else left_value end as right_id_value,
        source_name,
        min(dt) as first_seen_dt,
        max(dt) as last_seen_dt,
        sum(records) as records
    from oriented
    group by 1, 2, 3, 4, 5, 6, 7  -- noqa: AM06
)

select * from final
