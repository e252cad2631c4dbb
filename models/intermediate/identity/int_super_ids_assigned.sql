{#- The persisted assignment behind identity_map: each run reads the previous one (`this`) and carries ids
    over, and --full-refresh keeps it unless var identity_reset_state is true (a reset renumbers persons
    whose history of merges and splits the origin rule does not replay). The unit tests in
    _identity__models.yml pin these rules:

    - A component whose identifiers held super_ids before keeps the oldest of them (the one whose origin was
      registered first): a person who gains identifiers, or merges with a newer person, keeps their id.
    - When a super_id is claimed by several components (a person fell apart because an identifier became
      shared), the component holding the id's origin wins it, else the one holding most of its identifiers;
      the others take a new id.
    - A new id is 'sid_' + 16 hex digits of the MD5 of the component's origin, its earliest registered
      identifier (ties by node key), so a first build, or a reset, of the same input gives the same ids.
-#}
{{ config(
    materialized='incremental', incremental_strategy='delete+insert', unique_key='node_key',
    full_refresh=none if var('identity_reset_state') else false,
) }}

with

components as (
    select * from {{ ref('int_identifier_components_labelled') }}
),

registered as (
    select * from {{ ref('int_identifiers_registered') }}
),

previous as (
    {{ previous_state({'node_key': 'varchar', 'super_id': 'varchar', 'origin_node_key': 'varchar'}) }}
),

ranked_nodes as (
    select
        component_label,
        node_key,
        first_seen_dt,
        row_number() over (partition by component_label order by first_seen_dt, node_key) as origin_rank
    from components
),

component_origins as (
    select
        component_label,
        node_key as origin_node_key
    from ranked_nodes
    where origin_rank = 1
),

previous_ids as (
    select distinct
        previous.super_id,
        previous.origin_node_key,
        registered.first_seen_dt as origin_first_seen_dt
    from previous
    left join registered on previous.origin_node_key = registered.node_key
),

claims as (
    select
        components.component_label,
        previous.super_id,
        max(previous_ids.origin_node_key) as id_origin_node_key,
        max(previous_ids.origin_first_seen_dt) as id_origin_first_seen_dt,
        count(*) as holders,
        max(case when components.node_key = previous_ids.origin_node_key then 1 else 0 end) as holds_origin,
        min(components.node_key) as component_first_key
    from components
    inner join previous on components.node_key = previous.node_key
    inner join previous_ids on previous.super_id = previous_ids.super_id
    group by components.component_label, previous.super_id
),

awarded as (
    select
        claims.*,
        row_number() over (
            partition by super_id order by holds_origin desc, holders desc, component_first_key asc
        ) as claim_rank
    from claims
),

kept as (
    select
        component_label,
        super_id,
        id_origin_node_key as origin_node_key,
        row_number() over (
            partition by component_label order by id_origin_first_seen_dt, id_origin_node_key
        ) as preference_rank
    from awarded
    where claim_rank = 1
),

kept_ids as (
    select
        component_label,
        super_id,
        origin_node_key
    from kept
    where preference_rank = 1
),

minted as (
    select
        component_origins.component_label,
        component_origins.origin_node_key,
        {{ super_id_of('component_origins.origin_node_key') }} as super_id
    from component_origins
    left join kept_ids on component_origins.component_label = kept_ids.component_label
    where kept_ids.component_label is null
),

-- A minted id could equal one kept this run only in odd split histories; then it takes a salted name.
assigned as (
    select
        component_label,
        super_id,
        origin_node_key
    from kept_ids
    union all
    select
        minted.component_label,
        case
            when kept_ids.super_id is null then minted.super_id
            else {{ super_id_of("minted.origin_node_key || '#' || cast(minted.component_label as varchar)") }}
        end as super_id,
        minted.origin_node_key
    from minted
    left join kept_ids on minted.super_id = kept_ids.super_id
),

final as (
    select
        components.node_key,
        assigned.super_id,
        assigned.origin_node_key
    from components
    inner join assigned on components.component_label = assigned.component_label
)

select * from final
