{#- Which arrival dates (dt) of the raw zone this run processes.

    Returns a dict {"from": "YYYY-MM-DD" or none, "to": "YYYY-MM-DD" or none}; none means unbounded.
    - var dt: exactly that date;
    - vars dt_from / dt_to: that inclusive range;
    - otherwise, on an incremental run: the latest dt already loaded and everything newer
      (so a day that was still arriving is completed, never doubled), or from an older dt on when the raw
      manifest lists files there that differ from what was loaded (raw_first_changed_dt): a file added to,
      changed in or removed from an old dt is loaded by the next normal run;
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
        {%- set changed = raw_first_changed_dt(model.name.replace('base_raw__', '')) -%}
        {%- if changed and latest and changed < latest -%}
            {%- set batch = {'from': changed, 'to': none} -%}
            {%- set reason = 'incremental: files added, changed or removed in dt ' ~ changed
                ~ ' since it was loaded, so from there on' -%}
        {%- else -%}
            {%- set batch = {'from': latest, 'to': none} -%}
            {%- set reason = 'incremental: latest loaded dt and newer' if latest
                else 'incremental: nothing loaded yet' -%}
        {%- endif -%}
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


{#- The earliest dt of a raw source whose files, as the raw manifest lists them now, differ from what the
    running base model (`this`) holds: a file added or removed, or a different number of lines. None when
    they agree. Rebuilding from that dt on keeps duplicates exact (the earliest copy wins), which a rebuild
    of the one dt alone would not.

    Arguments:
      source_name: the raw source (app_events, orders, ...).
-#}
{% macro raw_first_changed_dt(source_name) -%}
    {{ return(adapter.dispatch('raw_first_changed_dt', 'facetlake')(source_name)) }}
{%- endmacro %}


{#- Portable: the manifest's files against the files the model holds, by their path under <lake>/raw (the
    last three parts of file_name: on a remote Trino lake, file_name is the URI Trino read). -#}
{% macro default__raw_first_changed_dt(source_name) -%}
    {%- set compared -%}
        with

        listed as (
            select relative_path, dt, lines
            from {{ source('raw_manifest', 'files') }}
            where source_name = '{{ source_name }}' and status in ('ok', 'sidecar') and lines > 0
        ),

        loaded as (
            select
                regexp_extract(file_name, '([^/]+/[^/]+/[^/]+)$', 1) as relative_path,
                dt,
                count(*) as lines
            from {{ this }}
            group by 1, 2
        )

        select cast(min(coalesce(listed.dt, loaded.dt)) as varchar)
        from listed
        full outer join loaded on listed.relative_path = loaded.relative_path and listed.dt = loaded.dt
        where listed.lines is distinct from loaded.lines
    {%- endset -%}
    {{ return(run_query(compared).columns[0].values()[0]) }}
{%- endmacro %}


{#- DuckDB: as default__, once the manifest is there (_duckdb_raw_manifest_exists). -#}
{% macro duckdb__raw_first_changed_dt(source_name) -%}
    {%- if not _duckdb_raw_manifest_exists(source_name) -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(default__raw_first_changed_dt(source_name)) }}
{%- endmacro %}
