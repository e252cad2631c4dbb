{#- One row per person (super_id) and tag they carry: the tag's value (and score for levels and scored
    categories) as of as_of_date. Generated from the tag catalogue when the model runs: one select per
    catalogue row over the feature model the row names, so a new catalogue row is a new tag here. -#}
{%- set tags = tag_catalogue() %}
-- depends_on: {{ ref('tag_catalogue') }}

with

{% for model in tag_feature_models() -%}
{{ model }} as (
    select * from {{ ref(model) }}
),

{% endfor -%}

windows as (
    select * from {{ ref('int_tag_windows_resolved') }}
),

tag_rows as (
    {%- for tag in tags %}
    select
        super_id,
        '{{ tag.tag_id }}' as tag_id,
        {{ tag_value_sql(tag) }} as tag_value,
        {{ tag_score_sql(tag) }} as tag_score
    from {{ tag.feature_model }}
    {%- if tag.filter_sql %}
    where {{ tag.filter_sql }}
    {%- endif %}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- else %}
    select
        cast(null as varchar) as super_id,
        cast(null as varchar) as tag_id,
        cast(null as varchar) as tag_value,
        cast(null as double) as tag_score
    from windows
    where 1 = 0
    {%- endfor %}
),

final as (
    select
        tag_rows.super_id,
        tag_rows.tag_id,
        tag_rows.tag_value,
        tag_rows.tag_score,
        windows.as_of_date
    from tag_rows
    cross join windows
    where tag_rows.tag_value is not null
)

select * from final
