{#- Month over month per brand: persons moving from one lifecycle stage to another (or staying); 'none' as
    from_stage for a person the brand did not know at the previous month end. -#}

with

staged as (
    select * from {{ ref('int_customer_lifecycle_staged') }}
),

month_ends as (
    {{ value_month_end_pairs('staged') | indent(4) }}
),

moves as (
    select
        month_ends.as_of_date,
        staged.brand_id,
        coalesce(previous.lifecycle_stage, 'none') as from_stage,
        staged.lifecycle_stage as to_stage
    from staged
    inner join month_ends on staged.as_of_date = month_ends.as_of_date
    left join staged as previous
        on
            month_ends.previous_as_of_date = previous.as_of_date
            and staged.brand_id = previous.brand_id
            and staged.super_id = previous.super_id
),

final as (
    select
        as_of_date,
        brand_id,
        from_stage,
        to_stage,
        count(*) as persons,
        'was ' || from_stage as from_node,
        'now ' || to_stage as to_node
    from moves
    group by as_of_date, brand_id, from_stage, to_stage
)

select
    *,
    as_of_date = max(as_of_date) over () as is_latest_month
from final
