{#- A ledger of every super_id ever issued, so systems that stored an id (exports, CRM) can follow merges:
    a retired id (its person merged into an older one) points at the live id its persons hold now.

    Persisted like the identity state: each run reads the previous ledger (`this`), adds the ids it sees for
    the first time and retires the ids no identifier holds any more. An id is followed through its origin
    identifier (the one it is named after), whose current super_id is always a live one, so a chain of
    merges (a into b, later b into c) resolves to the live id c in one step. --full-refresh keeps the ledger
    unless var identity_reset_state is true, as for int_super_ids_assigned.
-#}
{{ config(
    materialized='incremental', incremental_strategy='delete+insert', unique_key='super_id',
    full_refresh=none if var('identity_reset_state') else false,
) }}

with

identity_map as (
    select * from {{ ref('identity_map') }}
),

assignments as (
    select * from {{ ref('int_super_ids_assigned') }}
),

registered as (
    select * from {{ ref('int_identifiers_registered') }}
),

previous as (
    {{ previous_state({
        'super_id': 'varchar', 'origin_node_key': 'varchar', 'first_issued_dt': 'date', 'retired_dt': 'date',
    }) }}
),

-- The newest arrival date the identity graph holds: the dt a run issues or retires ids on.
run_dt as (
    select max(first_seen_dt) as dt
    from registered
),

live_ids as (
    select
        identity_map.super_id,
        max(assignments.origin_node_key) as origin_node_key
    from identity_map
    inner join assignments on identity_map.node_key = assignments.node_key
    group by identity_map.super_id
),

issued as (
    select
        super_id,
        origin_node_key,
        first_issued_dt,
        retired_dt
    from previous
    union all
    select
        live_ids.super_id,
        live_ids.origin_node_key,
        run_dt.dt as first_issued_dt,
        cast(null as date) as retired_dt
    from live_ids
    cross join run_dt
    left join previous on live_ids.super_id = previous.super_id
    where previous.super_id is null
),

final as (
    select
        issued.super_id,
        case
            when live_ids.super_id is not null then issued.super_id
            else origin_holders.super_id
        end as live_super_id,
        live_ids.super_id is null as is_retired,
        issued.first_issued_dt,
        case
            when live_ids.super_id is null then coalesce(issued.retired_dt, run_dt.dt)
        end as retired_dt,
        issued.origin_node_key
    from issued
    cross join run_dt
    left join live_ids on issued.super_id = live_ids.super_id
    left join identity_map as origin_holders on issued.origin_node_key = origin_holders.node_key
)

select * from final
