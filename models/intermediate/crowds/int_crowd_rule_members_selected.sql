{#- Each valid rule crowd of the registry is a where clause over user_tags_wide (compiled by `facetlake crowd`
    from its rule), generated when the model runs, so a new crowd needs no new model. -#}
{%- set rules = crowd_rules() %}
-- depends_on: {{ source('crowd_registry', 'crowd_definitions') }}

with

user_tags_wide as (
    select * from {{ ref('user_tags_wide') }}
),

selected as (
    {%- for rule in rules %}
        select
            '{{ rule.crowd_name }}' as crowd_name,
            super_id
        from user_tags_wide
        where {{ rule.rule_sql }}
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
    {%- if not rules %}
        select
            cast(null as varchar) as crowd_name,
            super_id
        from user_tags_wide
        where 1 = 0
    {%- endif %}
),

final as (
    select * from selected
)

select * from final
