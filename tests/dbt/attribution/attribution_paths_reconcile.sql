{#- Asserts that paths reconcile with orders and touchpoints: one converting path per paid order of an identified
    account, every touchpoint on a path counted once, and each path's touchpoint count equal to the touchpoints
    listed for it. Fails with a row per broken count. -#}

{{ config(group="attribution") }}

with

paid_orders as (
    -- the attribution domain's conversions (paid orders of identified accounts); reading staging here would put
    -- this test in every staging-only build
    select count(distinct order_id) as n
    from {{ ref('int_conversions_collected') }}
),

paths as (
    select * from {{ ref('fct_conversion_paths') }}
),

listed as (
    select
        path_id,
        count(*) as n
    from {{ ref('fct_path_touchpoints') }}
    group by path_id
),

counts as (
    select
        (select count(*) from paths where is_conversion) as converting_paths,
        (select n from paid_orders) as paid_orders,
        (select sum(path_touchpoints) from paths) as path_touchpoints,
        (select sum(n) from listed) as listed_touchpoints,
        (select count(*) from {{ ref('fct_touchpoints') }} where path_id is not null) as assigned_touchpoints,
        (select count(*) from listed where path_id not in (select path_id from paths)) as listed_without_path,
        (select count(*) from paths where not is_conversion and path_touchpoints = 0) as empty_open_paths
),

checks as (
    select
        'converting paths = paid orders' as check_name,
        converting_paths as found,
        paid_orders as expected
    from counts
    union all
    select
        'path touchpoints = touchpoints listed on paths' as check_name,
        path_touchpoints as found,
        listed_touchpoints as expected
    from counts
    union all
    select
        'transformed touchpoints <= touchpoints assigned to paths' as check_name,
        listed_touchpoints as found,
        least(listed_touchpoints, assigned_touchpoints) as expected
    from counts
    union all
    select
        'every listed path exists' as check_name,
        listed_without_path as found,
        0 as expected
    from counts
    union all
    select
        'open paths have touchpoints' as check_name,
        empty_open_paths as found,
        0 as expected
    from counts
)

select * from checks
where found != expected
