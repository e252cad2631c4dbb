{#- One row per person (super_id) and tag they carry: the tag's value (and score for levels and scored
    categories) as of as_of_date. Generated from the tag catalogue when the model runs: one select per
    catalogue row over the feature model the row names, so a new catalogue row is a new tag here. -#}
{%- set tags = tag_catalogue() %}
-- depends_on: {{ ref('tag_catalogue') }}
-- The feature models are imported whole; the generated selects read them (hence noqa: ST03).

with

int_person_attributes_resolved as (  -- noqa: ST03
    select * from {{ ref('int_person_attributes_resolved') }}
),

int_person_behaviour_aggregated as (  -- noqa: ST03
    select * from {{ ref('int_person_behaviour_aggregated') }}
),

int_person_interests_scored as (  -- noqa: ST03
    select * from {{ ref('int_person_interests_scored') }}
),

int_person_demographics_inferred as (  -- noqa: ST03
    select * from {{ ref('int_person_demographics_inferred') }}
),

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
    {%- endfor %}
    {%- if not tags %}
        select
            cast(null as varchar) as super_id,
            cast(null as varchar) as tag_id,
            cast(null as varchar) as tag_value,
            cast(null as double) as tag_score
        from windows
        where 1 = 0
    {%- endif %}
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
