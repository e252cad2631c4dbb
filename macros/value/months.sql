{#- The month-end calendar of the customer-value history, shared by the RFM and lifecycle models and by their
    month-over-month marts. -#}


{#- The month ends with purchases up to the as-of date, as a select with one column as_of_date: the last day
    of each month with a purchase, and the as-of date itself for its own (unfinished) month. `purchases` has
    order_date, `dates` one row with as_of_date (int_value_dates_resolved). -#}
{% macro value_month_ends(purchases, dates) -%}
    {{ return(adapter.dispatch('value_month_ends', 'facetlake')(purchases, dates)) }}
{%- endmacro %}

{% macro default__value_month_ends(purchases, dates) -%}
    select distinct
        case
            when cast({{ dbt.last_day(purchases ~ '.order_date', 'month') }} as date) < {{ dates }}.as_of_date
                then cast({{ dbt.last_day(purchases ~ '.order_date', 'month') }} as date)
            else {{ dates }}.as_of_date
        end as as_of_date
    from {{ purchases }}
    cross join {{ dates }}
    where {{ purchases }}.order_date <= {{ dates }}.as_of_date
{%- endmacro %}


{#- Each distinct as_of_date of `relation` with the one before it (previous_as_of_date, null for the first),
    as a select: the pairs a month-over-month mart compares. -#}
{% macro value_month_end_pairs(relation) -%}
    {{ return(adapter.dispatch('value_month_end_pairs', 'facetlake')(relation)) }}
{%- endmacro %}

{% macro default__value_month_end_pairs(relation) -%}
    select
        as_of_date,
        lag(as_of_date) over (order by as_of_date) as previous_as_of_date
    from (select distinct as_of_date from {{ relation }}) as dates
{%- endmacro %}
