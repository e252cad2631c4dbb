{#- The latest month end of the RFM history: the build's as-of date. -#}

with

scored as (
    select * from {{ ref('int_customer_rfm_scored') }}
),

dates as (
    select * from {{ ref('int_value_dates_resolved') }}
),

final as (
    select scored.*
    from scored
    inner join dates on scored.as_of_date = dates.as_of_date
)

select * from final
