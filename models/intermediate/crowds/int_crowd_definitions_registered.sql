{#- One row per crowd in the registry (rule, upload or lookalike), valid or not. Empty before any crowd was
    created or synced. -#}
-- depends_on: {{ source('crowd_registry', 'crowd_definitions') }}

with

registered as (
    {{ crowd_registry_select('crowd_definitions') }}
),

final as (
    select * from registered
)

select * from final
