{#- The numbers only serve the label propagation (integers join faster than keys); super_ids never depend on
    them. -#}

with

registered as (
    select * from {{ ref('int_identifiers_registered') }}
),

shared as (
    select * from {{ ref('int_shared_identifiers_detected') }}
),

final as (
    select
        registered.node_key,
        registered.id_type,
        registered.id_value,
        registered.first_seen_dt,
        row_number() over (order by registered.node_key) as node_number
    from registered
    where registered.node_key not in (select shared.node_key from shared)
)

select * from final
