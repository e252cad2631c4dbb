{#- One row per crowd, tag and value carried by at least one member: the crowd's share of persons with that
    value, the base's share (all persons) and TGI = crowd share / base share x 100 (above 100: the value is
    over-represented in the crowd), with the value's rank by TGI within the crowd. -#}

with

members as (
    select * from {{ ref('crowd_members') }}
),

user_tags as (
    select * from {{ ref('user_tags') }}
),

base_distribution as (
    select * from {{ ref('tag_value_distribution') }}
),

catalogue as (
    select * from {{ ref('tag_catalogue') }}
),

crowd_sizes as (
    select
        crowd_name,
        count(*) as crowd_size
    from members
    group by crowd_name
),

crowd_tag_values as (
    select
        members.crowd_name,
        user_tags.tag_id,
        user_tags.tag_value,
        count(*) as crowd_persons
    from members
    inner join user_tags on members.super_id = user_tags.super_id
    group by members.crowd_name, user_tags.tag_id, user_tags.tag_value
),

measured as (
    select
        crowd_tag_values.crowd_name,
        crowd_tag_values.tag_id,
        catalogue.family,
        catalogue.tag_name,
        crowd_tag_values.tag_value,
        crowd_tag_values.crowd_persons,
        crowd_sizes.crowd_size,
        cast(crowd_tag_values.crowd_persons as double) / crowd_sizes.crowd_size as crowd_share,
        base_distribution.persons as base_persons,
        base_distribution.base_persons as base_size,
        base_distribution.base_share,
        base_distribution.as_of_date
    from crowd_tag_values
    inner join crowd_sizes on crowd_tag_values.crowd_name = crowd_sizes.crowd_name
    inner join base_distribution
        on
            crowd_tag_values.tag_id = base_distribution.tag_id
            and crowd_tag_values.tag_value = base_distribution.tag_value
    left join catalogue on crowd_tag_values.tag_id = catalogue.tag_id
),

final as (
    select
        measured.*,
        -- From the counts, so a value as common in the crowd as in the base scores exactly 100.
        100.0 * measured.crowd_persons * measured.base_size
        / (cast(measured.crowd_size as double) * measured.base_persons) as tgi,
        row_number() over (
            partition by measured.crowd_name
            order by
                cast(measured.crowd_persons as double) * measured.base_size
                / (cast(measured.crowd_size as double) * measured.base_persons) desc,
                measured.tag_id asc,
                measured.tag_value asc
        ) as tgi_rank
    from measured
)

select * from final
