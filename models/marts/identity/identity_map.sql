{#- Shared identifiers (shared_identifiers) are not here: they do not belong to one person. -#}

with

components as (
    select * from {{ ref('int_identifier_components_labelled') }}
),

sightings as (
    select * from {{ ref('int_identifier_sightings_unioned') }}
),

assignments as (
    select * from {{ ref('int_super_ids_assigned') }}
),

sighting_summary as (
    select
        id_type || ':' || id_value as node_key,
        min(first_event_date) as first_event_date,
        max(last_event_date) as last_event_date,
        sum(sightings) as sightings,
        count(distinct source_name) as source_count
    from sightings
    group by id_type, id_value
),

final as (
    select
        components.id_type,
        components.id_value,
        assignments.super_id,
        components.node_key,
        components.node_key = assignments.origin_node_key as is_origin,
        components.first_seen_dt,
        sighting_summary.first_event_date,
        sighting_summary.last_event_date,
        sighting_summary.sightings,
        sighting_summary.source_count
    from components
    inner join assignments on components.node_key = assignments.node_key
    left join sighting_summary on components.node_key = sighting_summary.node_key
)

select * from final
