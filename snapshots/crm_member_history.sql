{#- SCD2 history of each brand membership's tier, points and points expiry: one row per member (member_key)
    and version seen by a build, valid from its updated_at (strategy timestamp, so a rerun with nothing newer
    changes nothing, and both engines date versions alike). A build that loads several days at once keeps the
    latest version of each member; daily builds (the Dagster schedule) keep every day's. -#}
{% snapshot crm_member_history %}

    {{ config(
        unique_key='member_key',
        strategy='timestamp',
        updated_at='updated_at',
    ) }}

    with

    versions as (
        select
            member_key,
            brand_id,
            member_id,
            tier,
            points_balance,
            points_expire_date,
            updated_at,
            row_number() over (
                partition by member_key order by updated_at desc, member_version_id desc
            ) as version_rank
        from {{ ref('stg_raw__crm_members') }}
    )

    select
        member_key,
        brand_id,
        member_id,
        tier,
        points_balance,
        points_expire_date,
        updated_at
    from versions
    where version_rank = 1

{% endsnapshot %}
