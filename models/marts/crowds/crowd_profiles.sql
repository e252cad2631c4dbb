{#- One row per crowd and tag value the base carries (a value no member carries is a row with share 0 and
    TGI 0: what a crowd lacks is insight too): the crowd's share of persons with that value, the base's share
    (all persons) and TGI = crowd share / base share x 100 (above 100: over-represented in the crowd). Values
    carried by fewer than var('tgi_min_crowd_persons') members are not ranked (is_reliable false): a TGI of
    900 from three persons is noise, not a segment. -#}

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
        crowd_sizes.crowd_name,
        base_distribution.tag_id,
        catalogue.family,
        catalogue.tag_name,
        base_distribution.tag_value,
        coalesce(crowd_tag_values.crowd_persons, 0) as crowd_persons,
        crowd_sizes.crowd_size,
        cast(coalesce(crowd_tag_values.crowd_persons, 0) as double) / crowd_sizes.crowd_size as crowd_share,
        base_distribution.persons as base_persons,
        base_distribution.base_persons as base_size,
        base_distribution.base_share,
        base_distribution.as_of_date,
        coalesce(crowd_tag_values.crowd_persons, 0)
        >= {{ var('tgi_min_crowd_persons') }} as is_reliable
    from crowd_sizes
    cross join base_distribution
    left join crowd_tag_values
        on
            crowd_sizes.crowd_name = crowd_tag_values.crowd_name
            and base_distribution.tag_id = crowd_tag_values.tag_id
            and base_distribution.tag_value = crowd_tag_values.tag_value
    left join catalogue on base_distribution.tag_id = catalogue.tag_id
),

scored as (
    select
        measured.*,
        -- From the counts, so a value as common in the crowd as in the base scores exactly 100.
        100.0 * measured.crowd_persons * measured.base_size
        / (cast(measured.crowd_size as double) * measured.base_persons) as tgi
    from measured
),

final as (
    select
        scored.*,
        case
            when scored.is_reliable
                then row_number() over (
                        partition by scored.crowd_name, scored.is_reliable
                        order by scored.tgi desc, scored.tag_id asc, scored.tag_value asc
                    )
        end as tgi_rank
    from scored
)

select * from final
