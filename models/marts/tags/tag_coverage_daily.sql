{#- One row per tag per as_of_date: how many persons carry the tag, out of the whole base, and how many
    distinct values it took. Incremental by as_of_date: each day's build adds that day's coverage and keeps
    the history, so a tag whose coverage drops shows up. -#}
{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='as_of_date') }}

with

catalogue as (
    select * from {{ ref('tag_catalogue') }}
),

user_tags as (
    select * from {{ ref('user_tags') }}
),

persons as (
    select * from {{ ref('dim_persons') }}
),

windows as (
    select * from {{ ref('int_tag_windows_resolved') }}
),

base as (
    select count(*) as base_persons from persons
),

tagged as (
    select
        tag_id,
        count(*) as tagged_persons,
        count(distinct tag_value) as distinct_values
    from user_tags
    group by tag_id
),

final as (
    select
        catalogue.tag_id,
        catalogue.family,
        windows.as_of_date,
        coalesce(tagged.tagged_persons, 0) as tagged_persons,
        base.base_persons,
        cast(coalesce(tagged.tagged_persons, 0) as double) / nullif(base.base_persons, 0) as coverage,
        coalesce(tagged.distinct_values, 0) as distinct_values
    from catalogue
    cross join windows
    cross join base
    left join tagged on catalogue.tag_id = tagged.tag_id
)

select * from final
