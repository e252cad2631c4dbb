{#- Asserts credit conservation: under every rule model, the credits of every paid order sum to its value exactly
    (to the cent), and every order is credited by all six models. Fails with the orders and models that do not. -#}

with

paths as (
    select * from {{ ref('fct_conversion_paths') }}
    where is_conversion
),

credits as (
    select
        order_id,
        attribution_model,
        sum(value_credit) as value_credit,
        sum(conversion_credit) as conversion_credit
    from {{ ref('fct_attribution_credits') }}
    group by order_id, attribution_model
),

models as (
    select distinct attribution_model from credits
),

expected as (
    select
        paths.order_id,
        paths.conversion_value,
        models.attribution_model
    from paths
    cross join models
)

select
    expected.order_id,
    expected.attribution_model,
    expected.conversion_value,
    credits.value_credit,
    credits.conversion_credit
from expected
left join credits
    on expected.order_id = credits.order_id and expected.attribution_model = credits.attribution_model
where
    credits.value_credit is null
    or credits.value_credit != expected.conversion_value
    or abs(credits.conversion_credit - 1.0) > 1e-9
    or (select count(*) from models) != 6
