{#- The 4A flow matrix of each brand from each earlier day (from_date) to the latest day (to_date): persons in
    from_stage on from_date and in to_stage on to_date, 'none' on either side included. For a brand and
    from_date, the rows of a from_stage add up to that stage's persons on from_date and the rows of a to_stage
    to its persons on to_date (fct_brand_4a_daily); all 25 cells are present, zeros included. -#}

with

-- Each person's stage with each brand on each day (a row per day of each spell, never kept).
person_stages as (
    {{ brand_4a_stage_days(ref('fct_brand_4a_person_stage_spells')) }}
),

daily as (
    select * from {{ ref('fct_brand_4a_daily') }}
),

latest as (
    select max(stage_date) as to_date
    from daily
),

stages as (
    select distinct
        stage,
        stage_order
    from daily
),

from_dates as (
    select distinct
        daily.brand_id,
        daily.brand_name,
        daily.stage_date as from_date,
        latest.to_date,
        daily.base_persons
    from daily
    cross join latest
    where daily.stage_date < latest.to_date
),

at_to_date as (
    select
        person_stages.super_id,
        person_stages.brand_id,
        person_stages.stage
    from person_stages
    inner join latest on person_stages.stage_date = latest.to_date
),

-- Persons staged on from_date, with their stage on to_date ('none' without a row).
from_staged as (
    select
        person_stages.brand_id,
        person_stages.stage_date as from_date,
        person_stages.stage as from_stage,
        coalesce(at_to_date.stage, 'none') as to_stage,
        count(*) as persons
    from person_stages
    cross join latest
    left join at_to_date
        on person_stages.super_id = at_to_date.super_id and person_stages.brand_id = at_to_date.brand_id
    where person_stages.stage_date < latest.to_date
    group by 1, 2, 3, 4
),

to_totals as (
    select
        brand_id,
        stage as to_stage,
        count(*) as persons
    from at_to_date
    group by 1, 2
),

from_staged_by_to_stage as (
    select
        brand_id,
        from_date,
        to_stage,
        sum(persons) as persons
    from from_staged
    group by 1, 2, 3
),

-- Persons staged on to_date and not on from_date came from 'none'.
from_none as (
    select
        from_dates.brand_id,
        from_dates.from_date,
        'none' as from_stage,
        to_totals.to_stage,
        to_totals.persons - coalesce(from_staged_by_to_stage.persons, 0) as persons
    from from_dates
    inner join to_totals on from_dates.brand_id = to_totals.brand_id
    left join from_staged_by_to_stage
        on
            from_dates.brand_id = from_staged_by_to_stage.brand_id
            and from_dates.from_date = from_staged_by_to_stage.from_date
            and to_totals.to_stage = from_staged_by_to_stage.to_stage
),

staged_on_from_date as (
    select
        brand_id,
        from_date,
        sum(persons) as persons
    from from_staged
    group by 1, 2
),

staged_on_to_date_only as (
    select
        brand_id,
        from_date,
        sum(persons) as persons
    from from_none
    group by 1, 2
),

-- Neither day: the base less every person staged on either.
none_to_none as (
    select
        from_dates.brand_id,
        from_dates.from_date,
        'none' as from_stage,
        'none' as to_stage,
        from_dates.base_persons
        - coalesce(staged_on_from_date.persons, 0)
        - coalesce(staged_on_to_date_only.persons, 0) as persons
    from from_dates
    left join staged_on_from_date
        on
            from_dates.brand_id = staged_on_from_date.brand_id
            and from_dates.from_date = staged_on_from_date.from_date
    left join staged_on_to_date_only
        on
            from_dates.brand_id = staged_on_to_date_only.brand_id
            and from_dates.from_date = staged_on_to_date_only.from_date
),

cells as (
    select
        brand_id,
        from_date,
        from_stage,
        to_stage,
        persons
    from from_staged
    union all
    select
        brand_id,
        from_date,
        from_stage,
        to_stage,
        persons
    from from_none
    union all
    select
        brand_id,
        from_date,
        from_stage,
        to_stage,
        persons
    from none_to_none
),

final as (
    select
        from_dates.brand_id,
        from_dates.brand_name,
        from_dates.from_date,
        from_dates.to_date,
        from_stages.stage as from_stage,
        from_stages.stage_order as from_stage_order,
        to_stages.stage as to_stage,
        to_stages.stage_order as to_stage_order,
        cast(coalesce(cells.persons, 0) as bigint) as persons,
        -- Sankey nodes: a stage on each day is a node of its own, so a flow never loops back.
        from_stages.stage || ' ' || cast(from_dates.from_date as varchar) as from_node,
        to_stages.stage || ' ' || cast(from_dates.to_date as varchar) as to_node,
        from_dates.from_date = min(from_dates.from_date) over () as is_earliest_from_date
    from from_dates
    cross join stages as from_stages
    cross join stages as to_stages
    left join cells
        on
            from_dates.brand_id = cells.brand_id
            and from_dates.from_date = cells.from_date
            and from_stages.stage = cells.from_stage
            and to_stages.stage = cells.to_stage
)

select * from final
