{#- The lifecycle stage of every person known to a brand at the build's as-of date. -#}

with

staged as (
    select * from {{ ref('int_customer_lifecycle_staged') }}
),

dates as (
    select * from {{ ref('int_value_dates_resolved') }}
),

final as (
    select staged.*
    from staged
    inner join dates on staged.as_of_date = dates.as_of_date
)

select * from final
