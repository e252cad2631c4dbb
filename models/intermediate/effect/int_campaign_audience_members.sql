{#- The campaigns' uploaded audiences (fits.campaign_audiences) on persons: identifiers matched through the
    identity map (a shared or unknown identifier matches no one). A person found in both groups of one campaign
    (two audience rows merged into one person) is left out: their assignment is not random any more. -#}

with

audiences as (
    select * from {{ source('fits', 'campaign_audiences') }}
),

identity_map as (
    select * from {{ ref('identity_map') }}
),

matched as (
    select
        audiences.campaign_id,
        identity_map.super_id,
        audiences.audience_group
    from audiences
    inner join identity_map
        on audiences.id_type = identity_map.id_type and audiences.id_value = identity_map.id_value
),

final as (
    select
        campaign_id,
        super_id,
        min(audience_group) as audience_group
    from matched
    group by campaign_id, super_id
    having count(distinct audience_group) = 1
)

select * from final
