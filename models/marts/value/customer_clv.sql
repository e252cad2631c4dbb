{#- Every customer of the CLV summary scored in SQL from the fitted parameters (clv_parameters): P(alive),
    expected purchases in the next clv_horizon_days, expected spend per purchase (Gamma-Gamma) and the
    discounted CLV over clv_months months of 30 days (monthly discount rate clv_monthly_discount_rate), as
    lifetimes computes it: sum over months of the month's expected purchases x spend / (1 + rate)^month. The
    2F1 series is computed once per distinct (frequency, customer_age, horizon), not per customer. Scores are
    null when a model could not be fitted (clv_parameters says why). -#}

with

summary as (
    select * from {{ ref('clv_customer_summary') }}
),

fitted as (
    select * from {{ ref('clv_parameters') }}
    where status = 'fitted'
),

parameters as (
    select
        max(case when model = 'bg_nbd' and parameter = 'r' then value end) as r,
        max(case when model = 'bg_nbd' and parameter = 'alpha' then value end) as alpha,
        max(case when model = 'bg_nbd' and parameter = 'a' then value end) as a,
        max(case when model = 'bg_nbd' and parameter = 'b' then value end) as b,
        max(case when model = 'gamma_gamma' and parameter = 'p' then value end) as p,
        max(case when model = 'gamma_gamma' and parameter = 'q' then value end) as q,
        max(case when model = 'gamma_gamma' and parameter = 'v' then value end) as v
    from fitted
),

steps as (
    -- step 0: the clv_horizon_days horizon; steps 1 .. clv_months: the end of each 30-day month
    select n as step from ({{ integer_series(var('clv_months') + 1) }}) as integers
),

grid as (
    select distinct
        summary.frequency,
        summary.customer_age,
        summary.time_unit_days
    from summary
),

series_horizons as (
    select
        grid.frequency,
        grid.customer_age,
        steps.step,
        case
            when steps.step = 0 then cast({{ var('clv_horizon_days') }} as double) / grid.time_unit_days
            else cast(steps.step * 30 as double) / grid.time_unit_days
        end as horizon
    from grid
    cross join steps
),

series_input as (
    select
        series_horizons.frequency,
        series_horizons.customer_age,
        series_horizons.step,
        parameters.a,
        parameters.b,
        parameters.a + parameters.b - 1.0 - parameters.r as a1,
        parameters.a - 1.0 as b1,
        parameters.a + parameters.b + series_horizons.frequency - 1.0 as c1,
        series_horizons.horizon / (parameters.alpha + series_horizons.customer_age + series_horizons.horizon) as z
    from series_horizons
    cross join parameters
    where parameters.r is not null
),

terms as (
    {{ clv_hypergeometric_terms('series_input', ['frequency', 'customer_age', 'step'], 'a1', 'b1', 'c1', 'z',
        var('clv_series_terms')) | indent(4) }}
),

series as (
    select
        frequency,
        customer_age,
        step,
        1.0 + sum(term) as hypergeometric
    from terms
    group by frequency, customer_age, step
),

purchases_if_alive as (
    select
        series_input.frequency,
        series_input.customer_age,
        series_input.step,
        {{ bgnbd_purchases_if_alive(
            'series_input.frequency', 'series_input.z', 'coalesce(series.hypergeometric, 1.0)',
            'series_input.a', 'series_input.b'
        ) }} as purchases
    from series_input
    left join series
        on
            series_input.frequency = series.frequency
            and series_input.customer_age = series.customer_age
            and series_input.step = series.step
),

monthly as (
    select
        frequency,
        customer_age,
        step,
        purchases,
        purchases - coalesce(
            lag(purchases) over (partition by frequency, customer_age order by step), 0.0
        ) as purchases_this_month
    from purchases_if_alive
    where step > 0
),

discounted as (
    select
        frequency,
        customer_age,
        sum(purchases_this_month / power(1.0 + {{ var('clv_monthly_discount_rate') }}, step))
            as discounted_purchases_if_alive
    from monthly
    group by frequency, customer_age
),

grid_values as (
    select
        purchases_if_alive.frequency,
        purchases_if_alive.customer_age,
        purchases_if_alive.purchases as horizon_purchases_if_alive,
        discounted.discounted_purchases_if_alive
    from purchases_if_alive
    left join discounted
        on
            purchases_if_alive.frequency = discounted.frequency
            and purchases_if_alive.customer_age = discounted.customer_age
    where purchases_if_alive.step = 0
),

scored as (
    select
        summary.*,
        {{ bgnbd_p_alive('summary.frequency', 'summary.recency', 'summary.customer_age',
            'parameters.r', 'parameters.alpha', 'parameters.a', 'parameters.b') }} as p_alive,
        {{ gamma_gamma_expected_spend('summary.frequency', 'summary.monetary_value',
            'parameters.p', 'parameters.q', 'parameters.v') }} as expected_spend_per_purchase,
        grid_values.horizon_purchases_if_alive,
        grid_values.discounted_purchases_if_alive
    from summary
    cross join parameters
    left join grid_values
        on summary.frequency = grid_values.frequency and summary.customer_age = grid_values.customer_age
),

final as (
    select
        super_id,
        first_purchase_date,
        last_purchase_date,
        calibration_end_date,
        time_unit_days,
        frequency,
        recency,
        customer_age,
        monetary_value,
        case when horizon_purchases_if_alive is not null then p_alive end as p_alive,
        p_alive * horizon_purchases_if_alive as expected_purchases,
        expected_spend_per_purchase,
        p_alive * horizon_purchases_if_alive * expected_spend_per_purchase as expected_spend,
        p_alive * discounted_purchases_if_alive * expected_spend_per_purchase as clv,
        ntile(10) over (order by p_alive * discounted_purchases_if_alive * expected_spend_per_purchase, super_id)
            as clv_decile
    from scored
)

select * from final
