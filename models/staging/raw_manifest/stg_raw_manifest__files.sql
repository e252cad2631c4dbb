with

files as (
    select * from {{ source('raw_manifest', 'files') }}
),

final as (
    select
        source_name,
        relative_path,
        file_name,
        dt,
        status,
        reason,
        size_bytes,
        modified_at,
        sha256,
        lines,
        lines_before_error,
        first_seen_at,
        scanned_at
    from files
)

select * from final
