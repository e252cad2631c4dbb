-- The lifecycle stages partition each brand's persons: per brand, the stages' counts add up to the distinct
-- persons the brand knows (a CRM member or a buyer). Returns the brands where they do not.
with

lifecycle as (
    select * from {{ ref('customer_lifecycle') }}
),

stage_counts as (
    select
        brand_id,
        lifecycle_stage,
        count(*) as persons
    from lifecycle
    group by brand_id, lifecycle_stage
),

totals as (
    select
        brand_id,
        sum(persons) as staged
    from stage_counts
    group by brand_id
),

known as (
    select
        brand_id,
        count(distinct super_id) as persons
    from lifecycle
    group by brand_id
)

select
    totals.brand_id,
    totals.staged,
    known.persons
from totals
inner join known on totals.brand_id = known.brand_id
where totals.staged <> known.persons
