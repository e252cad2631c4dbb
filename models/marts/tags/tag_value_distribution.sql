{#- One row per profile base, tag and value of the whole base's value list, plus one 'unknown' row per base
    and tag (is_unknown): the base side of crowd profiles. Bases: all (every super_id of dim_persons), known
    (dim_persons.is_known_person) and brand:<brand_id> (persons with a paid order of the brand in the
    purchase window). base_share is taken over the base's persons whose value for the tag is known
    (known_persons); base_share_all over the whole base, so that per base and tag base_share_all sums to 1
    with the unknown row included. -#}

with

user_tags as (
    select * from {{ ref('user_tags') }}
),

persons as (
    select * from {{ ref('dim_persons') }}
),

order_lines as (
    select * from {{ ref('int_order_lines_attributed') }}
),

windows as (
    select * from {{ ref('tag_windows') }}
),

base_members as (
    select
        'all' as base_kind,
        'all' as base_name,
        super_id
    from persons
    union all
    select
        'known' as base_kind,
        'known' as base_name,
        super_id
    from persons
    where is_known_person
    union all
    select distinct
        'brand' as base_kind,
        {{ dbt.concat(["'brand:'", "cast(brand_id as varchar)"]) }} as base_name,
        super_id
    from order_lines
    where status = 'paid' and brand_id is not null
),

base_sizes as (
    select
        base_kind,
        base_name,
        count(*) as base_size
    from base_members
    group by base_kind, base_name
),

base_tag_values as (
    select
        base_members.base_name,
        user_tags.tag_id,
        user_tags.tag_value,
        count(*) as persons
    from base_members
    inner join user_tags on base_members.super_id = user_tags.super_id
    group by base_members.base_name, user_tags.tag_id, user_tags.tag_value
),

base_tags_known as (
    select
        base_name,
        tag_id,
        cast(sum(persons) as bigint) as known_persons
    from base_tag_values
    group by base_name, tag_id
),

-- The value list is the whole base's, so every base (and every crowd profiled against it) has the same rows.
tag_values as (
    select distinct
        tag_id,
        tag_value,
        false as is_unknown
    from user_tags
    union all
    select distinct
        tag_id,
        'unknown' as tag_value,
        true as is_unknown
    from user_tags
),

counted as (
    select
        base_sizes.base_kind,
        base_sizes.base_name,
        tag_values.tag_id,
        tag_values.tag_value,
        tag_values.is_unknown,
        base_sizes.base_size,
        coalesce(base_tags_known.known_persons, 0) as known_persons,
        case
            when tag_values.is_unknown then base_sizes.base_size - coalesce(base_tags_known.known_persons, 0)
            else coalesce(base_tag_values.persons, 0)
        end as persons
    from base_sizes
    cross join tag_values
    left join base_tag_values
        on
            base_sizes.base_name = base_tag_values.base_name
            and tag_values.tag_id = base_tag_values.tag_id
            and tag_values.tag_value = base_tag_values.tag_value
    left join base_tags_known
        on
            base_sizes.base_name = base_tags_known.base_name
            and tag_values.tag_id = base_tags_known.tag_id
),

final as (
    select
        counted.base_kind,
        counted.base_name,
        counted.tag_id,
        counted.tag_value,
        counted.is_unknown,
        windows.as_of_date,
        counted.persons,
        counted.known_persons,
        counted.base_size,
        cast(counted.known_persons as double) / counted.base_size as base_coverage,
        case
            when not counted.is_unknown
                then cast(counted.persons as double) / nullif(counted.known_persons, 0)
        end as base_share,
        cast(counted.persons as double) / counted.base_size as base_share_all
    from counted
    cross join windows
)

select * from final
