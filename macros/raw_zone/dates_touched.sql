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


{#- The business dates touched by rows of several staging models (the union of business_dates_touched).

    Arguments:
      arrivals: a list of [staging model name, its business-date column or expression] pairs.
      watermark_column: the mart's business-date column (see arrival_window).
-#}
{% macro dates_touched(arrivals, watermark_column) -%}
    {%- for model_name, date_column in arrivals %}
        {{ business_dates_touched(ref(model_name), date_column, watermark_column) }}
        {% if not loop.last %}union{% endif %}
    {%- endfor %}
{%- endmacro %}


{#- A query of the super_ids (column super_id) restated in this run's arrival window or later: their identifier
    set changed (merge, split, an identifier became shared), or they are new, or gone (person_restatements).
    A person-level model on the daily path rebuilds all of their rows. Unbounded above: a rerun of an older dt
    still rebuilds persons a later run restated.

    Arguments:
      watermark_column: the model's business-date column (see arrival_window).
-#}
{% macro persons_restated(watermark_column) -%}
    {%- set window = arrival_window(watermark_column) -%}
    select super_id
    from {{ ref('person_restatements') }}
    where {{ raw_batch_predicate('restated_dt', {'from': window['from'], 'to': none}) }}
{%- endmacro %}


{#- The rows a person-level model on the daily path rebuilds, as a predicate on its own columns: rows of
    the business dates new arrivals touch, and every row of the persons restated (persons_restated).

    Arguments:
      date_column: the model's business-date column (also the watermark, see arrival_window).
      arrivals: [staging model name, business-date column] pairs whose arrivals decide the dates.
-#}
{% macro rows_rebuilt(date_column, arrivals) -%}
    ({{ date_column }} in ({{ dates_touched(arrivals, date_column) }})
        or super_id in ({{ persons_restated(date_column) }}))
{%- endmacro %}


{#- The run's scope for a model on the rebuild_rows strategy, as CTEs computed once and read by
    source_rows_read: touched_dates (the business dates new arrivals touch) and restated_identifiers (the
    identifiers of the persons restated, through identity_map). Nothing on a full build. Place it in the
    model's `with` list before the sources it narrows; it reads the model's configs restate_date_column and
    restate_arrivals, so a model names its scope once, in its config.
-#}
{% macro rebuild_scope() -%}
    {%- if is_incremental() -%}
        {%- set watermark = config.get('restate_date_column') -%}
        touched_dates as (
            {{ dates_touched(config.get('restate_arrivals'), watermark) }}
        ),

        restated_identifiers as (
            select
                id_type,
                id_value
            from {{ ref('identity_map') }}
            where super_id in ({{ persons_restated(watermark) }})
        ),
    {%- endif -%}
{%- endmacro %}


{#- The predicate narrowing a source of a model on the rebuild_rows strategy to the rows its run can need:
    rows on the business dates new arrivals touch, and rows carrying an identifier of a restated person (the
    CTEs of rebuild_scope). True on a full build.

    Arguments:
      date_expr: the source's business-date column or expression.
      identifiers: {id_type: the source's column holding that identifier}, e.g. {'user_pin': 'user_pin'}.
-#}
{% macro source_rows_read(date_expr, identifiers) -%}
    {%- if is_incremental() -%}
        ({{ date_expr }} in (select business_date from touched_dates)
        {%- for id_type, column in identifiers.items() %}
            or {{ column }} in (select id_value from restated_identifiers where id_type = '{{ id_type }}')
        {%- endfor %})
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}


{#- Incremental strategy 'rebuild_rows' for person-level models on the daily path: deletes the rows
    rows_rebuilt() names (config restate_date_column, restate_arrivals) and
    inserts the run's rows, which the model selects with the same predicate. Unlike delete+insert on a key,
    it also removes rows nothing replaces (a super_id retired by a merge, a day a split person no longer
    has). The predicate is rendered here, before the delete, from the same state the model's select saw. -#}
{% macro get_incremental_rebuild_rows_sql(arg_dict) -%}
    {%- set columns = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    delete from {{ arg_dict['target_relation'] }}
    where {{ rows_rebuilt(config.get('restate_date_column'), config.get('restate_arrivals')) }};
    insert into {{ arg_dict['target_relation'] }} ({{ columns }})
    select {{ columns }} from {{ arg_dict['temp_relation'] }}
{%- endmacro %}
