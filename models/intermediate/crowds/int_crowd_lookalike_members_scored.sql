{#- One row per lookalike crowd and person chosen for it: the target_size persons outside the seed crowd
    most similar to the seed.

    Method: a Bernoulli naive Bayes of "seed versus base" over every tag value (tag_id = value) of user_tags.
    For a tag value with base share b and smoothed seed share s = (seed persons with it + a * b) / (seed size
    + a), where a is var lookalike_smoothing (20), its weight is ln(s / b) - ln((1 - s) / (1 - b)): the log
    likelihood ratio of carrying it rather than not. A person's similarity sums, over the six tag families,
    the mean weight of the tag values they carry in that family (the terms of values they do not carry are the
    same for everyone and drop out). Averaging within a family keeps a family of many correlated tags (say,
    behaviour) from drowning the others: a naive Bayes sum over every tag picks the seed's activity level more
    than its interests.
    Tag values carried by fewer than var lookalike_min_base_persons (5) persons are ignored. Ties are broken
    by super_id, so the same input gives the same crowd. -#}

with

definitions as (
    select * from {{ ref('int_crowd_definitions_registered') }}
),

seed_members as (
    select * from {{ ref('int_crowd_seed_members_unioned') }}
),

user_tags as (
    select * from {{ ref('user_tags') }}
),

base_distribution as (
    -- Shares of the whole base over all its persons (a value not carried is the complement, as in the model).
    select
        tag_id,
        tag_value,
        persons,
        base_share_all as base_share
    from {{ ref('tag_value_distribution') }}
    where base_name = 'all' and not is_unknown
),

catalogue as (
    select * from {{ ref('tag_catalogue') }}
),

lookalikes as (
    select
        crowd_name,
        seed_crowd,
        target_size
    from definitions
    where crowd_kind = 'lookalike' and status = 'valid' and target_size > 0
),

seeds as (
    select
        lookalikes.crowd_name,
        seed_members.super_id
    from lookalikes
    inner join seed_members on lookalikes.seed_crowd = seed_members.crowd_name
),

seed_sizes as (
    select
        crowd_name,
        count(*) as seed_size
    from seeds
    group by crowd_name
),

seed_tag_values as (
    select
        seeds.crowd_name,
        user_tags.tag_id,
        user_tags.tag_value,
        count(*) as seed_persons
    from seeds
    inner join user_tags on seeds.super_id = user_tags.super_id
    group by seeds.crowd_name, user_tags.tag_id, user_tags.tag_value
),

shares as (
    select
        seed_sizes.crowd_name,
        base_distribution.tag_id,
        base_distribution.tag_value,
        least(greatest(base_distribution.base_share, 0.0001), 0.9999) as base_share,
        (
            coalesce(seed_tag_values.seed_persons, 0)
            + {{ var('lookalike_smoothing') }} * base_distribution.base_share
        ) / (seed_sizes.seed_size + {{ var('lookalike_smoothing') }}) as seed_share
    from seed_sizes
    cross join base_distribution
    left join seed_tag_values
        on
            seed_sizes.crowd_name = seed_tag_values.crowd_name
            and base_distribution.tag_id = seed_tag_values.tag_id
            and base_distribution.tag_value = seed_tag_values.tag_value
    where base_distribution.persons >= {{ var('lookalike_min_base_persons') }}
),

weights as (
    select
        crowd_name,
        tag_id,
        tag_value,
        ln(least(greatest(seed_share, 0.0001), 0.9999) / base_share)
        - ln((1 - least(greatest(seed_share, 0.0001), 0.9999)) / (1 - base_share)) as weight
    from shares
),

family_scores as (
    select
        weights.crowd_name,
        user_tags.super_id,
        catalogue.family,
        avg(weights.weight) as family_weight
    from weights
    inner join user_tags on weights.tag_id = user_tags.tag_id and weights.tag_value = user_tags.tag_value
    inner join catalogue on weights.tag_id = catalogue.tag_id
    group by weights.crowd_name, user_tags.super_id, catalogue.family
),

scored as (
    select
        crowd_name,
        super_id,
        -- Rounded so that engines, which add floating-point numbers in different orders, rank alike.
        round(sum(family_weight), 9) as similarity
    from family_scores
    group by crowd_name, super_id
),

candidates as (
    select
        scored.crowd_name,
        scored.super_id,
        scored.similarity,
        row_number() over (
            partition by scored.crowd_name order by scored.similarity desc, scored.super_id asc
        ) as similarity_rank
    from scored
    left join seeds on scored.crowd_name = seeds.crowd_name and scored.super_id = seeds.super_id
    where seeds.super_id is null
),

final as (
    select
        candidates.crowd_name,
        candidates.super_id,
        candidates.similarity,
        candidates.similarity_rank
    from candidates
    inner join lookalikes on candidates.crowd_name = lookalikes.crowd_name
    where candidates.similarity_rank <= lookalikes.target_size
)

select * from final
