{#- One row per crowd, profile base (base_name: all, known, brand:<brand_id>; see tag_value_distribution),
    tag and value of the whole base's value list, plus one 'unknown' row per crowd, base and tag.

    TGI as marketers compute it: for each tag, the crowd's and the base's shares are taken over the persons
    whose value for that tag is known,
        crowd_share = crowd_persons / crowd_known_persons,  base_share = base_persons / base_known_persons,
        tgi = crowd_share / base_share x 100,
    so a crowd selected on a tag (known for all its members) is not inflated by 1 / the base's coverage.
    Coverage (known persons / all persons) of the tag in the crowd and in the base stands beside every TGI,
    and the unknown row carries the share of all persons whose value is unknown: crowd_share_all and
    base_share_all of one tag sum to 1 with unknown included. TGI is null where it is undefined: the unknown
    row, a tag no member has a value for, a value the base does not carry. A value no member carries has
    crowd_share 0 and TGI 0 (what a crowd lacks is insight too). Values carried by fewer than
    var('tgi_min_crowd_persons') members are not ranked (is_reliable false): a TGI of 900 from three persons is
    noise, not a segment. Crowd-versus-crowd profiles are computed on demand from these rows (facetlake crowd
    profile NAME --base crowd:OTHER), not stored: their number grows with the square of the crowds. -#}

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

crowd_tags_known as (
    select
        crowd_name,
        tag_id,
        cast(sum(crowd_persons) as bigint) as crowd_known_persons
    from crowd_tag_values
    group by crowd_name, tag_id
),

counted as (
    select
        crowd_sizes.crowd_name,
        base_distribution.base_kind,
        base_distribution.base_name,
        base_distribution.tag_id,
        catalogue.family,
        catalogue.tag_name,
        base_distribution.tag_value,
        base_distribution.is_unknown,
        base_distribution.as_of_date,
        crowd_sizes.crowd_size,
        coalesce(crowd_tags_known.crowd_known_persons, 0) as crowd_known_persons,
        case
            when base_distribution.is_unknown
                then crowd_sizes.crowd_size - coalesce(crowd_tags_known.crowd_known_persons, 0)
            else coalesce(crowd_tag_values.crowd_persons, 0)
        end as crowd_persons,
        base_distribution.base_size,
        base_distribution.known_persons as base_known_persons,
        base_distribution.persons as base_persons,
        base_distribution.base_coverage,
        base_distribution.base_share,
        base_distribution.base_share_all
    from crowd_sizes
    cross join base_distribution
    left join crowd_tag_values
        on
            crowd_sizes.crowd_name = crowd_tag_values.crowd_name
            and base_distribution.tag_id = crowd_tag_values.tag_id
            and base_distribution.tag_value = crowd_tag_values.tag_value
    left join crowd_tags_known
        on
            crowd_sizes.crowd_name = crowd_tags_known.crowd_name
            and base_distribution.tag_id = crowd_tags_known.tag_id
    left join catalogue on base_distribution.tag_id = catalogue.tag_id
),

scored as (
    select
        counted.*,
        cast(counted.crowd_known_persons as double) / counted.crowd_size as crowd_coverage,
        case
            when not counted.is_unknown
                then cast(counted.crowd_persons as double) / nullif(counted.crowd_known_persons, 0)
        end as crowd_share,
        cast(counted.crowd_persons as double) / counted.crowd_size as crowd_share_all,
        -- From the counts, so a value as common in the crowd as in the base scores exactly 100.
        case
            when not counted.is_unknown and counted.crowd_known_persons > 0 and counted.base_persons > 0
                then 100.0 * counted.crowd_persons * counted.base_known_persons
                    / (cast(counted.crowd_known_persons as double) * counted.base_persons)
        end as tgi
    from counted
),

flagged as (
    select
        scored.*,
        coalesce(
            scored.tgi is not null and scored.crowd_persons >= {{ var('tgi_min_crowd_persons') }}, false
        ) as is_reliable
    from scored
),

final as (
    select
        flagged.*,
        case
            when flagged.is_reliable
                then row_number() over (
                        partition by flagged.crowd_name, flagged.base_name, flagged.is_reliable
                        order by flagged.tgi desc, flagged.tag_id asc, flagged.tag_value asc
                    )
        end as tgi_rank
    from flagged
)

select * from final
