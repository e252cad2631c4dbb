-- depends_on: {{ source('crowd_registry', 'crowd_definitions') }}

with

registered as (
    {{ crowd_registry_select('crowd_definitions') }}
),

final as (
    select * from registered
)

select * from final
