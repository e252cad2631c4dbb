{#- Each person's 4A stage with each brand on each business day, as JD's 4A defines the relationship (vars in
    dbt_project.yml, windows ending on the day):
      aware     exposed to the brand's ads or messages, or viewed one of its products (brand_4a_aware_window_days);
      appeal    favourited or carted its products, searched its name, or viewed its products at least
                brand_4a_appeal_min_views times (brand_4a_appeal_window_days);
      act       bought it (a paid order; brand_4a_act_window_days);
      advocate  bought it at least brand_4a_advocate_min_orders times, shared its products, or moved points as
                its member (brand_4a_advocate_window_days).
    A person meeting several takes the first in brand_4a_precedence. A person meeting none is in stage 'none'
    and has no row here (fct_brand_4a_daily counts them against the base).

    On the daily path (strategy rebuild_rows, macros/raw_zone/dates_touched.sql) a run rebuilds every day from
    the earliest day new signals touch (a signal changes the stages of the window after it) and every day of
    the persons identity restated (a merge or split changes a person's past), reading only the signals those
    days' windows need. -#}
{%- set arrivals = brand_4a_signal_arrivals() -%}
{{ config(
    materialized='incremental', incremental_strategy='rebuild_rows',
    restate_date_column='stage_date', restate_arrivals=arrivals, restate_dates_from_earliest=true,
) }}
{%- set windows = {
    'aware': var('brand_4a_aware_window_days'),
    'appeal': var('brand_4a_appeal_window_days'),
    'act': var('brand_4a_act_window_days'),
    'advocate': var('brand_4a_advocate_window_days'),
} -%}
{%- set longest = windows.values() | max -%}
{%- set conditions = {
    'aware': 'aware_exposures + aware_views > 0',
    'appeal': 'appeal_actions > 0 or appeal_views >= ' ~ var('brand_4a_appeal_min_views'),
    'act': 'act_orders > 0',
    'advocate': 'advocate_orders >= ' ~ var('brand_4a_advocate_min_orders')
        ~ ' or advocate_shares > 0 or advocate_points_movements > 0',
} %}
-- depends_on: {{ ref('person_restatements') }}
{% for model_name, _ in arrivals -%}
-- depends_on: {{ ref(model_name) }}
{% endfor %}

with

{% if is_incremental() %}
    rebuilt_from as (
        select min(business_date) as stage_date
        from ({{ dates_touched(arrivals, 'stage_date') }}) as touched
    ),

    restated_persons as (
        {{ persons_restated('stage_date') }}
    ),
{% endif %}

signals as (
    select * from {{ ref('int_brand_person_days_signalled') }}
    {% if is_incremental() %}
        where
            signal_date >= (
                select cast({{ dbt.dateadd('day', 1 - longest, 'stage_date') }} as date) from rebuilt_from
            )
            or super_id in (select super_id from restated_persons)
    {% endif %}
),

calendar as (
    select
        signal_date as stage_date,
        cast({{ dbt.dateadd('day', 1 - longest, 'signal_date') }} as date) as window_floor
    from {{ ref('int_brand_person_days_signalled') }}
    group by signal_date
),

aged as (
    select
        signals.*,
        calendar.stage_date,
        {{ dbt.datediff('signals.signal_date', 'calendar.stage_date', 'day') }} as age_days  -- noqa: LT05
    from signals
    inner join calendar
        on signals.signal_date between calendar.window_floor and calendar.stage_date
    {% if is_incremental() %}
        where
            calendar.stage_date >= (select stage_date from rebuilt_from)
            or signals.super_id in (select super_id from restated_persons)
    {% endif %}
),

windowed as (
    select
        super_id,
        brand_id,
        stage_date,
        sum(case when age_days < {{ windows.aware }} then exposures else 0 end) as aware_exposures,
        sum(case when age_days < {{ windows.aware }} then product_views else 0 end) as aware_views,
        sum(case when age_days < {{ windows.appeal }} then appeal_actions else 0 end) as appeal_actions,
        sum(case when age_days < {{ windows.appeal }} then product_views else 0 end) as appeal_views,
        sum(case when age_days < {{ windows.act }} then paid_orders else 0 end) as act_orders,
        sum(case when age_days < {{ windows.advocate }} then paid_orders else 0 end) as advocate_orders,
        sum(case when age_days < {{ windows.advocate }} then product_shares else 0 end) as advocate_shares,
        sum(case when age_days < {{ windows.advocate }} then points_movements else 0 end)
            as advocate_points_movements
    from aged
    group by super_id, brand_id, stage_date
),

staged as (
    select
        super_id,
        brand_id,
        stage_date,
        case
            {%- for stage in var('brand_4a_precedence') %}
                when {{ conditions[stage] }} then '{{ stage }}'
            {%- endfor %}
        end as stage  -- noqa: RF04
    from windowed
),

final as (
    select
        super_id,
        brand_id,
        stage_date,
        stage
    from staged
    where stage is not null
    {% if is_incremental() %}
        and {{ rows_rebuilt('stage_date', arrivals, dates_from_earliest=true) }}
    {% endif %}
)

select * from final
