{#- 4A assets: persons per brand, business day and stage, 'none' included, so the five stages of a brand and
    day add up to the base (every super_id of dim_persons). Days: every day with a staged person of any brand
    (from the first signal day to the last). -#}

with

-- Each person's stage with each brand on each day (a row per day of each spell, never kept).
person_stages as (
    {{ brand_4a_stage_days(ref('fct_brand_4a_person_stage_spells')) }}
),

persons as (
    select * from {{ ref('dim_persons') }}
),

products as (
    select * from {{ ref('dim_products') }}
),

staged_counts as (
    select
        brand_id,
        stage_date,
        stage,
        count(*) as persons
    from person_stages
    group by 1, 2, 3
),

-- Every signal qualifies for a stage on its own day, so the days with a staged person are the signal days
-- (read from the counts, not from person_stages again: each read of it joins the spells to the days).
days as (
    select distinct stage_date
    from staged_counts
),

brands as (
    select
        brand_id,
        min(brand_name) as brand_name
    from products
    where brand_id is not null
    group by 1
),

-- The five stages in order; 'none' is the base less the staged persons.
stages as (
    select
        'none' as stage,  -- noqa: RF04
        0 as stage_order
    union all
    select
        'aware' as stage,  -- noqa: RF04
        1 as stage_order
    union all
    select
        'appeal' as stage,  -- noqa: RF04
        2 as stage_order
    union all
    select
        'act' as stage,  -- noqa: RF04
        3 as stage_order
    union all
    select
        'advocate' as stage,  -- noqa: RF04
        4 as stage_order
),

base as (
    select count(*) as base_persons
    from persons
),

grid as (
    select
        brands.brand_id,
        brands.brand_name,
        days.stage_date,
        stages.stage,
        stages.stage_order
    from brands
    cross join days
    cross join stages
),

counted as (
    select
        grid.*,
        base.base_persons,
        coalesce(staged_counts.persons, 0) as staged_persons,
        sum(coalesce(staged_counts.persons, 0)) over (partition by grid.brand_id, grid.stage_date) as all_staged
    from grid
    cross join base
    left join staged_counts
        on
            grid.brand_id = staged_counts.brand_id
            and grid.stage_date = staged_counts.stage_date
            and grid.stage = staged_counts.stage
),

final as (
    select
        brand_id,
        brand_name,
        stage_date,
        stage,
        stage_order,
        cast(case when stage = 'none' then base_persons - all_staged else staged_persons end as bigint) as persons,
        cast(base_persons as bigint) as base_persons
    from counted
)

select * from final
