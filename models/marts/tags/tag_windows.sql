{#- The tags domain's as-of date and windows published as a mart, so other domains (crowds) date their rows
    by the same as_of_date without reading a tags intermediate. -#}

with

windows as (
    select * from {{ ref('int_tag_windows_resolved') }}
),

final as (
    select
        as_of_date,
        behaviour_window_start,
        purchase_window_start
    from windows
)

select * from final
