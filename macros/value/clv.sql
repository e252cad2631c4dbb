{#- Customer lifetime value in SQL: the per-customer summary a buy-till-you-die model is fitted on, and the
    closed forms of BG/NBD (Fader, Hardie and Lee 2005) and Gamma-Gamma (Fader, Hardie and Lee 2005b) that score
    every customer from the fitted parameters, so scoring scales with the warehouse, not with Python memory.
    Portable (dbt cross-database macros, ln/exp/power); only the integer series differs by engine. -#}


{#- The per-customer summary: one row per customer who bought on or before calibration_end, with
    purchase_days (distinct days with a purchase), frequency (repeat purchase days: purchase_days - 1),
    recency (first to last purchase day) and customer_age (T: first purchase day to calibration_end) in units
    of time_unit_days days (fractional: days / unit, as Fader and Hardie measure weeks), and monetary_value
    (the mean spend of the repeat purchase days, null without one), as lifetimes and pymc-marketing expect. -#}
{% macro clv_customer_summary(relation, customer_column, date_column, amount_column, calibration_end,
    time_unit_days) -%}
    {{ return(adapter.dispatch('clv_customer_summary', 'facetlake')(
        relation, customer_column, date_column, amount_column, calibration_end, time_unit_days)) }}
{%- endmacro %}

{% macro default__clv_customer_summary(relation, customer_column, date_column, amount_column, calibration_end,
    time_unit_days) -%}
    with

    clv_purchases as (
        select
            {{ customer_column }} as customer_id,
            cast({{ date_column }} as date) as purchase_date,
            cast({{ amount_column }} as double) as amount
        from {{ relation }}
        where cast({{ date_column }} as date) <= {{ calibration_end }}
    ),

    clv_purchase_days as (
        select
            customer_id,
            purchase_date,
            sum(amount) as day_amount
        from clv_purchases
        group by customer_id, purchase_date
    ),

    clv_first_days as (
        select
            customer_id,
            min(purchase_date) as first_purchase_date,
            max(purchase_date) as last_purchase_date,
            count(*) as purchase_days,
            sum(day_amount) as total_amount
        from clv_purchase_days
        group by customer_id
    ),

    clv_first_amounts as (
        select
            clv_first_days.customer_id,
            clv_purchase_days.day_amount as first_day_amount
        from clv_first_days
        inner join clv_purchase_days
            on
                clv_first_days.customer_id = clv_purchase_days.customer_id
                and clv_first_days.first_purchase_date = clv_purchase_days.purchase_date
    )

    select
        clv_first_days.customer_id,
        clv_first_days.first_purchase_date,
        clv_first_days.last_purchase_date,
        cast({{ calibration_end }} as date) as calibration_end_date,
        cast({{ time_unit_days }} as integer) as time_unit_days,
        cast(clv_first_days.purchase_days as integer) as purchase_days,
        cast(clv_first_days.purchase_days - 1 as integer) as frequency,
        cast({{ dbt.datediff('clv_first_days.first_purchase_date', 'clv_first_days.last_purchase_date', 'day') }}
            as double) / {{ time_unit_days }} as recency,
        cast({{ dbt.datediff('clv_first_days.first_purchase_date', calibration_end, 'day') }}
            as double) / {{ time_unit_days }} as customer_age,
        case
            when clv_first_days.purchase_days > 1
                then (clv_first_days.total_amount - clv_first_amounts.first_day_amount)
                / (clv_first_days.purchase_days - 1)
        end as monetary_value,
        clv_first_days.total_amount
    from clv_first_days
    inner join clv_first_amounts on clv_first_days.customer_id = clv_first_amounts.customer_id
{%- endmacro %}


{#- BG/NBD probability that a customer with frequency x, recency t_x and age T (columns or expressions) is
    still alive; 1 for a customer without a repeat purchase (BG/NBD drops out only after a repeat purchase). -#}
{% macro bgnbd_p_alive(x, t_x, customer_age, r, alpha, a, b) -%}
    {{ return(adapter.dispatch('bgnbd_p_alive', 'facetlake')(x, t_x, customer_age, r, alpha, a, b)) }}
{%- endmacro %}

{% macro default__bgnbd_p_alive(x, t_x, customer_age, r, alpha, a, b) -%}
    case
        when {{ x }} = 0 then 1.0
        else 1.0 / (
            1.0 + ({{ a }} / ({{ b }} + {{ x }} - 1.0))
            * power(({{ alpha }} + {{ customer_age }}) / ({{ alpha }} + {{ t_x }}), {{ r }} + {{ x }})
        )
    end
{%- endmacro %}


{#- BG/NBD expected purchases in the next `horizon` units of a customer known to be alive, with frequency x
    (the conditional expectation is this times P(alive)): (a + b + x - 1) / (a - 1) x (1 - (1 - z)^(a - 1) F),
    z = horizon / (alpha + T + horizon) and F = 2F1(a + b - 1 - r, a - 1; a + b + x - 1; z) as `hypergeometric`
    (Euler's transformation of the paper's 2F1(r + x, b + x; a + b + x - 1; z), whose series converges fast for
    any x; see clv_hypergeometric_terms). -#}
{% macro bgnbd_purchases_if_alive(x, z, hypergeometric, a, b) -%}
    {{ return(adapter.dispatch('bgnbd_purchases_if_alive', 'facetlake')(x, z, hypergeometric, a, b)) }}
{%- endmacro %}

{% macro default__bgnbd_purchases_if_alive(x, z, hypergeometric, a, b) -%}
    ({{ a }} + {{ b }} + {{ x }} - 1.0) / ({{ a }} - 1.0)
    * (1.0 - power(1.0 - {{ z }}, {{ a }} - 1.0) * {{ hypergeometric }})
{%- endmacro %}


{#- Gamma-Gamma conditional expected spend per purchase of a customer with `frequency` repeat purchases of
    mean `monetary_value` (the population mean for a customer without one). -#}
{% macro gamma_gamma_expected_spend(frequency, monetary_value, p, q, v) -%}
    {{ return(adapter.dispatch('gamma_gamma_expected_spend', 'facetlake')(frequency, monetary_value, p, q, v)) }}
{%- endmacro %}

{% macro default__gamma_gamma_expected_spend(frequency, monetary_value, p, q, v) -%}
    case
        when {{ frequency }} > 0 and {{ monetary_value }} is not null
            then ({{ q }} - 1.0) / ({{ p }} * {{ frequency }} + {{ q }} - 1.0) * ({{ v }} * {{ p }} / ({{ q }} - 1.0))
            + ({{ p }} * {{ frequency }}) / ({{ p }} * {{ frequency }} + {{ q }} - 1.0) * {{ monetary_value }}
        else {{ v }} * {{ p }} / ({{ q }} - 1.0)
    end
{%- endmacro %}


{#- The terms k = 1 .. n_terms of the Gauss hypergeometric series 2F1(a1, b1; c1; z) for every row of
    `relation` (its `key_columns`, unique per row, and the columns or expressions a1, b1, c1 (not a non-positive
    integer), z in [0, 1)), as rows (key_columns, term); the series is 1 + the sum of the terms. A term is its sign
    (a1, b1 or c1 may be negative: c1 = a + b + x - 1 is, for a one-time buyer, when a fit on a short history
    puts a + b below 1) times exp of a running sum of logarithms (a window), so it never overflows and is computed
    the same way on both engines. -#}
{% macro clv_hypergeometric_terms(relation, key_columns, a1, b1, c1, z, n_terms) -%}
    {{ return(adapter.dispatch('clv_hypergeometric_terms', 'facetlake')(
        relation, key_columns, a1, b1, c1, z, n_terms)) }}
{%- endmacro %}

{% macro default__clv_hypergeometric_terms(relation, key_columns, a1, b1, c1, z, n_terms) -%}
    {%- set window -%}
        partition by {{ key_columns | join(', ') }} order by series.n rows between unbounded preceding and current row
    {%- endset -%}
    select
        {{ key_columns | join(', ') }},
        series.n + 1 as k,
        case
            when mod(sum(
                case when cast({{ a1 }} as double) + series.n < 0 then 1 else 0 end
                + case when cast({{ b1 }} as double) + series.n < 0 then 1 else 0 end
                + case when cast({{ c1 }} as double) + series.n < 0 then 1 else 0 end
            ) over ({{ window }}), 2) = 1 then -1.0
            else 1.0
        end
        * exp(
            sum(
                ln(greatest(abs(cast({{ a1 }} as double) + series.n), 1e-300))
                + ln(greatest(abs(cast({{ b1 }} as double) + series.n), 1e-300))
                - ln(greatest(abs(cast({{ c1 }} as double) + series.n), 1e-300)) - ln(1.0 + series.n)
            ) over ({{ window }})
            + (series.n + 1) * ln(cast({{ z }} as double))
        ) as term
    from {{ relation }}
    cross join ({{ integer_series(n_terms) }}) as series
    where {{ z }} > 0
{%- endmacro %}


{#- Every row of `summary` (a relation with columns frequency, recency, customer_age, monetary_value and
    time_unit_days, as clv_customer_summary gives them) scored from the fitted parameters in `parameters` (rows
    model, parameter, value, status as clv_parameters has them): all of summary's columns plus p_alive,
    expected_purchases over var clv_horizon_days, expected_spend_per_purchase (Gamma-Gamma), expected_spend and
    clv, discounted over var clv_months months of 30 days at var clv_monthly_discount_rate, as lifetimes computes
    it (sum over months of the month's expected purchases x spend / (1 + rate)^month). The 2F1 series is summed
    once per distinct (frequency, customer_age, horizon), not per row. Scores are null when BG/NBD is unfitted. -#}
{% macro clv_scores(summary, parameters) -%}
    {{ return(adapter.dispatch('clv_scores', 'facetlake')(summary, parameters)) }}
{%- endmacro %}

{% macro default__clv_scores(summary, parameters) -%}
    with

    clv_fitted as (
        select * from {{ parameters }}
        where status = 'fitted'
    ),

    clv_parameters_wide as (
        select
            max(case when model = 'bg_nbd' and parameter = 'r' then value end) as r,
            max(case when model = 'bg_nbd' and parameter = 'alpha' then value end) as alpha,
            max(case when model = 'bg_nbd' and parameter = 'a' then value end) as a,
            max(case when model = 'bg_nbd' and parameter = 'b' then value end) as b,
            max(case when model = 'gamma_gamma' and parameter = 'p' then value end) as p,
            max(case when model = 'gamma_gamma' and parameter = 'q' then value end) as q,
            max(case when model = 'gamma_gamma' and parameter = 'v' then value end) as v
        from clv_fitted
    ),

    clv_steps as (
        -- step 0: the clv_horizon_days horizon; steps 1 .. clv_months: the end of each 30-day month
        select n as step from ({{ integer_series(var('clv_months') + 1) }}) as integers
    ),

    clv_grid as (
        select distinct
            frequency,
            customer_age,
            time_unit_days
        from {{ summary }}
    ),

    clv_series_horizons as (
        select
            clv_grid.frequency,
            clv_grid.customer_age,
            clv_steps.step,
            case
                when clv_steps.step = 0 then cast({{ var('clv_horizon_days') }} as double) / clv_grid.time_unit_days
                else cast(clv_steps.step * 30 as double) / clv_grid.time_unit_days
            end as horizon
        from clv_grid
        cross join clv_steps
    ),

    clv_series_input as (
        select
            clv_series_horizons.frequency,
            clv_series_horizons.customer_age,
            clv_series_horizons.step,
            clv_parameters_wide.a,
            clv_parameters_wide.b,
            clv_parameters_wide.a + clv_parameters_wide.b - 1.0 - clv_parameters_wide.r as a1,
            clv_parameters_wide.a - 1.0 as b1,
            clv_parameters_wide.a + clv_parameters_wide.b + clv_series_horizons.frequency - 1.0 as c1,
            clv_series_horizons.horizon
            / (clv_parameters_wide.alpha + clv_series_horizons.customer_age + clv_series_horizons.horizon) as z
        from clv_series_horizons
        cross join clv_parameters_wide
        where clv_parameters_wide.r is not null
    ),

    clv_terms as (
        {{ clv_hypergeometric_terms('clv_series_input', ['frequency', 'customer_age', 'step'], 'a1', 'b1', 'c1',
            'z', var('clv_series_terms')) | indent(8) }}
    ),

    clv_series as (
        select
            frequency,
            customer_age,
            step,
            1.0 + sum(term) as hypergeometric
        from clv_terms
        group by frequency, customer_age, step
    ),

    clv_purchases_if_alive as (
        select
            clv_series_input.frequency,
            clv_series_input.customer_age,
            clv_series_input.step,
            {{ bgnbd_purchases_if_alive(
                'clv_series_input.frequency', 'clv_series_input.z', 'coalesce(clv_series.hypergeometric, 1.0)',
                'clv_series_input.a', 'clv_series_input.b'
            ) }} as purchases
        from clv_series_input
        left join clv_series
            on
                clv_series_input.frequency = clv_series.frequency
                and clv_series_input.customer_age = clv_series.customer_age
                and clv_series_input.step = clv_series.step
    ),

    clv_monthly as (
        select
            frequency,
            customer_age,
            step,
            purchases,
            purchases - coalesce(
                lag(purchases) over (partition by frequency, customer_age order by step), 0.0
            ) as purchases_this_month
        from clv_purchases_if_alive
        where step > 0
    ),

    clv_discounted as (
        select
            frequency,
            customer_age,
            sum(purchases_this_month / power(1.0 + {{ var('clv_monthly_discount_rate') }}, step))
                as discounted_purchases_if_alive
        from clv_monthly
        group by frequency, customer_age
    ),

    clv_grid_values as (
        select
            clv_purchases_if_alive.frequency,
            clv_purchases_if_alive.customer_age,
            clv_purchases_if_alive.purchases as horizon_purchases_if_alive,
            clv_discounted.discounted_purchases_if_alive
        from clv_purchases_if_alive
        left join clv_discounted
            on
                clv_purchases_if_alive.frequency = clv_discounted.frequency
                and clv_purchases_if_alive.customer_age = clv_discounted.customer_age
        where clv_purchases_if_alive.step = 0
    )

    {%- set p_alive -%}
        {{ bgnbd_p_alive(summary ~ '.frequency', summary ~ '.recency', summary ~ '.customer_age',
            'clv_parameters_wide.r', 'clv_parameters_wide.alpha', 'clv_parameters_wide.a', 'clv_parameters_wide.b') }}
    {%- endset %}
    {%- set spend_per_purchase -%}
        {{ gamma_gamma_expected_spend(summary ~ '.frequency', summary ~ '.monetary_value',
            'clv_parameters_wide.p', 'clv_parameters_wide.q', 'clv_parameters_wide.v') }}
    {%- endset %}

    select
        {{ summary }}.*,
        case when clv_grid_values.horizon_purchases_if_alive is not null then {{ p_alive }} end as p_alive,
        {{ p_alive }} * clv_grid_values.horizon_purchases_if_alive as expected_purchases,
        {{ spend_per_purchase }} as expected_spend_per_purchase,
        {{ p_alive }} * clv_grid_values.horizon_purchases_if_alive * {{ spend_per_purchase }} as expected_spend,
        {{ p_alive }} * clv_grid_values.discounted_purchases_if_alive * {{ spend_per_purchase }} as clv
    from {{ summary }}
    cross join clv_parameters_wide
    left join clv_grid_values
        on
            {{ summary }}.frequency = clv_grid_values.frequency
            and {{ summary }}.customer_age = clv_grid_values.customer_age
{%- endmacro %}


{#- The integers 0 .. n - 1 as a relation with one column `n`. -#}
{% macro integer_series(n) -%}
    {{ return(adapter.dispatch('integer_series', 'facetlake')(n)) }}
{%- endmacro %}

{% macro duckdb__integer_series(n) -%}
    select cast(range as integer) as n from range(0, {{ n }})
{%- endmacro %}

{% macro trino__integer_series(n) -%}
    select n from unnest(sequence(0, {{ n }} - 1)) as integers (n)
{%- endmacro %}
