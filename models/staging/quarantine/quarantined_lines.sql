{#- The only place past the raw zone that keeps a raw line. -#}
{%- set sources = ['app_events', 'orders', 'ad_events', 'message_events', 'crm_members', 'products',
                   'campaigns', 'stores'] -%}

with

rejected as (
    {% for source_name in sources %}
        select
            '{{ source_name }}' as source_name,
            dt,
            file_name,
            line_number,
            rejection_reason,
            raw_line
        from {{ ref('base_raw__' ~ source_name) }}
        where rejection_reason is not null
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
)

select * from rejected
