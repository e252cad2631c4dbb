{#- Which arrival dates (dt) of the raw zone this run processes.

    Returns a dict {"from": "YYYY-MM-DD" or none, "to": "YYYY-MM-DD" or none}; none means unbounded.
    - var dt: exactly that date;
    - vars dt_from / dt_to: that inclusive range;
    - otherwise, on an incremental run: the latest dt already loaded and everything newer
      (so a day that was still arriving is completed, never doubled);
    - otherwise (first build, --full-refresh): every dt.
-#}
{% macro raw_batch() %}
    {%- set dt = var('dt', none) -%}
    {%- if dt -%}
        {{ return({'from': dt | string, 'to': dt | string}) }}
    {%- endif -%}
    {%- if var('dt_from', none) or var('dt_to', none) -%}
        {{ return({'from': var('dt_from', none), 'to': var('dt_to', none)}) }}
    {%- endif -%}
    {%- if execute and is_incremental() -%}
        {%- set latest = run_query('select cast(max(dt) as varchar) from ' ~ this).columns[0].values()[0] -%}
        {{ return({'from': latest, 'to': none}) }}
    {%- endif -%}
    {{ return({'from': none, 'to': none}) }}
{% endmacro %}


{#- A SQL predicate on a date column for the current batch (true when the batch is unbounded). -#}
{% macro raw_batch_predicate(column, batch) -%}
    {%- set parts = [] -%}
    {%- if batch['from'] %}{% do parts.append(column ~ " >= cast('" ~ batch['from'] ~ "' as date)") %}{% endif -%}
    {%- if batch['to'] %}{% do parts.append(column ~ " <= cast('" ~ batch['to'] ~ "' as date)") %}{% endif -%}
    {{ parts | join(' and ') if parts else '1 = 1' }}
{%- endmacro %}
