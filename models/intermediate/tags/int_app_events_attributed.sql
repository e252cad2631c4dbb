{#- One row per app event in the behaviour window that can be put on a person (int_app_events_identified
    keeps the whole history incrementally; the window moves with as_of_date). A view: each reader scans the
    window's dates of the history table. -#}
{{ config(materialized='view') }}

with

app_events as (
    select * from {{ ref('int_app_events_identified') }}
),

windows as (
    select * from {{ ref('int_tag_windows_resolved') }}
),

final as (
    select app_events.*
    from app_events
    cross join windows
    where app_events.event_date between windows.behaviour_window_start and windows.as_of_date
)

select * from final
