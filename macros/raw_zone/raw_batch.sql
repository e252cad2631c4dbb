{#- Which arrival dates (dt) of the raw zone this run processes.

    Returns a dict {"from": "YYYY-MM-DD" or none, "to": "YYYY-MM-DD" or none}; none means unbounded.
    - var dt: exactly that date;
    - vars dt_from / dt_to: that inclusive range;
    - otherwise, on an incremental run: the latest dt already loaded and everything newer
      (so a day that was still arriving is completed, never doubled);
    - otherwise (first build, --full-refresh): every dt.
    The choice is logged once per model, when its SQL is compiled, so dbt's output shows which dts a run loads.
-#}
{% macro raw_batch() %}
    {%- set dt = var('dt', none) -%}
    {%- if dt -%}
        {%- set batch = {'from': dt | string, 'to': dt | string} -%}
        {%- set reason = 'var dt' -%}
    {%- elif var('dt_from', none) or var('dt_to', none) -%}
        {%- set batch = {'from': var('dt_from', none), 'to': var('dt_to', none)} -%}
        {%- set reason = 'vars dt_from/dt_to' -%}
    {%- elif execute and is_incremental() -%}
        {%- set latest = run_query('select cast(max(dt) as varchar) from ' ~ this).columns[0].values()[0] -%}
        {%- set batch = {'from': latest, 'to': none} -%}
        {%- set reason = 'incremental: latest loaded dt and newer' if latest
            else 'incremental: nothing loaded yet' -%}
    {%- else -%}
        {%- set batch = {'from': none, 'to': none} -%}
        {%- set reason = 'first build or full refresh' -%}
    {%- endif -%}
    {{ _log_raw_batch(batch, reason) }}
    {{ return(batch) }}
{% endmacro %}


{#- Logs the batch while the model's own SQL is compiled (not at parse time, and not again when its
    post-hook calls raw_batch() after the load: by then compiled_code is set). -#}
{% macro _log_raw_batch(batch, reason) -%}
    {%- if execute and model is defined and model is not none and not model.get('compiled_code') -%}
        {%- if batch['from'] and batch['from'] == batch['to'] -%}
            {%- set dts = 'dt ' ~ batch['from'] -%}
        {%- elif batch['from'] and batch['to'] -%}
            {%- set dts = 'dt from ' ~ batch['from'] ~ ' to ' ~ batch['to'] -%}
        {%- elif batch['from'] -%}
            {%- set dts = 'dt ' ~ batch['from'] ~ ' and newer' -%}
        {%- elif batch['to'] -%}
            {%- set dts = 'every dt up to ' ~ batch['to'] -%}
        {%- else -%}
            {%- set dts = 'every dt' -%}
        {%- endif -%}
        {%- do log('raw batch for ' ~ model.name ~ ': ' ~ dts ~ ' (' ~ reason ~ ')', info=True) -%}
    {%- endif -%}
{%- endmacro %}


{#- A SQL predicate on a date column for the current batch (true when the batch is unbounded).

    Arguments:
      column: the date column (or expression) to bound.
      batch: the dict from raw_batch().
-#}
{% macro raw_batch_predicate(column, batch) -%}
    {%- set parts = [] -%}
    {%- if batch['from'] %}{% do parts.append(column ~ " >= cast('" ~ batch['from'] ~ "' as date)") %}{% endif -%}
    {%- if batch['to'] %}{% do parts.append(column ~ " <= cast('" ~ batch['to'] ~ "' as date)") %}{% endif -%}
    {{ parts | join(' and ') if parts else '1 = 1' }}
{%- endmacro %}
