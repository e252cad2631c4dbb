{#- A shared identifier matches no one (it is not in the identity map). The source of upload match rates. -#}
-- depends_on: {{ source('crowd_registry', 'crowd_upload_identifiers') }}

with

uploaded as (
    {{ crowd_registry_select('crowd_upload_identifiers') }}
),

definitions as (
    select * from {{ ref('int_crowd_definitions_registered') }}
),

identity_map as (
    select * from {{ ref('identity_map') }}
),

final as (
    select
        uploaded.crowd_name,
        uploaded.id_type,
        uploaded.id_value,
        identity_map.super_id
    from uploaded
    inner join definitions
        on
            uploaded.crowd_name = definitions.crowd_name
            and definitions.crowd_kind = 'upload'
            and definitions.status = 'valid'
    left join identity_map
        on uploaded.id_type = identity_map.id_type and uploaded.id_value = identity_map.id_value
)

select * from final
