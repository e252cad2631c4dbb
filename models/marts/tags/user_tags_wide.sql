{#- One row per person (super_id) of dim_persons with one column per catalogue tag (its value, null when the
    person does not carry it), a <tag_id>_score column for tags with a score, and tag_count. Generated from the
    tag catalogue when the model runs: each feature model gives one select of its tags' expressions (one row
    per person; interests are several rows per person and aggregate to one), joined on super_id. So a new
    catalogue row is a new column here, and user_tags, the tall form, is this table unpivoted. Crowd rules
    run against this table. -#}
{%- set tags = tag_catalogue() %}
-- depends_on: {{ ref('tag_catalogue') }}

with

persons as (
    select * from {{ ref('dim_persons') }}
),

windows as (
    select * from {{ ref('int_tag_windows_resolved') }}
),

int_person_attributes_resolved as (
    select * from {{ ref('int_person_attributes_resolved') }}
),

int_person_behaviour_aggregated as (
    select * from {{ ref('int_person_behaviour_aggregated') }}
),

int_person_interests_scored as (
    select * from {{ ref('int_person_interests_scored') }}
),

int_person_demographics_inferred as (
    select * from {{ ref('int_person_demographics_inferred') }}
),
-- One CTE per feature model, generated; sqlfluff reads the loop as an indent level, so layout is ours here.
-- noqa: disable=LT02
{%- for model in tag_feature_models() %}

{{ model.name }}_tags as (
    select
        {%- for tag in tags if tag.feature_model == model.name %}
            {{ tag_value_sql(tag, model.per_person) }} as {{ tag.tag_id }},
            {%- if tag.score_sql %}
                {{ tag_score_sql(tag, model.per_person) }} as {{ tag.tag_id }}_score,
            {%- endif %}
        {%- endfor %}
        super_id
    from {{ model.name }}
    {%- if not model.per_person %}
        group by super_id
    {%- endif %}
),
{%- endfor %}
-- noqa: enable=LT02

final as (
    select
        persons.super_id,
        windows.as_of_date,
        {%- for tag in tags %}
            {{ tag.feature_model }}_tags.{{ tag.tag_id }},
            {%- if tag.score_sql %}
                {{ tag.feature_model }}_tags.{{ tag.tag_id }}_score,
            {%- endif %}
        {%- endfor %}
        0
        {%- for tag in tags %}
            + case when {{ tag.feature_model }}_tags.{{ tag.tag_id }} is not null then 1 else 0 end
        {%- endfor %} as tag_count
    from persons
    cross join windows
    {%- for model in tag_feature_models() %}
        left join {{ model.name }}_tags on persons.super_id = {{ model.name }}_tags.super_id
    {%- endfor %}
)

select * from final
