{#- One row per person (super_id) and tag they carry: the tag's value (and score for levels and scored
    categories) as of as_of_date. user_tags_wide unpivoted, one select per catalogue tag, generated from the
    catalogue when the model runs: the tall and the wide forms always agree. -#}
{%- set tags = tag_catalogue() %}
-- depends_on: {{ ref('tag_catalogue') }}

with

user_tags_wide as (
    select * from {{ ref('user_tags_wide') }}
),

tag_rows as (
    {%- for tag in tags %}
        select
            super_id,
            '{{ tag.tag_id }}' as tag_id,
            {{ tag.tag_id }} as tag_value,
            {{ tag.tag_id ~ '_score' if tag.score_sql else 'cast(null as double)' }} as tag_score,
            as_of_date
        from user_tags_wide
        where {{ tag.tag_id }} is not null
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
    {%- if not tags %}
        select
            super_id,
            cast(null as varchar) as tag_id,
            cast(null as varchar) as tag_value,
            cast(null as double) as tag_score,
            as_of_date
        from user_tags_wide
        where 1 = 0
    {%- endif %}
),

final as (
    select * from tag_rows
)

select * from final
