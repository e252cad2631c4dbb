{#- The fit's parameters as the scoring reads them (the fit time is in the source, fits.clv_parameters). -#}

with

parameters as (
    select * from {{ source('fits', 'clv_parameters') }}
),

final as (
    select
        model,
        coalesce(parameter, 'none') as parameter,
        value,
        status,
        reason,
        cast(calibration_end_date as date) as calibration_end_date,
        cast(time_unit_days as integer) as time_unit_days,
        cast(customers as bigint) as customers,
        cast(fitted_customers as bigint) as fitted_customers,
        sampled,
        log_likelihood
    from parameters
)

select * from final
