{#- The churn warning per customer: P(alive) from the fitted BG/NBD (customer_clv) beside the rule baseline
    a marketer uses, days since the last purchase day against the customer's own mean days between purchase
    days (needs a repeat purchase). churn_risk takes the model when it was fitted, else the rule. -#}

with

clv as (
    select * from {{ ref('customer_clv') }}
),

measured as (
    select
        super_id,
        last_purchase_date,
        calibration_end_date,
        frequency,
        p_alive,
        {{ dbt.datediff('last_purchase_date', 'calibration_end_date', 'day') }}
            as days_since_last_purchase,
        {{ dbt.datediff('first_purchase_date', 'last_purchase_date', 'day') }}
            as repeat_span_days
    from clv
),

paced as (
    select
        *,
        cast(repeat_span_days as double) / nullif(frequency, 0) as mean_days_between_purchases
    from measured
),

final as (
    select
        super_id,
        last_purchase_date,
        calibration_end_date,
        frequency,
        days_since_last_purchase,
        mean_days_between_purchases,
        days_since_last_purchase / nullif(mean_days_between_purchases, 0) as rule_overdue_ratio,
        days_since_last_purchase > {{ var('value_churn_rule_multiple') }} * mean_days_between_purchases
            as is_churn_risk_by_rule,
        p_alive,
        p_alive < {{ var('value_churn_p_alive_threshold') }} as is_churn_risk_by_model,
        coalesce(
            p_alive < {{ var('value_churn_p_alive_threshold') }},
            days_since_last_purchase
            > {{ var('value_churn_rule_multiple') }} * mean_days_between_purchases
        ) as is_churn_risk
    from paced
)

select * from final
