{#- One row per person (super_id) of dim_persons with one column per catalogue tag (its value, null when the
    person does not carry it) and, for tags with a score, a <tag_id>_score column, plus tag_count. The columns are generated
    from the tag catalogue when the model runs, so a new catalogue row is a new column here. Crowd rules run
    against this table. -#}
{%- set tags = tag_catalogue() %}
-- depends_on: {{ ref('tag_catalogue') }}

with

persons as (
    select * from {{ ref('dim_persons') }}
),

user_tags as (
    select * from {{ ref('user_tags') }}
),

windows as (
    select * from {{ ref('int_tag_windows_resolved') }}
),

pivoted as (
    select
        super_id,
        {%- for tag in tags %}
            max(case when tag_id = '{{ tag.tag_id }}' then tag_value end) as {{ tag.tag_id }},
            {%- if tag.score_sql %}
                max(case when tag_id = '{{ tag.tag_id }}' then tag_score end) as {{ tag.tag_id }}_score,
            {%- endif %}
        {%- endfor %}
        count(*) as tag_count
    from user_tags
    group by super_id
),

final as (
    select
        persons.super_id,
        windows.as_of_date,
        {%- for tag in tags %}
            pivoted.{{ tag.tag_id }},
            {%- if tag.score_sql %}
                pivoted.{{ tag.tag_id }}_score,
            {%- endif %}
        {%- endfor %}
        coalesce(pivoted.tag_count, 0) as tag_count
    from persons
    cross join windows
    left join pivoted on persons.super_id = pivoted.super_id
)

select * from final
