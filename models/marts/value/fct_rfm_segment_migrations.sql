{#- Month over month: a customer in a scope at month end m and/or at the previous month end moves from one
    segment to another; 'none' on a side means out of the window there (a new or a lapsed customer). -#}

with

scored as (
    select * from {{ ref('int_customer_rfm_scored') }}
),

month_ends as (
    {{ value_month_end_pairs('scored') | indent(4) }}
),

current_segments as (
    select
        month_ends.as_of_date,
        month_ends.previous_as_of_date,
        scored.brand_id,
        scored.super_id,
        scored.segment
    from scored
    inner join month_ends on scored.as_of_date = month_ends.as_of_date
),

previous_segments as (
    select
        month_ends.as_of_date,
        scored.brand_id,
        scored.super_id,
        scored.segment
    from scored
    inner join month_ends on scored.as_of_date = month_ends.previous_as_of_date
),

moves as (
    select
        coalesce(current_segments.as_of_date, previous_segments.as_of_date) as as_of_date,
        coalesce(current_segments.brand_id, previous_segments.brand_id) as brand_id,
        coalesce(previous_segments.segment, 'none') as from_segment,
        coalesce(current_segments.segment, 'none') as to_segment
    from current_segments
    full outer join previous_segments
        on
            current_segments.as_of_date = previous_segments.as_of_date
            and current_segments.brand_id = previous_segments.brand_id
            and current_segments.super_id = previous_segments.super_id
),

final as (
    select
        as_of_date,
        brand_id,
        from_segment,
        to_segment,
        count(*) as customers
    from moves
    group by as_of_date, brand_id, from_segment, to_segment
)

select
    *,
    as_of_date = max(as_of_date) over () as is_latest_month
from final
