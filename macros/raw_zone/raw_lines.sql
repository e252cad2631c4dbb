{#- Every line of one raw source for the batch's arrival dates, as text, never parsed here:
    columns line, file_name, line_number (1-based within its file), dt (date).
    A source with no files yet gives an empty relation rather than failing the build.

    Arguments:
      source_name: the raw source (app_events, orders, ...), a table of source 'raw'.
      batch: the dict from raw_batch().
-#}
{% macro raw_lines(source_name, batch) -%}
    {{ return(adapter.dispatch('raw_lines', 'facetlake')(source_name, batch)) }}
{%- endmacro %}


{#- DuckDB reads the lake's files directly. Line numbers: DuckDB keeps insertion order through the scan
    (preserve_insertion_order, set in the profile), so a running row number minus the file's first one
    is the line's position in its file. A test checks this against the planted malformed lines. -#}
{% macro duckdb__raw_lines(source_name, batch) -%}
    {%- set relation = source('raw', source_name) -%}
    {%- set glob = env_var('FACETLAKE_LAKE') ~ '/raw/' ~ source_name ~ '/dt=*/*.jsonl*' -%}
    {%- set file_count = 1 -%}
    {%- if execute -%}
        {%- set file_count = run_query("select count(*) from glob('" ~ glob ~ "')").columns[0].values()[0] -%}
    {%- endif -%}
    {%- if file_count == 0 %}
    select
        cast(null as varchar) as line,
        cast(null as varchar) as file_name,
        cast(null as bigint) as line_number,
        cast(null as date) as dt
    where 1 = 0
    {%- else %}
    {#- The first line's running number per file comes from an aggregate joined back: DuckDB inlines the
        CTE and reads the files twice, which is still 3x cheaper than a window over the full lines. -#}
    with

    numbered as (
        select
            line,
            filename as file_name,
            dt,
            row_number() over () as running_number
        from read_csv(
            '{{ glob }}',
            columns = {'line': 'VARCHAR'},
            delim = chr(1), quote = '', escape = '', header = false, auto_detect = false,
            hive_partitioning = true, hive_types = {'dt': 'DATE'}, filename = true
        )
        where {{ raw_batch_predicate('dt', batch) }}
    ),

    first_numbers as (
        select
            file_name,
            min(running_number) as first_running_number
        from numbered
        group by file_name
    )

    select
        numbered.line,
        numbered.file_name,
        numbered.running_number - first_numbers.first_running_number + 1 as line_number,
        numbered.dt
    from numbered
    inner join first_numbers on numbered.file_name = first_numbers.file_name
    {%- endif %}
{%- endmacro %}
