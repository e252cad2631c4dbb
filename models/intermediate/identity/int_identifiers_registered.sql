{#- Append-only: a new day adds the identifiers it brings and never changes the first_seen_dt of a known one, so
    super_ids, which are named after a component's earliest identifier, do not move when data arrives.
    Persisted identity state: --full-refresh keeps it unless var identity_reset_state is true. -#}
{{ config(
    materialized='incremental', incremental_strategy='append',
    full_refresh=none if var('identity_reset_state') else false,
) }}

with

sightings as (
    select * from {{ ref('int_identifier_sightings_unioned') }}
),

first_sightings as (
    select
        id_type || ':' || id_value as node_key,
        id_type,
        id_value,
        min(dt) as first_seen_dt
    from sightings
    group by id_type, id_value
),

final as (
    select
        node_key,
        id_type,
        id_value,
        first_seen_dt
    from first_sightings
    {%- if is_incremental() %}
        where node_key not in (select registered.node_key from {{ this }} as registered)
    {%- endif %}
)

select * from final
