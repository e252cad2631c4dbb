{#- One row per crowd and member person (super_id), as of the tags' as_of_date: rule crowds (their rule
    over user_tags_wide), upload crowds (uploaded identifiers matched through the identity map) and lookalike
    crowds (the persons most similar to their seed, with similarity and rank). -#}

with

seed_members as (
    select * from {{ ref('int_crowd_seed_members_unioned') }}
),

lookalike_members as (
    select * from {{ ref('int_crowd_lookalike_members_scored') }}
),

windows as (
    select * from {{ ref('tag_windows') }}
),

members as (
    select
        crowd_name,
        super_id,
        crowd_kind,
        cast(null as double) as similarity,
        cast(null as bigint) as similarity_rank
    from seed_members
    union all
    select
        crowd_name,
        super_id,
        'lookalike' as crowd_kind,
        similarity,
        similarity_rank
    from lookalike_members
),

final as (
    select
        members.crowd_name,
        members.super_id,
        members.crowd_kind,
        members.similarity,
        members.similarity_rank,
        windows.as_of_date
    from members
    cross join windows
)

select * from final
