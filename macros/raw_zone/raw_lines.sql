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


{#- Trino reads the raw zone through external tables of the hive catalog (facetlake.trino.catalogs
    creates them and syncs their dt partitions before each build): `source('raw', name)` is
    hive.raw.<name>, one varchar column `line`, partition column `dt` (varchar), hidden column "$path".

    Line numbers. Trino has no row-position column for text files, and SQL guarantees no row order, so
    the number is the row's arrival position in its file: row_number() over (partition by "$path")
    without an order, which Trino runs as a RowNumber operator that numbers rows in the order it
    receives them. That order is the file's order when
      1. each file is read by one split (one reader, front to back): raw_zone_session_begin (session.sql)
         raises the hive catalog's split sizes so no file is cut (gzip files are never cut anyway), and
      2. nothing between the scan and the numbering interleaves pages of one file: with several drivers
         per task, the local exchange before the RowNumber operator mixes the pages of a file read by one
         upstream task; raw_zone_session_begin sets task_concurrency = 1 for the model (one driver per
         stage and node, while the scan stage still reads many files in parallel), and retry_policy NONE
         (a spooled, fault-tolerant exchange does not keep order).
    Under those settings the numbers are exact (tests/trino/test_raw_zone.py checks a file bigger than
    Trino's default split size, read as one split, against the number written into each line; the parity
    test checks the planted malformed lines' numbers).
    Without them they are not: a file cut into splits, or read at task_concurrency 2, comes out
    numbered in a shuffled order.

    Empty lines come through as NULL, as DuckDB's reader gives them. On the node's local file system
    (FACETLAKE_TRINO_LAKE_URI local://, the default, or local:///<folder>), "$path" is given as a path
    under FACETLAKE_LAKE, the file name DuckDB reports; elsewhere (s3://...) it is the URI Trino read.
-#}
{% macro trino__raw_lines(source_name, batch) -%}
    {%- set relation = source('raw', source_name) -%}
    {%- set lake = env_var('FACETLAKE_LAKE', '') -%}
    {%- set lake_uri = env_var('FACETLAKE_TRINO_LAKE_URI', '') | trim -%}
    {#- On the node's local file system, `lake_uri` (default local://) is the lake directory itself. -#}
    {%- set local_prefix = none -%}
    {%- if lake and (lake_uri == '' or lake_uri.startswith('local:')) -%}
        {%- set folder = lake_uri.rstrip('/') -%}
        {%- set local_prefix = (folder ~ '/') if folder not in ('', 'local:') else 'local:///' -%}
    {%- endif %}
    select
        line,
        file_name,
        row_number() over (partition by file_name) as line_number,
        dt
    from (
        select
            nullif(line, '') as line,
            {%- if local_prefix %}
            case
                when starts_with("$path", '{{ local_prefix }}')
                    then '{{ lake.rstrip("/") }}/' || substr("$path", {{ local_prefix | length + 1 }})
                else "$path"
            end as file_name,
            {%- else %}
            "$path" as file_name,
            {%- endif %}
            cast(dt as date) as dt
        from {{ relation }}
        where {{ _trino_raw_partition_predicate('dt', batch) }}
    ) as raw_files
{%- endmacro %}


{#- The batch's bounds on the varchar partition column itself (ISO dates compare as text), so the hive
    connector prunes partitions before listing a single file. -#}
{% macro _trino_raw_partition_predicate(column, batch) -%}
    {%- set parts = [] -%}
    {%- if batch['from'] %}{% do parts.append(column ~ " >= '" ~ batch['from'] ~ "'") %}{% endif -%}
    {%- if batch['to'] %}{% do parts.append(column ~ " <= '" ~ batch['to'] ~ "'") %}{% endif -%}
    {{ parts | join(' and ') if parts else '1 = 1' }}
{%- endmacro %}
