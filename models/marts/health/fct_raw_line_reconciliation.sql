{#- Every line read is either staged, a removed duplicate or quarantined: the columns say how many of each, so
    a line lost between raw and staging shows. -#}
{%- set sources = ['app_events', 'orders', 'ad_events', 'message_events', 'crm_members', 'products',
                   'campaigns', 'stores'] -%}

with

line_counts as (
    {% for source_name in sources %}
        select
            '{{ source_name }}' as source_name,
            dt,
            count(*) as lines_read,
            sum(case when rejection_reason is null and not is_duplicate then 1 else 0 end) as rows_staged,
            sum(case when is_duplicate then 1 else 0 end) as duplicates_removed,
            sum(case when rejection_reason is not null then 1 else 0 end) as lines_quarantined
        from {{ ref('base_raw__' ~ source_name) }}
        group by dt
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

final as (
    select
        source_name,
        dt,
        cast(lines_read as bigint) as lines_read,
        cast(rows_staged as bigint) as rows_staged,
        cast(duplicates_removed as bigint) as duplicates_removed,
        cast(lines_quarantined as bigint) as lines_quarantined
    from line_counts
)

select * from final
