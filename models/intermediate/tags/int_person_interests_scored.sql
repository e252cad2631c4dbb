{#- One row per person (super_id), interest kind (category, brand) and interest key (category_l1, brand_id)
    they showed interest in: weighted interactions (page view 1, favorite 2, share 2, add to cart 3, paid order
    line 5) and score, their share of the person's weighted interactions of that kind (0-1). -#}

with

app_events as (
    select * from {{ ref('int_app_events_attributed') }}
),

order_lines as (
    select * from {{ ref('int_order_lines_attributed') }}
),

interactions as (
    select
        super_id,
        category_l1,
        brand_id,
        case event_type
            when 'page_view' then 1
            when 'favorite' then 2
            when 'share' then 2
            when 'add_to_cart' then 3
            else 0
        end as interaction_weight
    from app_events
    where sku_id is not null
    union all
    select
        super_id,
        category_l1,
        brand_id,
        5 as interaction_weight
    from order_lines
    where status = 'paid'
),

by_key as (
    select
        super_id,
        'category' as interest_kind,
        category_l1 as interest_key,
        interaction_weight
    from interactions
    where category_l1 is not null
    union all
    select
        super_id,
        'brand' as interest_kind,
        brand_id as interest_key,
        interaction_weight
    from interactions
    where brand_id is not null
),

weighted as (
    select
        super_id,
        interest_kind,
        interest_key,
        sum(interaction_weight) as weighted_interactions
    from by_key
    group by super_id, interest_kind, interest_key
),

final as (
    select
        super_id,
        interest_kind,
        interest_key,
        weighted_interactions,
        cast(weighted_interactions as double)
        / sum(weighted_interactions) over (partition by super_id, interest_kind) as interest_score,
        row_number() over (
            partition by super_id, interest_kind order by weighted_interactions desc, interest_key asc
        ) as interest_rank
    from weighted
    where weighted_interactions > 0
)

select * from final
