{#- The staged sources whose arrivals decide which days the 4A models rebuild on the daily path, as
    [model, business-date column] pairs (rows_rebuilt): every source of a 4A signal. -#}
{% macro brand_4a_signal_arrivals() -%}
    {{ return([
        ['stg_raw__ad_events', 'event_date'],
        ['stg_raw__message_events', 'event_date'],
        ['stg_raw__app_events', 'event_date'],
        ['stg_raw__order_lines', 'order_date'],
        ['stg_raw__crm_members', business_date('updated_at')],
    ]) }}
{%- endmacro %}

{#- Each person's 4A stage with each brand on each day, as a select (super_id, brand_id, stage_date, stage)
    over the spells of fct_brand_4a_person_stage_spells: a row per day of every spell, the days from the
    first spell's start to the last spell's end. The rows per day are never kept (21 million at 100,000
    persons): the 4A marts count them as they go.

    Arguments:
      spells: the spells relation (super_id, brand_id, stage, valid_from, valid_to).
-#}
{% macro brand_4a_stage_days(spells) -%}
    {%- set bounds -%}
        (select min(valid_from) as first_day, max(valid_to) as last_day from {{ spells }}) as bounds
    {%- endset -%}
    select
        spells.super_id,
        spells.brand_id,
        days.stage_date,
        spells.stage
    from {{ spells }} as spells
    inner join ({{ days_between(bounds, 'first_day', 'last_day', 'stage_date') }}) as days
        on days.stage_date between spells.valid_from and spells.valid_to
{%- endmacro %}
