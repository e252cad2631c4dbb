with

base as (
    select * from {{ ref('base_raw__stores') }}
),

final as (
    select
        store_version_id,
        store_id,
        updated_at,
        store_name,
        city,
        district,
        latitude,
        longitude,
        open_date,
        store_format,
        store_status,
        dt
    from base
    where rejection_reason is null and not is_duplicate
)

select * from final
