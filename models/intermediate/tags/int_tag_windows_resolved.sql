{#- as_of_date never comes from the wall clock, so a rebuild of the same input gives the same tags. -#}

with

app_events as (
    select * from {{ ref('stg_raw__app_events') }}
),

order_lines as (
    select * from {{ ref('stg_raw__order_lines') }}
),

latest as (
    select max(event_date) as latest_date from app_events
    union all
    select max(order_date) from order_lines
),

as_of as (
    select
        {%- if var('tags_as_of_date') %}
            cast('{{ var("tags_as_of_date") }}' as date) as as_of_date
        {%- else %}
            max(latest_date) as as_of_date
        {%- endif %}
    from latest
),

final as (
    select
        as_of_date,
        -- A date on both engines (DuckDB's date + interval is a timestamp).
        cast(
            {{ dbt.dateadd('day', 1 - var('tags_behaviour_window_days'), 'as_of_date') }} as date
        ) as behaviour_window_start,
        cast(
            {{ dbt.dateadd('day', 1 - var('tags_purchase_window_days'), 'as_of_date') }} as date
        ) as purchase_window_start
    from as_of
)

select * from final
