{#- Every customer of the CLV summary scored in SQL from the fitted parameters (clv_parameters) by the macro
    clv_scores: P(alive), expected purchases in the next clv_horizon_days, expected spend per purchase
    (Gamma-Gamma) and the discounted CLV over clv_months months, and its decile. Scores are null when a model
    could not be fitted (clv_parameters says why). -#}

with

summary as (
    select * from {{ ref('clv_customer_summary') }}
),

parameters as (
    select * from {{ ref('clv_parameters') }}
),

scored as (
    {{ clv_scores('summary', 'parameters') | indent(4) }}
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
        p_alive,
        expected_purchases,
        expected_spend_per_purchase,
        expected_spend,
        clv,
        ntile(10) over (order by clv, super_id) as clv_decile
    from scored
)

select * from final
