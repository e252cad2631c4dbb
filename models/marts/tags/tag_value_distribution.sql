with

user_tags as (
    select * from {{ ref('user_tags') }}
),

persons as (
    select * from {{ ref('dim_persons') }}
),

base as (
    select count(*) as base_persons from persons
),

counted as (
    select
        tag_id,
        tag_value,
        as_of_date,
        count(*) as persons
    from user_tags
    group by tag_id, tag_value, as_of_date
),

final as (
    select
        counted.tag_id,
        counted.tag_value,
        counted.as_of_date,
        counted.persons,
        base.base_persons,
        cast(counted.persons as double) / base.base_persons as base_share
    from counted
    cross join base
)

select * from final
