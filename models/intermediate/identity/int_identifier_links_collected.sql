{#- One row per pair of linked identifiers per source, left_node_key < right_node_key: the deterministic
    record links (login events, CRM member records) and the click-through links (a phone or email hash to the
    device its click opened the app on). The identifier graph's edges. -#}

with

record_links as (
    select * from {{ ref('int_identifier_record_links_collected') }}
),

click_links as (
    select * from {{ ref('int_identifier_click_links_matched') }}
),

click_pairs as (
    select
        id_type || ':' || id_value as hash_key,
        'device_id:' || device_id as device_key,
        id_type,
        id_value,
        device_id,
        first_seen_dt,
        last_seen_dt,
        clicks
    from click_links
),

links as (
    select
        left_node_key,
        right_node_key,
        left_id_type,
        left_id_value,
        right_id_type,
        right_id_value,
        source_name,
        first_seen_dt,
        last_seen_dt,
        records
    from record_links
    union all
    -- 'device_id:' sorts before 'email_sha256:' and 'phone_sha256:', so the device is the left node.
    select
        device_key as left_node_key,
        hash_key as right_node_key,
        'device_id' as left_id_type,
        device_id as left_id_value,
        id_type as right_id_type,
        id_value as right_id_value,
        'click_through' as source_name,
        first_seen_dt,
        last_seen_dt,
        clicks as records
    from click_pairs
),

final as (
    select * from links
)

select * from final
