{%- set sources = ['app_events', 'orders', 'ad_events', 'message_events', 'crm_members', 'products',
                   'campaigns', 'stores'] -%}

with

duplicates as (
    {% for source_name in sources %}
        select
            '{{ source_name }}' as source_name,
            dt,
            file_name,
            line_number,
            record_key
        from {{ ref('base_raw__' ~ source_name) }}
        where is_duplicate
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
)

select * from duplicates
