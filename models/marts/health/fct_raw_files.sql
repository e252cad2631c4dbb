{#- Every file of the raw zone, read or not, beside what staging holds of it: a file skipped, unreadable or
    vanished is listed with its reason, and a read file's lines in the manifest are checked against the lines
    loaded (load_state). -#}
{%- set sources = ['app_events', 'orders', 'ad_events', 'message_events', 'crm_members', 'products',
                   'campaigns', 'stores'] -%}

with

listed as (
    select * from {{ ref('stg_raw_manifest__files') }}
),

loaded as (
    {% for source_name in sources %}
        select
            '{{ source_name }}' as source_name,
            -- The path under <lake>/raw, as the manifest has it (on a remote Trino lake file_name is a URI).
            regexp_extract(file_name, '([^/]+/[^/]+/[^/]+)$', 1) as relative_path,
            min(file_name) as file_name,
            min(dt) as loaded_dt,
            count(*) as lines_loaded,
            min(line_number) as first_line_number,
            max(line_number) as last_line_number,
            sum(case when rejection_reason is not null then 1 else 0 end) as lines_quarantined
        from {{ ref('base_raw__' ~ source_name) }}
        group by regexp_extract(file_name, '([^/]+/[^/]+/[^/]+)$', 1)
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

joined as (
    select
        coalesce(listed.source_name, loaded.source_name) as source_name,
        coalesce(listed.file_name, loaded.file_name) as file_name,
        coalesce(listed.relative_path, loaded.relative_path) as relative_path,
        coalesce(listed.dt, loaded.loaded_dt) as dt,
        -- A file staging holds that the manifest does not list (the manifest was removed): reported too.
        coalesce(listed.status, 'unlisted') as status,
        listed.reason,
        listed.size_bytes,
        listed.modified_at,
        listed.sha256,
        listed.lines,
        listed.lines_before_error,
        cast(loaded.lines_loaded as bigint) as lines_loaded,
        cast(loaded.lines_quarantined as bigint) as lines_quarantined,
        loaded.first_line_number,
        loaded.last_line_number,
        listed.first_seen_at,
        listed.scanned_at
    from listed
    full outer join loaded
        on listed.relative_path = loaded.relative_path
),

final as (
    select
        *,
        case
            when status in ('ok', 'sidecar') and lines = 0 then 'empty'
            when status in ('ok', 'sidecar') and lines_loaded = lines then 'loaded'
            when status in ('ok', 'sidecar') and lines_loaded is null then 'pending'
            when lines_loaded is null then 'not_loaded'
            else 'stale'
        end as load_state
    from joined
)

select * from final
