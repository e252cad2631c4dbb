{#- Trino variants of the raw-zone macros (macros/raw_zone/), and the session a raw-zone read needs.

    On Trino the raw zone is read through external tables of the hive catalog (facetlake.trino.catalogs
    creates them and syncs their dt partitions before each build): `source('raw', name)` is
    hive.raw.<name>, one varchar column `line`, partition column `dt` (varchar), hidden column "$path".
-#}


{#- Line numbers. Trino has no row-position column for text files, and SQL guarantees no row order, so
    the number is the row's arrival position in its file: row_number() over (partition by "$path")
    without an order, which Trino runs as a RowNumber operator that numbers rows in the order it
    receives them. That order is the file's order when
      1. each file is read by one split (one reader, front to back): raw_zone_session_begin raises the
         hive catalog's split sizes so no file is cut (gzip files are never cut anyway), and
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
        where {{ trino__raw_partition_predicate('dt', batch) }}
    ) as raw_files
{%- endmacro %}


{#- The batch's bounds on the varchar partition column itself (ISO dates compare as text), so the hive
    connector prunes partitions before listing a single file. -#}
{% macro trino__raw_partition_predicate(column, batch) -%}
    {%- set parts = [] -%}
    {%- if batch['from'] %}{% do parts.append(column ~ " >= '" ~ batch['from'] ~ "'") %}{% endif -%}
    {%- if batch['to'] %}{% do parts.append(column ~ " <= '" ~ batch['to'] ~ "'") %}{% endif -%}
    {{ parts | join(' and ') if parts else '1 = 1' }}
{%- endmacro %}


{#- Session settings around a model that reads the raw zone, for exact line numbers (see above).
    Wired as project-wide hooks in dbt_project.yml; they render to nothing on other engines and for models
    that do not call raw_lines, so no other model runs with a single driver. -#}
{% macro raw_zone_session_begin() -%}
    {{ return(adapter.dispatch('raw_zone_session_begin', 'facetlake')()) }}
{%- endmacro %}

{% macro default__raw_zone_session_begin() -%}
{%- endmacro %}

{% macro trino__raw_zone_session_begin() -%}
    {%- if _reads_raw_zone() -%}
        {%- set raw_catalog = env_var('FACETLAKE_TRINO_RAW_CATALOG', 'hive') | trim -%}
        set session task_concurrency = 1;
        set session retry_policy = 'NONE';
        set session {{ raw_catalog }}.max_initial_split_size = '1PB';
        set session {{ raw_catalog }}.max_split_size = '1PB'
    {%- endif -%}
{%- endmacro %}


{% macro raw_zone_session_end() -%}
    {{ return(adapter.dispatch('raw_zone_session_end', 'facetlake')()) }}
{%- endmacro %}

{% macro default__raw_zone_session_end() -%}
{%- endmacro %}

{% macro trino__raw_zone_session_end() -%}
    {%- if _reads_raw_zone() -%}
        {%- set raw_catalog = env_var('FACETLAKE_TRINO_RAW_CATALOG', 'hive') | trim -%}
        reset session task_concurrency;
        reset session retry_policy;
        reset session {{ raw_catalog }}.max_initial_split_size;
        reset session {{ raw_catalog }}.max_split_size
    {%- endif -%}
{%- endmacro %}


{#- True inside a hook of a node whose SQL calls raw_lines. -#}
{% macro _reads_raw_zone() -%}
    {{ return(model is defined and model is not none and 'raw_lines(' in (model.raw_code or '')) }}
{%- endmacro %}


{#- flag_duplicates for Trino: one window over the validated lines. The default variant reads the validated CTE twice (a narrow window, joined back),
    which DuckDB runs cheaply; Trino inlines every CTE reference, so it would scan and parse the raw
    files twice: base_raw__app_events at 5M lines took 241 s that way and 119 s with this one window. -#}
{% macro trino__flag_duplicates(validated, batch) -%}
    select
        {{ validated }}.*,
        coalesce(
            {{ validated }}.rejection_reason is null
            and (
                row_number() over (
                    partition by {{ validated }}.record_key, {{ validated }}.rejection_reason is null
                    order by {{ validated }}.dt, {{ validated }}.file_name, {{ validated }}.line_number
                ) > 1
                {%- if is_incremental() and batch['from'] %}
                    or {{ validated }}.record_key in (
                        select earlier.record_key
                        from {{ this }} as earlier
                        where
                            earlier.dt < cast('{{ batch["from"] }}' as date)
                            and earlier.rejection_reason is null
                    )
                {%- endif %}
            ),
            false
        ) as is_duplicate
    from {{ validated }}
{%- endmacro %}
