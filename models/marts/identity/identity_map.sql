{#- One row per identifier (id_type, id_value) that belongs to one person, with that person's super_id.
    Shared identifiers (shared_identifiers) are not here: they do not belong to one person. -#}

with

components as (
    select * from {{ ref('int_identifier_components_labelled') }}
),

sightings as (
    select * from {{ ref('int_identifier_sightings_unioned') }}
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

-- A component is named after its origin: the identifier registered first (ties broken by node key). A new
-- day adds identifiers registered later, so the origin of a known person stays and so does the super_id.
origins as (
    select
        component_label,
        node_key as origin_node_key,
        row_number() over (partition by component_label order by first_seen_dt, node_key) as origin_rank
    from components
),

named as (
    select
        components.node_key,
        components.id_type,
        components.id_value,
        components.first_seen_dt,
        origins.origin_node_key,
        {{ super_id_of('origins.origin_node_key') }} as super_id
    from components
    inner join origins
        on components.component_label = origins.component_label and origins.origin_rank = 1
),

final as (
    select
        named.id_type,
        named.id_value,
        named.super_id,
        named.node_key,
        named.node_key = named.origin_node_key as is_origin,
        named.first_seen_dt,
        sighting_summary.first_event_date,
        sighting_summary.last_event_date,
        sighting_summary.sightings,
        sighting_summary.source_count
    from named
    left join sighting_summary on named.node_key = sighting_summary.node_key
)

select * from final
