{#- A person's spells with a brand never overlap, none is empty, and two spells that touch differ in stage
    (else they would be one spell): each day has at most one stage, and the spells are as few as they can be. -#}

with

spells as (
    select
        super_id,
        brand_id,
        stage,
        valid_from,
        valid_to,
        lead(valid_from) over (partition by super_id, brand_id order by valid_from) as next_from,
        lead(stage) over (partition by super_id, brand_id order by valid_from) as next_stage
    from {{ ref('fct_brand_4a_person_stage_spells') }}
)

select *
from spells
where
    valid_to < valid_from
    or next_from <= valid_to
    or (next_from = cast({{ dbt.dateadd('day', 1, 'valid_to') }} as date) and next_stage = stage)
