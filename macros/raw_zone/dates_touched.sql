{#- The daily path of marts keyed by a business date: which dates a run rebuilds.

    A mart with a business-date grain (daily sales, tag coverage, reach, store weeks) is incremental by that
    date (delete+insert): a run rebuilds, from every staged row, only the business dates that rows arriving in
    the run's arrival window carry, so its work grows with the day and a late line still counts on its event
    date. The arrival window is the run's raw batch (var dt, vars dt_from/dt_to) widened by var
    daily_lookback_days back; on an incremental run without those vars, every dt from the mart's latest date
    minus the lookback on. -#}


{#- The arrival dates (dt) whose rows decide which business dates this run of an incremental mart rebuilds,
    as {"from", "to"} ("YYYY-MM-DD" or none for unbounded).

    Arguments:
      watermark_column: the mart's business-date column; without dt vars, the window starts at its latest
        value in the mart minus the lookback (everything that arrived since the last run, and lines that
        arrived up to daily_lookback_days late).
-#}
{% macro arrival_window(watermark_column) %}
    {%- set lookback = modules.datetime.timedelta(days=var('daily_lookback_days') | int) -%}
    {%- set dt_from, dt_to = var('dt', none) or var('dt_from', none), var('dt', none) or var('dt_to', none) -%}
    {%- if not dt_from and not dt_to and execute and is_incremental() -%}
        {%- set latest = run_query(
            'select cast(max(' ~ watermark_column ~ ') as varchar) from ' ~ this
        ).columns[0].values()[0] -%}
        {%- set dt_from = latest -%}
    {%- endif -%}
    {%- if dt_from -%}
        {%- set dt_from = (modules.datetime.date.fromisoformat(dt_from | string) - lookback).isoformat() -%}
    {%- endif -%}
    {{ return({'from': dt_from, 'to': (dt_to | string) if dt_to else none}) }}
{% endmacro %}


{#- A query of the distinct business dates (one column, business_date) that rows of `arrivals` arriving in
    this run's arrival_window carry; the dates an incremental mart deletes and rebuilds.

    Arguments:
      arrivals: a relation with the arrival date dt (a staging model).
      date_column: its business-date column (order_date, event_date, ...).
      watermark_column: the mart's business-date column (see arrival_window).
-#}
{% macro business_dates_touched(arrivals, date_column, watermark_column) -%}
    {%- set window = arrival_window(watermark_column) -%}
    select distinct {{ date_column }} as business_date
    from {{ arrivals }}
    where {{ raw_batch_predicate('dt', window) }} and {{ date_column }} is not null
{%- endmacro %}
