with

shared as (
    select * from {{ ref('int_shared_identifiers_detected') }}
),

sightings as (
    select * from {{ ref('int_identifier_sightings_unioned') }}
),

sighting_summary as (
    select
        id_type || ':' || id_value as node_key,
        min(dt) as first_seen_dt,
        max(last_event_date) as last_event_date,
        sum(sightings) as sightings
    from sightings
    group by id_type, id_value
),

final as (
    select
        shared.id_type,
        shared.id_value,
        shared.node_key,
        shared.busiest_account_system,
        shared.linked_accounts,
        shared.total_linked_accounts,
        shared.max_accounts_per_system,
        sighting_summary.first_seen_dt,
        sighting_summary.last_event_date,
        sighting_summary.sightings
    from shared
    left join sighting_summary on shared.node_key = sighting_summary.node_key
)

select * from final
