{#- One row per crowd in the registry: its kind, rule, origin (repo or cli), status, size (split into known
    persons and anonymous ids, see dim_persons.person_kind) and share of the base, who the DSP and SMS
    packages would reach, and for uploads the match rate (identifiers found in the identity map over valid
    identifiers uploaded). -#}

with

definitions as (
    select * from {{ ref('int_crowd_definitions_registered') }}
),

members as (
    select * from {{ ref('crowd_members') }}
),

deliverable as (
    select * from {{ ref('crowd_deliverable_identifiers') }}
),

upload_identifiers as (
    select * from {{ ref('int_crowd_upload_identifiers_matched') }}
),

persons as (
    select * from {{ ref('dim_persons') }}
),

windows as (
    select * from {{ ref('tag_windows') }}
),

base as (
    select
        count(*) as base_persons,
        cast(sum(case when is_known_person then 1 else 0 end) as bigint) as base_known_persons,
        cast(sum(case when is_known_person then 0 else 1 end) as bigint) as base_anonymous
    from persons
),

sizes as (
    select
        members.crowd_name,
        count(*) as crowd_size,
        cast(sum(case when persons.is_known_person then 1 else 0 end) as bigint) as crowd_size_known_persons,
        cast(sum(case when persons.is_known_person then 0 else 1 end) as bigint) as crowd_size_anonymous
    from members
    inner join persons on members.super_id = persons.super_id
    group by members.crowd_name
),

reach as (
    select
        crowd_name,
        count(distinct case when channel = 'dsp' then super_id end) as dsp_persons,
        sum(case when channel = 'dsp' then 1 else 0 end) as dsp_device_ids,
        count(distinct case when channel = 'sms' then super_id end) as sms_persons,
        sum(case when channel = 'sms' then 1 else 0 end) as sms_phone_hashes
    from deliverable
    group by crowd_name
),

matches as (
    select
        crowd_name,
        count(*) as uploaded_identifiers,
        sum(case when super_id is not null then 1 else 0 end) as matched_identifiers
    from upload_identifiers
    group by crowd_name
),

final as (
    select
        definitions.crowd_name,
        definitions.crowd_kind,
        definitions.description,
        definitions.rule_text,
        definitions.upload_name,
        definitions.upload_id_type,
        definitions.seed_crowd,
        definitions.target_size,
        definitions.origin,
        definitions.owner,
        definitions.status,
        definitions.status_message,
        definitions.created_at,
        definitions.updated_at,
        windows.as_of_date,
        coalesce(sizes.crowd_size, 0) as crowd_size,
        coalesce(sizes.crowd_size_known_persons, 0) as crowd_size_known_persons,
        coalesce(sizes.crowd_size_anonymous, 0) as crowd_size_anonymous,
        base.base_persons,
        base.base_known_persons,
        base.base_anonymous,
        cast(coalesce(sizes.crowd_size, 0) as double) / nullif(base.base_persons, 0) as base_share,
        coalesce(reach.dsp_persons, 0) as dsp_persons,
        coalesce(reach.dsp_device_ids, 0) as dsp_device_ids,
        coalesce(reach.sms_persons, 0) as sms_persons,
        coalesce(reach.sms_phone_hashes, 0) as sms_phone_hashes,
        definitions.upload_rows,
        definitions.upload_invalid_rows,
        matches.uploaded_identifiers,
        matches.matched_identifiers,
        cast(matches.matched_identifiers as double) / nullif(matches.uploaded_identifiers, 0) as match_rate
    from definitions
    cross join windows
    cross join base
    left join sizes on definitions.crowd_name = sizes.crowd_name
    left join reach on definitions.crowd_name = reach.crowd_name
    left join matches on definitions.crowd_name = matches.crowd_name
)

select * from final
