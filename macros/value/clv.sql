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
    `relation` (its `key_columns`, unique per row, and the columns or expressions a1, b1, c1 > 0, z in [0, 1)), as
    rows (key_columns, term); the series is 1 + the sum of the terms. A term is its sign (a1 or b1 may be
    negative) times exp of a running sum of logarithms (a window), so it never overflows and is computed the
    same way on both engines. -#}
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
            ) over ({{ window }}), 2) = 1 then -1.0
            else 1.0
        end
        * exp(
            sum(
                ln(greatest(abs(cast({{ a1 }} as double) + series.n), 1e-300))
                + ln(greatest(abs(cast({{ b1 }} as double) + series.n), 1e-300))
                - ln(cast({{ c1 }} as double) + series.n) - ln(1.0 + series.n)
            ) over ({{ window }})
            + (series.n + 1) * ln(cast({{ z }} as double))
        ) as term
    from {{ relation }}
    cross join ({{ integer_series(n_terms) }}) as series
    where {{ z }} > 0
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
