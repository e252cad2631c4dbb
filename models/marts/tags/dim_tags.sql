with

catalogue as (
    select * from {{ ref('tag_catalogue') }}
),

coverage as (
    select * from {{ ref('tag_coverage_daily') }}
),

latest_coverage as (
    select
        coverage.*,
        row_number() over (partition by tag_id order by as_of_date desc) as recency_rank
    from coverage
),

final as (
    select
        catalogue.tag_id,
        catalogue.family,
        case catalogue.family
            when 'basic_attributes' then 'Basic attributes'
            when 'purchasing_power' then 'Purchasing power'
            when 'behaviour' then 'Behaviour'
            when 'social' then 'Social'
            when 'lifestyle' then 'Psychological and lifestyle'
            when 'interest' then 'Interest preferences'
        end as family_name,
        catalogue.tag_name,
        catalogue.definition,
        catalogue.value_kind,
        catalogue.allowed_values,
        catalogue.score_sql is not null as has_score,
        catalogue.feature_model,
        catalogue.source_models,
        catalogue.refresh_cadence,
        catalogue.owner,
        latest_coverage.as_of_date as coverage_as_of_date,
        latest_coverage.tagged_persons,
        latest_coverage.base_persons,
        latest_coverage.coverage,
        latest_coverage.distinct_values
    from catalogue
    left join latest_coverage on catalogue.tag_id = latest_coverage.tag_id and latest_coverage.recency_rank = 1
)

select * from final
