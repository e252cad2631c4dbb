{#- Rule and upload crowds in one relation: the crowds that can seed a lookalike. -#}

with

rule_members as (
    select * from {{ ref('int_crowd_rule_members_selected') }}
),

upload_identifiers as (
    select * from {{ ref('int_crowd_upload_identifiers_matched') }}
),

members as (
    select
        crowd_name,
        super_id,
        'rule' as crowd_kind
    from rule_members
    union all
    select distinct
        crowd_name,
        super_id,
        'upload' as crowd_kind
    from upload_identifiers
    where super_id is not null
),

final as (
    select * from members
)

select * from final
