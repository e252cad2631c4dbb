{#- Every line of one raw source for the batch's arrival dates, as text, never parsed here:
    columns line, file_name, line_number (1-based within its file), dt (date), and line_defect: why the line
    cannot be staged as it is (invalid_utf8, line_too_long, control_byte, stray_cr; null for a clean line).
    Only files of the raw manifest's `ok` and `sidecar` statuses are read (facetlake.raw_zone).
    A source with no files yet gives an empty relation rather than failing the build.

    Arguments:
      source_name: the raw source (app_events, orders, ...), a table of source 'raw'.
      batch: the dict from raw_batch().
-#}
{% macro raw_lines(source_name, batch) -%}
    {{ return(adapter.dispatch('raw_lines', 'facetlake')(source_name, batch)) }}
{%- endmacro %}


{#- DuckDB reads the files the raw manifest lists (facetlake.raw_zone writes it before each build): the clean
    ones (`ok`) straight from the raw zone with read_csv over an explicit list (never a glob, so a skipped or
    unreadable file is never touched), the others (`sidecar`) from their normalised Parquet copies, which carry
    each line's number and defect. Line numbers of the clean files: DuckDB keeps insertion order through the
    scan (preserve_insertion_order, set in the profile), so a running row number minus the lines of the files
    before it in the list (line_offset, from the manifest's exact counts) is the line's place in its file;
    read_csv's file_index says which file a row came from. fct_raw_files tests that every file's numbers
    run from 1 to its line count. -#}
{% macro duckdb__raw_lines(source_name, batch) -%}
    {%- set relation = source('raw', source_name) -%}
    {%- set clean = [] -%}
    {%- set sidecars = [] -%}
    {%- if execute -%}
        {%- if _duckdb_raw_manifest_exists(source_name) -%}
            {%- for row in _raw_manifest_files(source_name, batch) -%}
                {%- do (clean if row[3] == 'ok' else sidecars).append(row) -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endif -%}
    {%- if not clean and not sidecars %}
    select
        cast(null as varchar) as line,
        cast(null as varchar) as file_name,
        cast(null as bigint) as line_number,
        cast(null as date) as dt,
        cast(null as varchar) as line_defect
    where 1 = 0
    {%- else %}
    {%- set offset = namespace(lines=0) %}
    {%- if clean %}
    select
        numbered.line,
        clean_files.file_name,
        numbered.running_number - clean_files.line_offset as line_number,
        clean_files.dt,
        cast(null as varchar) as line_defect
    from (
        select
            line,
            file_index,
            row_number() over () as running_number
        from read_csv(
            [{% for row in clean %}{{ _sql_text(row[0]) }}{{ ', ' if not loop.last }}{% endfor %}],
            columns = {'line': 'VARCHAR'},
            delim = chr(1), quote = '', escape = '', header = false, auto_detect = false,
            hive_partitioning = false
        )
    ) as numbered
    inner join (
        values
        {%- for row in clean %}
            ({{ loop.index0 }}, {{ _sql_text(row[0]) }}, cast('{{ row[1] }}' as date), {{ offset.lines }})
            {{- ',' if not loop.last }}
            {%- set offset.lines = offset.lines + row[2] %}
        {%- endfor %}
    ) as clean_files (file_index, file_name, dt, line_offset)
        on numbered.file_index = clean_files.file_index
    {%- endif %}
    {%- if clean and sidecars %}
    union all
    {%- endif %}
    {%- if sidecars %}
    {%- set sidecar_paths = sidecars | map(attribute=4) | unique | list %}
    select
        sidecar.line,
        sidecar_files.file_name,
        sidecar.line_number,
        sidecar_files.dt,
        sidecar.line_defect
    from read_parquet(
        [{% for path in sidecar_paths %}{{ _sql_text(path) }}{{ ', ' if not loop.last }}{% endfor %}],
        filename = true
    ) as sidecar
    inner join (
        values
        {%- for row in sidecars %}
            ({{ _sql_text(row[4]) }}, {{ _sql_text(row[0]) }}, cast('{{ row[1] }}' as date))
            {{- ',' if not loop.last }}
        {%- endfor %}
    ) as sidecar_files (sidecar_path, file_name, dt)
        on sidecar.filename = sidecar_files.sidecar_path
    {%- endif %}
    {%- endif %}
{%- endmacro %}


{#- The raw manifest's files of a source that staging reads (status ok or sidecar, at least one line) in the
    batch's dts, as rows (file_name, dt text, lines, status, sidecar_path, relative_path). -#}
{% macro _raw_manifest_files(source_name, batch) -%}
    {%- set listed = run_query(
        "select file_name, cast(dt as varchar), lines, status, sidecar_path, relative_path from "
        ~ source('raw_manifest', 'files')
        ~ " where source_name = '" ~ source_name ~ "' and status in ('ok', 'sidecar') and lines > 0 and "
        ~ raw_batch_predicate('dt', batch) ~ " order by file_name"
    ) -%}
    {{ return(listed.rows | list) }}
{%- endmacro %}


{#- DuckDB: whether the raw manifest exists (the build's prepare step writes it). Without it, a source with
    files is an error that says what to do (reading nothing would lose lines silently); a source without
    files, e.g. an empty lake being linted, reads as empty. -#}
{% macro _duckdb_raw_manifest_exists(source_name) -%}
    {%- set lake = env_var('FACETLAKE_LAKE') -%}
    {%- if run_query("select count(*) from glob('" ~ lake ~ "/raw_manifest/files/manifest.parquet')")
        .columns[0].values()[0] > 0 -%}
        {{ return(true) }}
    {%- endif -%}
    {%- if run_query("select count(*) from glob('" ~ lake ~ "/raw/" ~ source_name ~ "/**')").columns[0].values()[0] > 0 -%}
        {{ exceptions.raise_compiler_error(
            "The raw manifest " ~ lake ~ "/raw_manifest/files/manifest.parquet is missing, so the raw zone's files"
            ~ " cannot be read. Build with `facetlake build` (or materialize the Dagster asset raw_partitions):"
            ~ " its prepare step writes the manifest.") }}
    {%- endif -%}
    {{ return(false) }}
{%- endmacro %}


{#- A SQL string literal of a text (quotes doubled). -#}
{% macro _sql_text(text) -%}
    '{{ text | replace("'", "''") }}'
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
    {#- Only the files the raw manifest lists as read: the hive connector prunes the others by "$path"
        before opening them, so a skipped or unreadable file (a truncated .gz, a .tmp) never fails the build.
        A `sidecar` file is read from its normalised copy (raw_manifest.sidecars), as on DuckDB. -#}
    {%- set lake_root = local_prefix or (lake_uri.rstrip('/') ~ '/') -%}
    {%- set files = [] -%}
    {%- set sidecars = [] -%}
    {%- if execute -%}
        {%- for row in _raw_manifest_files(source_name, batch) -%}
            {%- do (files if row[3] == 'ok' else sidecars).append(row) -%}
        {%- endfor -%}
    {%- endif %}
    select
        line,
        file_name,
        row_number() over (partition by file_name) as line_number,
        dt,
        cast(null as varchar) as line_defect
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
        where
            {{ _trino_raw_partition_predicate('dt', batch) }}
            {%- if files %}
            and "$path" in (
                {%- for row in files %}
                {{ _sql_text(lake_root ~ 'raw/' ~ row[5]) }}{{ ',' if not loop.last }}
                {%- endfor %}
            )
            {%- else %}
            and 1 = 0
            {%- endif %}
    ) as raw_files
    {%- if sidecars %}
    {#- The manifest gives a sidecar's path on this machine; Trino reads it under the lake's URI. -#}
    {%- set sidecar_uris = [] -%}
    {%- for row in sidecars -%}
        {%- do sidecar_uris.append(lake_root ~ 'raw_manifest/' ~ row[4].split('/raw_manifest/')[-1]) -%}
    {%- endfor %}
    union all
    select
        sidecar.line,
        sidecar_files.file_name,
        sidecar.line_number,
        sidecar_files.dt,
        sidecar.line_defect
    from {{ source('raw_manifest', 'sidecars') }} as sidecar
    inner join (
        values
        {%- for row in sidecars %}
            ({{ _sql_text(sidecar_uris[loop.index0]) }}, {{ _sql_text(row[0]) }}, cast('{{ row[1] }}' as date))
            {{- ',' if not loop.last }}
        {%- endfor %}
    ) as sidecar_files (sidecar_path, file_name, dt)
        on sidecar."$path" = sidecar_files.sidecar_path
    where
        sidecar.source_name = '{{ source_name }}'
        and sidecar."$path" in ({% for uri in sidecar_uris | unique %}{{ _sql_text(uri) }}{{ ', ' if not loop.last }}{% endfor %})
    {%- endif %}
{%- endmacro %}


{#- The batch's bounds on the varchar partition column itself (ISO dates compare as text), so the hive
    connector prunes partitions before listing a single file. -#}
{% macro _trino_raw_partition_predicate(column, batch) -%}
    {%- set parts = [] -%}
    {%- if batch['from'] %}{% do parts.append(column ~ " >= '" ~ batch['from'] ~ "'") %}{% endif -%}
    {%- if batch['to'] %}{% do parts.append(column ~ " <= '" ~ batch['to'] ~ "'") %}{% endif -%}
    {{ parts | join(' and ') if parts else '1 = 1' }}
{%- endmacro %}
